"""The published versions of the diagnostic referential, in the database so that coordinators can publish
new ones without a developer. A database without any starts from the latest shipped file (under its own number); a
database that already has versions receives a newly shipped file as its next version, by a data migration that keeps
the coordinators' situations. A diagnostic keeps the version it used."""

import copy

from django.db import IntegrityError, transaction

from entry.models import DiagnosticReferential
from entry.proposal import PersonFacts
from entry.referential import ReferentialError, load_referential, validate_referential
from relais.text import fold


def current_referential():
    latest = DiagnosticReferential.objects.order_by("-version").first()
    if latest is None:
        shipped = load_referential()
        try:
            with transaction.atomic():
                latest = DiagnosticReferential.objects.create(
                    version=shipped["version"], content=shipped, note="version livrée"
                )
        except IntegrityError:
            latest = DiagnosticReferential.objects.get(version=shipped["version"])
    return latest.content


def referential_version(version):
    stored = DiagnosticReferential.objects.filter(version=version).first()
    return stored.content if stored else load_referential(version)


def publish(content, user, note=""):
    """Publish a new version (validated). Returns it; past diagnostics keep theirs."""
    current_referential()  # The shipped version is stored first: it keeps its number.
    with transaction.atomic():
        last = DiagnosticReferential.objects.select_for_update().order_by("-version").first()
        version = (last.version if last else 0) + 1
        content = {**content, "version": version}
        errors = validate_referential(content)
        if errors:
            raise ReferentialError(errors)
        return DiagnosticReferential.objects.create(version=version, content=content, published_by=user, note=note)


def describe_answers(referential, answers, comments, *, hide_sensitive):
    """The diagnostic in readable French, section by section, for the detail page and the print-out."""
    questions = []
    for question in referential["professional_situation"]:
        if question.get("sensitive") and hide_sensitive:
            questions.append({"label": question["label"], "value": None, "hidden": True})
            continue
        value = (answers.get("professional_situation") or {}).get(question["key"])
        labels = {choice["key"]: choice["label"] for choice in question.get("choices", [])}
        if isinstance(value, list):
            shown = ", ".join(labels.get(item, item) for item in value)
        else:
            shown = labels.get(value, value) if value else ""
        questions.append({"label": question["label"], "value": shown, "hidden": False})
    levels = {level["key"]: level["label"] for level in referential["levels"]}
    themes = []
    for theme in referential["barriers"]:
        if theme.get("sensitive") and hide_sensitive:
            themes.append({"label": theme["label"], "hidden": True})
            continue
        answer = (answers.get("barriers") or {}).get(theme["key"]) or {}
        situations = {situation["key"]: situation["label"] for situation in theme["situations"]}
        themes.append(
            {
                "label": theme["label"],
                "hidden": False,
                "level_key": answer.get("level", "non_aborde"),
                "level": levels.get(answer.get("level", "non_aborde"), ""),
                "situations": [situations.get(key, key) for key in answer.get("situations", [])],
                "comment": comments.get(theme["key"], ""),
            }
        )
    return {"questions": questions, "themes": themes}


def person_facts(person):
    """What the orientation rules know of the person outside the diagnostic."""
    return PersonFacts(age=person.age, is_rsa=person.is_rsa, has_rqth=person.rqth)


def _key_for(label, taken):
    base = "_".join(fold(label).split())[:40] or "situation"
    if not base[0].isalpha():
        base = f"s_{base}"
    key, counter = base, 2
    while key in taken:
        key, counter = f"{base}_{counter}", counter + 1
    taken.add(key)
    return key


def edit_situations(content, situations_by_theme):
    """A copy of ``content`` whose themes list the given situation labels (one per line, in order).

    A label already in the theme keeps its key, so that answers keep their meaning across versions; a new
    label gets a new key. Labels removed here disappear from the new version only.
    """
    edited = copy.deepcopy(content)
    taken = {situation["key"] for theme in content["barriers"] for situation in theme["situations"]}
    for theme in edited["barriers"]:
        lines = situations_by_theme.get(theme["key"])
        if lines is None:
            continue
        known = {fold(situation["label"]): situation["key"] for situation in theme["situations"]}
        theme["situations"] = [
            {"key": known.get(fold(label)) or _key_for(label, taken), "label": label}
            for label in dict.fromkeys(line.strip() for line in lines if line.strip())
        ]
    return edited
