"""The common diagnostic referential: shipped as versioned JSON data, loaded and checked here.

``diagnostic-vN.json`` holds version N of the common socio-professional diagnostic:

- ``levels``: the global scale of a barrier (fort, moyen, sans impact, non abordé);
- ``professional_situation``: questions with typed answers (``choice``, ``multiple_choice``, ``text``);
- ``barriers``: themes (mobility, housing, health…), each with the concrete situations to tick.

The objectives and actions of the contrat d'engagement are the contract's (``pathway/referential/``): they are
checked here against the diagnostic's themes.

A diagnostic's answers have this shape (every part optional; an unanswered question is absent or null)::

    {
        "professional_situation": {"recent_activity": "worked_last_24_months", "job_search_needs": ["cv"]},
        "barriers": {"housing": {"level": "fort", "situations": ["no_accommodation"]}},
    }

A diagnostic records the version of the referential it was answered with: a new version is a new file,
and older versions stay loadable so that older diagnostics keep their meaning.
"""

import copy
import json
import re
from functools import lru_cache
from pathlib import Path

from pathway.referential import load_objectives

REFERENTIAL_DIR = Path(__file__).resolve().parent

LEVELS = ("fort", "moyen", "sans_impact", "non_aborde")
NOT_ADDRESSED = "non_aborde"
QUESTION_TYPES = ("choice", "multiple_choice", "text")

# The orientation rules (entry.proposal) read these questions and answers: every version must keep them.
ORIENTATION_QUESTIONS = {
    "recent_activity": ("currently_working", "never_worked"),
    "time_out_of_work": ("less_than_6_months", "from_6_to_12_months", "from_12_to_24_months", "more_than_24_months"),
    "qualification_level": ("no_diploma", "level_3", "level_4", "level_5", "level_6", "level_7_8"),
    "aspiration": ("quick_return_to_work", "project_to_build", "not_yet"),
}
# The period that "recent activity" looks at: 12 months in version 1, the national criteria's 24 months from version 2
# on. Every version offers one of these pairs of answers (within the period, before it).
RECENT_ACTIVITY_PERIODS = {
    12: ("worked_last_12_months", "worked_more_than_12_months_ago"),
    24: ("worked_last_24_months", "worked_more_than_24_months_ago"),
}
# The difficulties named by the arrêté of 21 November 2024 (orientation criteria): every version keeps them.
ORIENTATION_THEMES = ("mobility", "family_constraints", "caring_for_relative", "health", "housing")
# Sensitive data in law (health, disability): always flagged, whatever a coordinator edits.
# The obligation d'emploi (Code du travail L5212-13) is disability data: RQTH is one of its grounds.
ALWAYS_SENSITIVE = {"question": ("rqth", "boe", "boe_grounds"), "theme": ("health",)}
# Themes of the objectives file that are not barriers of the diagnostic.
CONTRACT_ONLY_THEMES = ("employment", "training")

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DIAGNOSTIC_FILE = re.compile(r"^diagnostic-v([1-9][0-9]*)\.json$")


class ReferentialError(ValueError):
    """A referential file that cannot be used. ``errors`` lists every problem, in French."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("Référentiel invalide :\n- " + "\n- ".join(self.errors))


# Loading


def available_versions():
    """Versions of the diagnostic referential shipped with the application, oldest first."""
    return _versions(DIAGNOSTIC_FILE)


def load_referential(version=None):
    """The diagnostic referential of ``version`` (the latest when None), checked. Raises ReferentialError."""
    return _load(DIAGNOSTIC_FILE, "diagnostic-v{}.json", version, validate_referential)


def load_objectives_actions(version=None):
    """The contract's objectives and actions per theme (latest version when None), checked.

    Its themes are the latest diagnostic referential's barrier themes, plus employment and training.
    """
    data = load_objectives(version)
    errors = validate_objectives_actions(data) + check_objectives_themes(data, load_referential())
    if errors:
        raise ReferentialError(errors)
    return data


def check_objectives_themes(objectives, referential):
    """The objectives' themes against the diagnostic's barrier themes (plus the contract-only ones)."""
    barrier_themes = [theme["key"] for theme in referential["barriers"]]
    known = set(barrier_themes) | set(CONTRACT_ONLY_THEMES)
    present = [theme["key"] for theme in objectives["themes"]]
    errors = [
        f"Thème « {key} » : inconnu du diagnostic (version {referential['version']})."
        for key in present
        if key not in known
    ]
    errors += [f"Thème « {key} » du diagnostic : aucun objectif." for key in barrier_themes if key not in present]
    return errors


def _versions(pattern):
    found = (pattern.match(path.name) for path in REFERENTIAL_DIR.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def _load(pattern, file_name, version, validate):
    versions = _versions(pattern)
    if version is None:
        if not versions:
            raise ReferentialError([f"Aucun fichier « {file_name.format('N')} » n'est livré."])
        version = versions[-1]
    if version not in versions:
        shipped = ", ".join(str(v) for v in versions) or "aucune"
        raise ReferentialError([f"La version {version} n'existe pas (versions disponibles : {shipped})."])
    return copy.deepcopy(_read(REFERENTIAL_DIR / file_name.format(version), version, validate))


@lru_cache(maxsize=16)
def _read(path, version, validate):
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ReferentialError(
            [f"Le fichier « {path.name} » n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."]
        ) from error
    errors = validate(data)
    if not errors and data["version"] != version:
        errors = [f"Le fichier « {path.name} » annonce la version {data['version']} au lieu de {version}."]
    if errors:
        raise ReferentialError(errors)
    return data


# Checking a referential


def validate_referential(data):
    """Every problem of a diagnostic referential, as French messages (an empty list when it is usable)."""
    if not isinstance(data, dict):
        return ["Le référentiel doit être un objet JSON."]
    errors = _fields(
        data, "Référentiel", required=("version", "title", "levels", "professional_situation", "barriers")
    )
    if not isinstance(data.get("version"), int) or isinstance(data.get("version"), bool) or data["version"] < 1:
        errors.append("« version » doit être un nombre entier positif.")
    if not _is_text(data.get("title")):
        errors.append("« title » doit être un texte non vide.")
    errors += _check_levels(data.get("levels"))
    errors += _check_questions(data.get("professional_situation"))
    errors += _check_themes(data.get("barriers"))
    return errors


def _check_levels(levels):
    if not isinstance(levels, list):
        return ["« levels » doit être une liste."]
    errors = _items(levels, "Niveau")
    keys = [level.get("key") for level in levels if isinstance(level, dict)]
    for key in keys:
        if isinstance(key, str) and key not in LEVELS:
            errors.append(f"Niveau inconnu « {key} » (niveaux attendus : {', '.join(LEVELS)}).")
    for key in LEVELS:
        if key not in keys:
            errors.append(f"Niveau manquant : « {key} ».")
    return errors + _duplicates(keys, "Niveau")


def _check_questions(questions):
    if not isinstance(questions, list):
        return ["« professional_situation » doit être une liste de questions."]
    errors = []
    for index, question in enumerate(questions, start=1):
        where = _where("Question", index, question)
        if not isinstance(question, dict):
            errors.append(f"{where} : un objet est attendu.")
            continue
        errors += _fields(
            question,
            where,
            required=("key", "label", "type"),
            optional=("help_text", "sensitive", "choices", "max_length"),
        )
        errors += _key_and_label(question, where)
        errors += _sensitive_flag(question, where)
        kind = question.get("type")
        if kind not in QUESTION_TYPES:
            errors.append(f"{where} : type inconnu « {kind} » (types possibles : {', '.join(QUESTION_TYPES)}).")
        elif kind == "text":
            if "choices" in question:
                errors.append(f"{where} : une question à texte libre n'a pas de réponses possibles.")
            max_length = question.get("max_length")
            if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
                errors.append(f"{where} : « max_length » doit être un nombre entier positif.")
        else:
            choices = question.get("choices")
            if not isinstance(choices, list) or not choices:
                errors.append(f"{where} : la liste des réponses possibles (« choices ») est vide ou absente.")
            else:
                errors += _items(choices, f"{where}, réponse")
                errors += _duplicates([c.get("key") for c in choices if isinstance(c, dict)], f"{where}, réponse")
    keys = [q.get("key") for q in questions if isinstance(q, dict)]
    errors += _duplicates(keys, "Question")
    by_key = {q.get("key"): q for q in questions if isinstance(q, dict) and isinstance(q.get("key"), str)}
    for key, needed in ORIENTATION_QUESTIONS.items():
        question = by_key.get(key)
        if question is None:
            errors.append(f"Question obligatoire manquante : « {key} » (les règles d'orientation s'en servent).")
            continue
        offered = {c.get("key") for c in question.get("choices") or [] if isinstance(c, dict)}
        for choice in needed:
            if choice not in offered:
                errors.append(
                    f"Question « {key} » : réponse obligatoire manquante « {choice} » "
                    "(les règles d'orientation s'en servent)."
                )
    offered_activity = {
        c.get("key") for c in (by_key.get("recent_activity") or {}).get("choices") or [] if isinstance(c, dict)
    }
    if "recent_activity" in by_key and not any(
        set(pair) <= offered_activity for pair in RECENT_ACTIVITY_PERIODS.values()
    ):
        wanted = " ou ".join(" et ".join(f"« {key} »" for key in pair) for pair in RECENT_ACTIVITY_PERIODS.values())
        errors.append(
            f"Question « recent_activity » : réponses obligatoires manquantes, {wanted} "
            "(les règles d'orientation s'en servent)."
        )
    for key in ALWAYS_SENSITIVE["question"]:
        if key in by_key and by_key[key].get("sensitive") is not True:
            errors.append(f"Question « {key} » : donnée sensible, elle doit être marquée « sensitive » : true.")
    return errors


def _check_themes(themes):
    if not isinstance(themes, list):
        return ["« barriers » doit être une liste de thèmes."]
    errors = []
    situation_themes = {}
    for index, theme in enumerate(themes, start=1):
        where = _where("Thème", index, theme)
        if not isinstance(theme, dict):
            errors.append(f"{where} : un objet est attendu.")
            continue
        errors += _fields(theme, where, required=("key", "label", "sensitive", "situations"), optional=("help_text",))
        errors += _key_and_label(theme, where)
        errors += _sensitive_flag(theme, where)
        situations = theme.get("situations")
        if not isinstance(situations, list) or not situations:
            errors.append(f"{where} : aucune situation à cocher (« situations » vide ou absente).")
            continue
        errors += _items(situations, f"{where}, situation")
        for situation in situations:
            key = situation.get("key") if isinstance(situation, dict) else None
            if isinstance(key, str):
                situation_themes.setdefault(key, []).append(str(theme.get("key")))
    for key, owners in situation_themes.items():
        if len(owners) > 1:
            errors.append(f"Situation « {key} » en double (thèmes : {', '.join(owners)}).")
    keys = [t.get("key") for t in themes if isinstance(t, dict)]
    errors += _duplicates(keys, "Thème")
    for key in ORIENTATION_THEMES:
        if key not in keys:
            errors.append(
                f"Thème obligatoire manquant : « {key} » (critère d'orientation de l'arrêté du 21 novembre 2024)."
            )
    for theme in themes:
        if (
            isinstance(theme, dict)
            and theme.get("key") in ALWAYS_SENSITIVE["theme"]
            and theme.get("sensitive") is not True
        ):
            errors.append(f"Thème « {theme['key']} » : donnée sensible, il doit être marqué « sensitive » : true.")
    return errors


def validate_objectives_actions(data):
    """Every problem of an objectives-and-actions file, as French messages (empty when usable)."""
    if not isinstance(data, dict):
        return ["Le référentiel des objectifs et actions doit être un objet JSON."]
    errors = _fields(data, "Référentiel", required=("version", "title", "themes"))
    if not isinstance(data.get("version"), int) or isinstance(data.get("version"), bool) or data["version"] < 1:
        errors.append("« version » doit être un nombre entier positif.")
    if not _is_text(data.get("title")):
        errors.append("« title » doit être un texte non vide.")
    themes = data.get("themes")
    if not isinstance(themes, list) or not themes:
        return errors + ["« themes » doit être une liste non vide."]
    objective_keys, action_keys = [], []
    for index, theme in enumerate(themes, start=1):
        where = _where("Thème", index, theme)
        if not isinstance(theme, dict):
            errors.append(f"{where} : un objet est attendu.")
            continue
        errors += _fields(theme, where, required=("key", "label", "objectives"))
        errors += _key_and_label(theme, where)
        objectives = theme.get("objectives")
        if not isinstance(objectives, list) or not objectives:
            errors.append(f"{where} : aucun objectif.")
            continue
        for position, objective in enumerate(objectives, start=1):
            place = f"{where}, {_where('objectif', position, objective)}"
            if not isinstance(objective, dict):
                errors.append(f"{place} : un objet est attendu.")
                continue
            errors += _fields(objective, place, required=("key", "label", "actions"))
            errors += _key_and_label(objective, place)
            objective_keys.append(objective.get("key"))
            actions = objective.get("actions")
            if not isinstance(actions, list) or not actions:
                errors.append(f"{place} : aucune action.")
                continue
            errors += _items(actions, f"{place}, action")
            action_keys += [action.get("key") for action in actions if isinstance(action, dict)]
    errors += _duplicates([t.get("key") for t in themes if isinstance(t, dict)], "Thème")
    errors += _duplicates(objective_keys, "Objectif")
    errors += _duplicates(action_keys, "Action")
    return errors


def _where(kind, index, item):
    key = item.get("key") if isinstance(item, dict) else None
    return f"{kind} « {key} »" if isinstance(key, str) and key else f"{kind} n° {index}"


def _fields(item, where, required, optional=()):
    errors = [f"{where} : champ obligatoire manquant « {name} »." for name in required if name not in item]
    known = set(required) | set(optional)
    errors += [f"{where} : champ inconnu « {name} »." for name in item if name not in known]
    return errors


def _key_and_label(item, where):
    errors = []
    key = item.get("key")
    if "key" in item and (not isinstance(key, str) or not KEY_PATTERN.match(key)):
        errors.append(
            f"{where} : clé invalide « {key} » (lettres minuscules sans accent, chiffres et « _ », "
            "en commençant par une lettre)."
        )
    if "label" in item and not _is_text(item.get("label")):
        errors.append(f"{where} : le libellé (« label ») doit être un texte non vide.")
    return errors


def _sensitive_flag(item, where):
    if "sensitive" in item and not isinstance(item["sensitive"], bool):
        return [f"{where} : « sensitive » doit valoir true ou false."]
    return []


def _items(items, kind):
    """A list of {key, label} entries (levels, choices, situations, actions)."""
    errors = []
    for index, item in enumerate(items, start=1):
        where = _where(kind, index, item)
        if not isinstance(item, dict):
            errors.append(f"{where} : un objet avec « key » et « label » est attendu.")
            continue
        errors += _fields(item, where, required=("key", "label"))
        errors += _key_and_label(item, where)
    return errors


def _duplicates(keys, kind):
    seen, errors = set(), []
    for key in keys:
        if isinstance(key, str) and key in seen:
            errors.append(f"{kind} « {key} » en double.")
        seen.add(key)
    return errors


def _is_text(value):
    return isinstance(value, str) and bool(value.strip())


# Checking a diagnostic's answers


def validate_answers(referential, answers):
    """Every problem of a diagnostic's answers against ``referential``, as French messages for the user.

    Used by the form, the imports and the API alike. Unanswered questions (absent or null) and themes left
    out are accepted: completeness is the caller's decision; only what is there must make sense.
    """
    if not isinstance(answers, dict):
        return ["Les réponses doivent être un objet (rubriques « professional_situation » et « barriers »)."]
    errors = [
        f"Rubrique inconnue : « {name} »." for name in answers if name not in ("professional_situation", "barriers")
    ]
    errors += _check_situation_answers(referential, answers.get("professional_situation"))
    errors += _check_barrier_answers(referential, answers.get("barriers"))
    if not errors:
        errors += _check_activity_coherence(referential, answers.get("professional_situation") or {})
    return errors


# Last activity and time out of work that cannot both be true.
_INCOHERENT_ACTIVITY = {
    "worked_last_12_months": ("from_12_to_24_months", "more_than_24_months"),
    "worked_more_than_12_months_ago": ("less_than_6_months", "from_6_to_12_months"),
    "worked_last_24_months": ("more_than_24_months",),
    "worked_more_than_24_months_ago": ("less_than_6_months", "from_6_to_12_months", "from_12_to_24_months"),
}


def _check_activity_coherence(referential, given):
    labels = {
        question["key"]: {choice["key"]: choice["label"] for choice in question.get("choices", [])}
        for question in referential["professional_situation"]
    }
    errors = []
    activity, out_of_work = given.get("recent_activity"), given.get("time_out_of_work")
    if out_of_work in _INCOHERENT_ACTIVITY.get(activity, ()):
        errors.append(
            f"Réponses incohérentes : « {labels['recent_activity'][activity]} » et une durée sans emploi de "
            f"« {labels['time_out_of_work'][out_of_work].lower()} »."
        )
    if given.get("boe") == "no" and given.get("boe_grounds"):
        errors.append(
            "Réponses incohérentes : la personne n'est pas bénéficiaire de l'obligation d'emploi, mais un titre "
            "est coché."
        )
    return errors


def _check_situation_answers(referential, given):
    if given is None:
        return []
    if not isinstance(given, dict):
        return ["Situation professionnelle : un objet question → réponse est attendu."]
    questions = {question["key"]: question for question in referential["professional_situation"]}
    errors = []
    for key, value in given.items():
        question = questions.get(key)
        if question is None:
            errors.append(f"Question inconnue : « {key} ».")
            continue
        if value is None:
            continue
        label = question["label"]
        if question["type"] == "text":
            if not isinstance(value, str):
                errors.append(f"« {label} » : un texte est attendu.")
            elif question.get("max_length") and len(value) > question["max_length"]:
                errors.append(f"« {label} » : {question['max_length']} caractères au plus ({len(value)} saisis).")
            continue
        choices = {choice["key"] for choice in question["choices"]}
        if question["type"] == "choice":
            if not isinstance(value, str) or value not in choices:
                errors.append(f"« {label} » : réponse inconnue « {value} ».")
            continue
        if not isinstance(value, list):
            errors.append(f"« {label} » : une liste de réponses est attendue.")
            continue
        for item in value:
            if not isinstance(item, str) or item not in choices:
                errors.append(f"« {label} » : réponse inconnue « {item} ».")
        errors += [f"« {label} » : réponse « {item} » en double." for item in _repeated(value)]
    return errors


def _check_barrier_answers(referential, given):
    if given is None:
        return []
    if not isinstance(given, dict):
        return ["Freins : un objet thème → niveau et situations est attendu."]
    themes = {theme["key"]: theme for theme in referential["barriers"]}
    level_labels = ", ".join(level["label"] for level in referential["levels"])
    errors = []
    for key, value in given.items():
        theme = themes.get(key)
        if theme is None:
            errors.append(f"Thème inconnu : « {key} ».")
            continue
        label = theme["label"]
        if not isinstance(value, dict):
            errors.append(f"« {label} » : un objet avec le niveau (« level ») et les situations est attendu.")
            continue
        errors += [f"« {label} » : champ inconnu « {name} »." for name in value if name not in ("level", "situations")]
        level = value.get("level")
        if level is None:
            errors.append(f"« {label} » : le niveau est obligatoire.")
        elif not isinstance(level, str) or level not in LEVELS:
            errors.append(f"« {label} » : niveau inconnu « {level} » (niveaux possibles : {level_labels}).")
        situations = value.get("situations") or []
        if not isinstance(situations, list):
            errors.append(f"« {label} » : une liste de situations est attendue.")
            continue
        known = {situation["key"] for situation in theme["situations"]}
        for situation in situations:
            if not isinstance(situation, str) or situation not in known:
                errors.append(f"« {label} » : situation inconnue « {situation} ».")
        errors += [f"« {label} » : situation « {item} » en double." for item in _repeated(situations)]
        if situations and level == NOT_ADDRESSED:
            errors.append(f"« {label} » : des situations sont cochées alors que le thème est « non abordé ».")
    return errors


def _repeated(values):
    seen, repeated = set(), []
    for value in values:
        if isinstance(value, str):
            if value in seen and value not in repeated:
                repeated.append(value)
            seen.add(value)
    return repeated


# Sensitive answers


def split_sensitive(referential, answers):
    """Split answers into (common, sensitive): the questions and themes flagged sensitive go to the second.

    Both parts keep the answers' shape, so that ``merge_answers`` gives the whole back.
    """
    sensitive_questions = {q["key"] for q in referential["professional_situation"] if q.get("sensitive")}
    sensitive_themes = {t["key"] for t in referential["barriers"] if t["sensitive"]}
    common, sensitive = {}, {}
    for section, flagged in (("professional_situation", sensitive_questions), ("barriers", sensitive_themes)):
        for key, value in (answers.get(section) or {}).items():
            target = sensitive if key in flagged else common
            target.setdefault(section, {})[key] = copy.deepcopy(value)
    return common, sensitive


def merge_answers(*parts):
    """The answers put back together from parts split by ``split_sensitive``."""
    merged = {}
    for part in parts:
        for section, values in (part or {}).items():
            merged.setdefault(section, {}).update(copy.deepcopy(values))
    return merged


# Answers given with an older version


def carry_over(answers, source, target):
    """A copy of ``answers``, given with the ``source`` version, as the ``target`` version asks its questions: what a
    new diagnostic starts from when the referential changed since the previous one.

    Version 1 → 2: an RQTH (granted or asked) is the obligation d'emploi on the RQTH ground (« non » says nothing of
    the other grounds: left unanswered); activity in the last 12 months, or 12 to 24 months out of work, is activity
    in the last 24 months, and more than 24 months out of work is activity before them; « sans diplôme » did not ask
    about a qualifying training: left unanswered. Whatever the target no longer asks, or no longer offers, is left out.
    """
    choices = {
        referential["version"]: {
            question["key"]: {choice["key"] for choice in question.get("choices", [])}
            for question in referential["professional_situation"]
        }
        for referential in (source, target)
    }
    before, after = choices[source["version"]], choices[target["version"]]
    given = copy.deepcopy((answers or {}).get("professional_situation") or {})
    if "rqth" in given and "rqth" not in after and "boe" in after:
        rqth = given.pop("rqth")
        if rqth in ("yes", "pending") and not given.get("boe"):
            given["boe"], given["boe_grounds"] = rqth, ["rqth"]
    activity, out_of_work = given.get("recent_activity"), given.get("time_out_of_work")
    if activity in RECENT_ACTIVITY_PERIODS[12] and set(RECENT_ACTIVITY_PERIODS[24]) <= after.get(
        "recent_activity", set()
    ):
        if activity == "worked_last_12_months" or out_of_work == "from_12_to_24_months":
            given["recent_activity"] = "worked_last_24_months"
        elif out_of_work == "more_than_24_months":
            given["recent_activity"] = "worked_more_than_24_months_ago"
        else:
            del given["recent_activity"]
    if (
        given.get("qualification_level") == "no_diploma"
        and "qualifying_training" in after.get("qualification_level", set())
        and "qualifying_training" not in before.get("qualification_level", set())
    ):
        del given["qualification_level"]
    kept = {}
    for key, value in given.items():
        if key not in after:
            continue
        offered = after[key]
        if isinstance(value, list) and offered:
            value = [item for item in value if item in offered]
        elif isinstance(value, str) and offered and value not in offered:
            continue
        kept[key] = value
    carried = copy.deepcopy(answers or {})
    if given or "professional_situation" in carried:
        carried["professional_situation"] = kept
    return carried
