"""The orientation proposal: which pathway the common diagnostic points to, and why.

The criteria are those of the national referential of orientation criteria approved by the arrêté of
21 November 2024 (Comité national pour l'emploi, 7 November 2024; art. L. 5411-5-1 of the Code du travail):
the situation regarding employment (recent activity, time out of work, age, RQTH, RSA, trade), the
qualification level, the person's aspirations (quick return to work or a project to build) and the
difficulties (health, housing, mobility, childcare, caring for a relative, other), each rated *fort*,
*moyen* or *sans impact*. The national decision chart reads them in this order: activity at registration or
in the last two years, then whether the person can see themself at work soon (and their qualification),
then how strong the barriers are. Three pathways follow:

- *professionnel* (emploi): qualified or recently at work, projecting into work soon, no difficulty
  that weighs on the job search;
- *socio-professionnel* (global): social difficulties that weigh on the search for, or the holding of, a job;
- *social* (remobilisation): without activity, with difficulties that for now prevent any job search.

The rules below turn that into an ordered table; the first rule that applies decides. A barrier counts
only when rated *fort* or *moyen*: *sans impact* and *non abordé* themes never do.

==  ======================================  ==================  ==========================================
#   rule                                    pathway             applies when
==  ======================================  ==================  ==========================================
1   not_ready_with_strong_barrier           social              does not see themself at work yet, at least
                                                                one strong barrier, not working now
2   strong_barriers_without_activity        social              no recent activity, and two strong barriers
                                                                or more, or a strong health or housing one
3   strong_barrier                          socio_professional  at least one strong barrier (otherwise)
4   not_ready                               socio_professional  does not see themself at work yet
5   several_moderate_barriers               socio_professional  two moderate barriers or more
6   recent_activity                         professional        recent activity (at most one moderate
                                                                barrier, no strong one)
7   quick_return_with_qualification         professional        wants a quick return to work and holds a
                                                                qualification (level 3, CAP, or higher) or
                                                                followed a qualifying training
8   project_to_build                        socio_professional  every other case: no recent activity, and
                                                                a project to build or no qualification
==  ======================================  ==================  ==========================================

"Recent activity" means working now or having worked in the last 24 months (the decision chart's two
years): the diagnostic's answers first, the person's known months since their last job otherwise. Version 1 of the
diagnostic asked about the last 12 months (the time out of work then tells the 12 to 24 months apart); from version
2 on the question itself is on 24 months. A qualifying training without a diploma (version 2) counts as a
qualification. Age, RSA and the obligation d'emploi (RQTH or another ground of Code du travail art. L5212-13) do not
change the pathway; they decide who orients and who may accompany (mission locale, Département, Cap emploi) and are
given as notes.

The table and its thresholds are **Relais's own reading** of the national decision chart, not the chart
itself: the chart names the criteria and their order, Relais chose how to weigh them (how many barriers, which
themes block). Each threshold is kept as data (``THRESHOLDS``) that coordinators can read on the rules' page;
every proposal's "why" says it comes from this reading.

The proposal is a proposal: the orientation manager decides, and says why when deciding otherwise.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from entry.referential import LEVELS, load_referential
from pathway.models import PATHWAY_DESCRIPTIONS, PathwayType
from people.publics import YOUNG_AGE_LIMIT

RECENT_ACTIVITY_MONTHS = 24
STRONG_BARRIERS_FOR_SOCIAL = 2
BLOCKING_THEMES = ("health", "housing")
MODERATE_BARRIERS_FOR_GLOBAL = 2
QUALIFIED_LEVELS = ("qualifying_training", "level_3", "level_4", "level_5", "level_6", "level_7_8")

# Relais's reading of the national decision chart, said in every proposal's "why".
READING_NOTE = (
    "Proposition calculée selon la lecture que Relais fait de la grille nationale de décision (règles et seuils "
    "consultables par la coordination) : le chargé d'orientation décide."
)


@dataclass(frozen=True)
class Threshold:
    """One threshold of the rules, as a coordinator reads it."""

    key: str
    label: str
    value: object
    used_by: tuple[str, ...]
    source: str


PROFESSIONAL = PathwayType.PROFESSIONAL
SOCIO_PROFESSIONAL = PathwayType.SOCIO_PROFESSIONAL
SOCIAL = PathwayType.SOCIAL


@dataclass(frozen=True)
class PersonFacts:
    """What is known of the person outside the diagnostic (identity, RSA file, France Travail)."""

    age: int | None = None
    is_rsa: bool = False
    has_rqth: bool = False  # RQTH known from the identity record: one ground of the obligation d'emploi
    months_since_last_job: int | None = None


@dataclass(frozen=True)
class Proposal:
    """The proposed pathway. ``reasons`` starts with the deciding rule, then the criteria it used."""

    pathway: str
    reasons: list[str]
    rule: str
    notes: list[str] = field(default_factory=list)
    sensitive: bool = False

    @property
    def pathway_label(self):
        return PATHWAY_DESCRIPTIONS[self.pathway]

    def explain(self):
        """The proposal in a few French sentences, for the orientation manager."""
        lines = [f"Proposition : {self.pathway_label}.", *(f"- {reason}" for reason in self.reasons)]
        if self.notes:
            lines += ["À savoir :", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Situation:
    """The criteria read from the answers and the facts, each with the sentence that states it."""

    recent_activity: bool
    working_now: bool
    activity_text: str
    aspiration: str | None
    aspiration_text: str
    qualified: bool
    qualification_text: str
    strong: tuple[str, ...]
    moderate: tuple[str, ...]
    strong_text: str
    moderate_text: str


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    pathway: str
    applies: Callable[[Situation], bool]
    criteria: tuple[str, ...]  # the Situation texts that explain the decision, in order


RULES = (
    Rule(
        "not_ready_with_strong_barrier",
        "ne se projette pas encore vers l'emploi et a au moins un frein fort",
        SOCIAL,
        lambda s: s.aspiration == "not_yet" and bool(s.strong) and not s.working_now,
        ("aspiration_text", "strong_text"),
    ),
    Rule(
        "strong_barriers_without_activity",
        "sans activité récente, avec au moins deux freins forts ou un frein fort de santé ou de logement",
        SOCIAL,
        lambda s: (
            not s.recent_activity
            and (len(s.strong) >= STRONG_BARRIERS_FOR_SOCIAL or any(t in BLOCKING_THEMES for t in s.strong))
        ),
        ("activity_text", "strong_text"),
    ),
    Rule(
        "strong_barrier",
        "au moins un frein fort pèse sur la recherche d'emploi",
        SOCIO_PROFESSIONAL,
        lambda s: bool(s.strong),
        ("strong_text", "activity_text"),
    ),
    Rule(
        "not_ready",
        "ne se projette pas encore vers l'emploi, sans frein fort",
        SOCIO_PROFESSIONAL,
        lambda s: s.aspiration == "not_yet",
        ("aspiration_text", "strong_text"),
    ),
    Rule(
        "several_moderate_barriers",
        "plusieurs freins moyens pèsent sur la recherche d'emploi",
        SOCIO_PROFESSIONAL,
        lambda s: len(s.moderate) >= MODERATE_BARRIERS_FOR_GLOBAL,
        ("moderate_text", "strong_text"),
    ),
    Rule(
        "recent_activity",
        "activité récente, sans frein fort et avec au plus un frein moyen",
        PROFESSIONAL,
        lambda s: s.recent_activity,
        ("activity_text", "strong_text", "moderate_text"),
    ),
    Rule(
        "quick_return_with_qualification",
        "souhaite retrouver vite un emploi et a une qualification (CAP ou plus, ou une formation qualifiante), "
        "sans frein fort ni plus d'un frein moyen",
        PROFESSIONAL,
        lambda s: s.aspiration == "quick_return_to_work" and s.qualified,
        ("aspiration_text", "qualification_text", "strong_text", "activity_text"),
    ),
    Rule(
        "project_to_build",
        "sans activité récente ni retour rapide à l'emploi appuyé sur une qualification : le projet est à construire",
        SOCIO_PROFESSIONAL,
        lambda s: True,
        ("activity_text", "aspiration_text", "qualification_text"),
    ),
)


THRESHOLDS = (
    Threshold(
        "recent_activity_months",
        "Activité récente : a travaillé au cours des derniers mois",
        RECENT_ACTIVITY_MONTHS,
        ("strong_barriers_without_activity", "recent_activity", "project_to_build"),
        "Grille nationale : activité à l'inscription ou au cours des deux dernières années (arrêté du 21 novembre "
        "2024) ; la question du diagnostic porte sur 24 mois depuis sa version 2.",
    ),
    Threshold(
        "strong_barriers_for_social",
        "Nombre de freins forts qui, sans activité récente, orientent vers le parcours social",
        STRONG_BARRIERS_FOR_SOCIAL,
        ("strong_barriers_without_activity",),
        "Lecture de Relais : la grille parle de difficultés qui empêchent pour l'instant toute recherche d'emploi.",
    ),
    Threshold(
        "blocking_themes",
        "Thèmes dont un seul frein fort, sans activité récente, oriente vers le parcours social",
        BLOCKING_THEMES,
        ("strong_barriers_without_activity",),
        "Lecture de Relais : santé et logement.",
    ),
    Threshold(
        "moderate_barriers_for_global",
        "Nombre de freins moyens qui orientent vers le parcours socio-professionnel",
        MODERATE_BARRIERS_FOR_GLOBAL,
        ("several_moderate_barriers",),
        "Lecture de Relais : la grille parle de difficultés sociales qui pèsent sur la recherche d'emploi.",
    ),
    Threshold(
        "qualified_levels",
        "Niveaux de qualification comptés comme une qualification",
        QUALIFIED_LEVELS,
        ("quick_return_with_qualification",),
        "Lecture de Relais : niveau 3 (CAP, BEP) ou plus, ou une formation qualifiante sans diplôme (critère national "
        "du niveau de formation, demandé depuis la version 2 du diagnostic).",
    ),
)


def rules_table():
    """The rules in their order, for the coordinators' page: (number, rule, pathway label, thresholds used)."""
    return [
        (
            number,
            rule,
            PATHWAY_DESCRIPTIONS[rule.pathway],
            [threshold for threshold in THRESHOLDS if rule.key in threshold.used_by],
        )
        for number, rule in enumerate(RULES, start=1)
    ]


def propose_orientation(answers, person_facts, *, referential=None):
    """The pathway the diagnostic's ``answers`` point to, with the rule that decided and its criteria.

    ``answers`` has the referential's shape (see entry.referential) and should have passed
    ``validate_answers``; a missing answer is simply not known. ``referential`` is the version the answers
    were given with (the latest shipped one by default); it only names the themes and answers in the reasons.
    """
    referential = referential or load_referential()
    answers = answers or {}
    situation = _read_situation(answers, person_facts or PersonFacts(), referential)
    rule = next(rule for rule in RULES if rule.applies(situation))
    reasons = [f"Règle appliquée : {rule.label} → {PATHWAY_DESCRIPTIONS[rule.pathway]}."]
    reasons += [getattr(situation, name) for name in rule.criteria]
    reasons.append(READING_NOTE)
    used = set(rule.criteria)
    others = ("activity_text", "aspiration_text", "qualification_text", "strong_text", "moderate_text")
    notes = [getattr(situation, name) for name in others if name not in used]
    notes += _context_notes(answers, person_facts or PersonFacts(), referential)
    sensitive_themes = {theme["key"] for theme in referential["barriers"] if theme["sensitive"]}
    sensitive = bool(sensitive_themes & set(situation.strong + situation.moderate)) or bool(
        _employment_obligation(answers, person_facts)
    )
    return Proposal(pathway=rule.pathway, reasons=reasons, rule=rule.key, notes=notes, sensitive=sensitive)


def _read_situation(answers, facts, referential):
    given = answers.get("professional_situation") or {}
    recent, working_now, activity_text = _activity(given, facts)
    aspiration = given.get("aspiration")
    qualification = given.get("qualification_level")
    strong, moderate = _barriers(answers.get("barriers") or {}, referential)
    names = _theme_names(referential)
    return Situation(
        recent_activity=recent,
        working_now=working_now,
        activity_text=activity_text,
        aspiration=aspiration,
        aspiration_text=f"Aspiration : {_choice_text(referential, 'aspiration', aspiration)}",
        qualified=qualification in QUALIFIED_LEVELS,
        qualification_text=f"Qualification : {_choice_text(referential, 'qualification_level', qualification)}",
        strong=strong,
        moderate=moderate,
        strong_text=f"Freins forts : {_names(strong, names)}" if strong else "Aucun frein fort",
        moderate_text=f"Freins moyens : {_names(moderate, names)}" if moderate else "Aucun frein moyen",
    )


def _activity(given, facts):
    """(recent activity?, working now?, the sentence).

    The person's own answer about their last activity comes first, refined by the time out of work; the
    known months since the last job (an import, the RSA file) only fill what the diagnostic leaves open.
    """
    activity = given.get("recent_activity")
    out_of_work = given.get("time_out_of_work")
    if activity == "currently_working":
        return True, True, "Activité récente : en activité actuellement"
    if activity == "worked_last_24_months":
        return True, False, "Activité récente : a travaillé au cours des 24 derniers mois"
    if activity == "worked_more_than_24_months_ago":
        return False, False, "Pas d'activité récente : a travaillé il y a plus de 24 mois"
    if activity == "worked_last_12_months":
        return True, False, "Activité récente : a travaillé au cours des 12 derniers mois"
    if activity == "never_worked":
        return False, False, "Pas d'activité récente : n'a jamais travaillé"
    if out_of_work == "from_12_to_24_months":
        return True, False, "Activité récente : a travaillé il y a 12 à 24 mois"
    if out_of_work == "more_than_24_months":
        return False, False, "Pas d'activité récente : sans emploi depuis plus de 24 mois"
    if activity is None and out_of_work in ("less_than_6_months", "from_6_to_12_months"):
        return True, False, "Activité récente : sans emploi depuis moins de 12 mois"
    months = facts.months_since_last_job
    if months is not None:
        if months <= RECENT_ACTIVITY_MONTHS:
            return True, months == 0, f"Activité récente : a travaillé il y a {months} mois"
        return False, False, f"Pas d'activité récente : sans emploi depuis {months} mois"
    if activity == "worked_more_than_12_months_ago":
        return False, False, "Pas d'activité récente établie : a travaillé il y a plus de 12 mois, durée non précisée"
    return False, False, "Activité récente : non renseignée"


def _barriers(given, referential):
    """The themes rated fort and moyen, in the referential's order."""
    order = [theme["key"] for theme in referential["barriers"]]
    ranked = sorted(given, key=lambda key: order.index(key) if key in order else len(order))
    strong, moderate = [], []
    for key in ranked:
        answer = given[key] or {}
        if not isinstance(answer, dict):
            raise ValueError(f"Thème « {key} » : réponse illisible ; validez d'abord les réponses.")
        level = answer.get("level")
        if level is not None and level not in LEVELS:
            raise ValueError(f"Thème « {key} » : niveau inconnu « {level} » ; validez d'abord les réponses.")
        if level == "fort":
            strong.append(key)
        elif level == "moyen":
            moderate.append(key)
    return tuple(strong), tuple(moderate)


def _context_notes(answers, facts, referential):
    """Facts that do not change the pathway but who orients and accompanies, and what is missing."""
    notes = []
    if facts.age is not None and facts.age < YOUNG_AGE_LIMIT:
        notes.append(f"Âge : moins de {YOUNG_AGE_LIMIT} ans, la mission locale peut être l'organisme référent.")
    if facts.is_rsa:
        notes.append(
            "Bénéficiaire du RSA : l'orientation est décidée par le président du conseil départemental "
            "ou son délégataire."
        )
    grounds = _employment_obligation(answers, facts)
    if grounds == "rqth":
        notes.append("RQTH : Cap emploi peut accompagner la personne si elle le demande.")
    elif grounds:
        notes.append(
            "Bénéficiaire de l'obligation d'emploi : Cap emploi peut accompagner la personne si elle le demande."
        )
    given = answers.get("barriers") or {}
    not_addressed = [
        theme["key"]
        for theme in referential["barriers"]
        if (given.get(theme["key"]) or {}).get("level") in (None, "non_aborde")
    ]
    if not_addressed:
        notes.append(
            f"Thèmes non abordés (non comptés comme freins) : {_names(not_addressed, _theme_names(referential))}"
        )
    return notes


def _employment_obligation(answers, facts):
    """Whether the person is a bénéficiaire de l'obligation d'emploi (Code du travail art. L5212-13): "rqth" when
    the RQTH is all that is known (version 1's question, or the identity record), "boe" when the diagnostic says
    so (version 2), None otherwise. Either is disability data: the proposal that names it is sensitive."""
    given = (answers or {}).get("professional_situation") or {}
    if given.get("boe") == "yes":
        return "boe"
    if bool(facts and facts.has_rqth) or given.get("rqth") == "yes":
        return "rqth"
    return None


def _theme_names(referential):
    return {theme["key"]: theme["label"] for theme in referential["barriers"]}


def _names(keys, names):
    return ", ".join(_lower_first(names.get(key, key)) for key in keys)


def _choice_text(referential, question_key, choice_key):
    if choice_key is None:
        return "non renseignée"
    for question in referential["professional_situation"]:
        if question["key"] == question_key:
            for choice in question.get("choices", []):
                if choice["key"] == choice_key:
                    return _lower_first(choice["label"])
    return choice_key


def _lower_first(text):
    return text[:1].lower() + text[1:]
