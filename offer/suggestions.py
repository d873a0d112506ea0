"""« Trouver une offre » from a carnet: the search starts from the person's commune and the barriers of their
latest diagnostic, and every result says which barrier it answers and which zone makes it open to the person.

The diagnostic's themes are those of ``entry/referential`` (barrier themes, and the job search needs of the
professional situation); each is matched here with the data·inclusion categories that answer it. Health is a
sensitive theme: it is used only for a professional who may read the diagnostic's sensitive answers.
"""

from dataclasses import dataclass, field

from entry.access import can_see_sensitive
from entry.models import Diagnostic
from entry.referential import merge_answers
from entry.referential_store import referential_version
from offer.schema import Categorie

# Barrier theme of the diagnostic → the categories of services that lift it.
BARRIER_CATEGORIES = {
    "mobility": (Categorie.MOBILITE,),
    "family_constraints": (Categorie.FAMILLE,),
    "caring_for_relative": (Categorie.FAMILLE,),
    "health": (Categorie.SANTE,),
    "language_literacy": (Categorie.LECTURE_ECRITURE_CALCUL,),
    "digital_skills": (Categorie.NUMERIQUE,),
    "housing": (Categorie.LOGEMENT_HEBERGEMENT,),
    "finances": (Categorie.DIFFICULTES_FINANCIERES, Categorie.EQUIPEMENT_ET_ALIMENTATION),
    "administrative_legal": (Categorie.DIFFICULTES_ADMINISTRATIVES_OU_JURIDIQUES,),
}
# A need named in the professional situation (« compétences à développer ») → the categories that answer it.
NEED_CATEGORIES = {
    "cv": (Categorie.PREPARER_SA_CANDIDATURE,),
    "cover_letter": (Categorie.PREPARER_SA_CANDIDATURE,),
    "job_search_methods": (Categorie.PREPARER_SA_CANDIDATURE,),
    "interview": (Categorie.TROUVER_UN_EMPLOI,),
    "digital_job_search": (Categorie.NUMERIQUE, Categorie.PREPARER_SA_CANDIDATURE),
    "career_project": (Categorie.CHOISIR_UN_METIER,),
    "discover_trade": (Categorie.CHOISIR_UN_METIER,),
    "find_training": (Categorie.SE_FORMER,),
    "business_creation": (Categorie.CREER_UNE_ENTREPRISE,),
}
# Barrier levels that call for a service.
CALLING_LEVELS = ("fort", "moyen")


@dataclass
class Need:
    """One barrier or need of the diagnostic, and the categories that answer it."""

    label: str
    categories: tuple

    def answered_by(self, service):
        return bool(set(service.categories) & {category.value for category in self.categories})


@dataclass
class Suggestion:
    """What the search starts from for a person, and why."""

    commune: object = None
    needs: list = field(default_factory=list)
    diagnostic: object = None

    @property
    def categories(self):
        return list(dict.fromkeys(category.value for need in self.needs for category in need.categories))

    def reasons(self, service):
        return [need.label for need in self.needs if need.answered_by(service)]


def for_person(person, membership):
    """The commune and the needs of the person's latest diagnostic, as this professional may read them."""
    suggestion = Suggestion(commune=person.commune)
    diagnostic = Diagnostic.objects.latest_for(person)
    if diagnostic is None:
        return suggestion
    suggestion.diagnostic = diagnostic
    with_sensitive = can_see_sensitive(membership, person, diagnostic)
    answers = merge_answers(diagnostic.answers, diagnostic.sensitive_answers if with_sensitive else {})
    referential = referential_version(diagnostic.referential_version)
    themes = {theme["key"]: theme for theme in referential["barriers"]}
    level_labels = {level["key"]: level["label"].lower() for level in referential["levels"]}
    for key, answer in (answers.get("barriers") or {}).items():
        theme = themes.get(key)
        level = (answer or {}).get("level")
        if theme is None or key not in BARRIER_CATEGORIES or level not in CALLING_LEVELS:
            continue
        if theme.get("sensitive") and not with_sensitive:
            continue
        label = f"Frein « {theme['label']} » ({level_labels.get(level, level)})"
        suggestion.needs.append(Need(label, BARRIER_CATEGORIES[key]))
    questions = {question["key"]: question for question in referential["professional_situation"]}
    needs_question = questions.get("job_search_needs")
    if needs_question is not None:
        labels = {choice["key"]: choice["label"] for choice in needs_question.get("choices", [])}
        for value in (answers.get("professional_situation") or {}).get("job_search_needs") or []:
            if value in NEED_CATEGORIES:
                suggestion.needs.append(Need(f"Besoin : {labels.get(value, value)}", NEED_CATEGORIES[value]))
    return suggestion
