"""The orientation proposal, case by case: the pathway, the rule that decided, and the reason a person reads."""

import pytest

from entry.proposal import (
    BLOCKING_THEMES,
    QUALIFIED_LEVELS,
    RULES,
    PersonFacts,
    propose_orientation,
)
from entry.referential import ORIENTATION_QUESTIONS, ORIENTATION_THEMES, load_referential, validate_answers
from pathway.models import PATHWAY_DESCRIPTIONS

# The cases below answer version 1 (recent activity over 12 months, RQTH); version 2's own are further down.
REFERENTIAL = load_referential(1)
VERSION_2 = load_referential(2)
THEMES = [theme["key"] for theme in REFERENTIAL["barriers"]]


def diagnostic(activity=None, out_of_work=None, qualification=None, aspiration=None, rest="sans_impact", **levels):
    """Answers in the referential's shape; themes not named get ``rest`` (None: left out of the answers)."""
    situation = {
        "recent_activity": activity,
        "time_out_of_work": out_of_work,
        "qualification_level": qualification,
        "aspiration": aspiration,
    }
    barriers = {theme: {"level": levels.get(theme, rest)} for theme in THEMES if levels.get(theme, rest)}
    return {"professional_situation": {k: v for k, v in situation.items() if v}, "barriers": barriers}


CASES = [
    pytest.param(
        diagnostic("worked_last_12_months", "less_than_6_months", "no_diploma", "quick_return_to_work"),
        PersonFacts(age=22),
        "professional",
        "recent_activity",
        "Activité récente : a travaillé au cours des 12 derniers mois",
        id="young person, job a few months ago, no barrier",
    ),
    pytest.param(
        diagnostic(
            "worked_more_than_12_months_ago",
            "more_than_24_months",
            "level_3",
            "project_to_build",
            housing="fort",
            health="fort",
        ),
        PersonFacts(age=47, is_rsa=True),
        "social",
        "strong_barriers_without_activity",
        "Freins forts : santé, logement",
        id="long-term unemployed, strong housing and health barriers",
    ),
    pytest.param(
        diagnostic(
            "worked_more_than_12_months_ago",
            "more_than_24_months",
            "level_3",
            "project_to_build",
            mobility="moyen",
            family_constraints="moyen",
        ),
        PersonFacts(age=38, is_rsa=True),
        "socio_professional",
        "several_moderate_barriers",
        "Freins moyens : mobilité, contraintes familiales et garde d'enfants",
        id="project to build with moderate mobility and childcare barriers",
    ),
    pytest.param(
        diagnostic(
            "worked_last_12_months", "from_6_to_12_months", "level_4", "quick_return_to_work", rest="non_aborde"
        ),
        PersonFacts(age=31),
        "professional",
        "recent_activity",
        "Aucun frein fort",
        id="non-addressed themes do not count as barriers",
    ),
    pytest.param(
        diagnostic("worked_last_12_months", "from_6_to_12_months", "level_4", "quick_return_to_work", rest=None),
        PersonFacts(age=31),
        "professional",
        "recent_activity",
        "Activité récente : a travaillé au cours des 12 derniers mois",
        id="themes left out of the answers do not count either",
    ),
    pytest.param(
        diagnostic("worked_last_12_months", "less_than_6_months", "no_diploma", "not_yet", finances="fort"),
        PersonFacts(age=29, is_rsa=True),
        "social",
        "not_ready_with_strong_barrier",
        "Aspiration : ne se projette pas encore vers l'emploi",
        id="cannot see themself at work yet, with a strong barrier",
    ),
    pytest.param(
        diagnostic("never_worked", None, "no_diploma", "project_to_build", health="fort"),
        PersonFacts(age=52, is_rsa=True),
        "social",
        "strong_barriers_without_activity",
        "Freins forts : santé",
        id="a single strong health barrier without recent activity",
    ),
    pytest.param(
        diagnostic(
            "worked_more_than_12_months_ago", "more_than_24_months", "level_4", "quick_return_to_work", mobility="fort"
        ),
        PersonFacts(age=44, is_rsa=True),
        "socio_professional",
        "strong_barrier",
        "Freins forts : mobilité",
        id="a single strong mobility barrier without recent activity",
    ),
    pytest.param(
        diagnostic(
            "worked_last_12_months",
            "less_than_6_months",
            "level_3",
            "quick_return_to_work",
            housing="fort",
            family_constraints="fort",
        ),
        PersonFacts(age=35, is_rsa=True),
        "socio_professional",
        "strong_barrier",
        "Freins forts : contraintes familiales et garde d'enfants, logement",
        id="recent job but two strong barriers",
    ),
    pytest.param(
        diagnostic("currently_working", None, "level_3", "not_yet", housing="fort"),
        PersonFacts(age=40, is_rsa=True),
        "socio_professional",
        "strong_barrier",
        "Freins forts : logement",
        id="working part-time on RSA, strong housing barrier: never social",
    ),
    pytest.param(
        diagnostic("never_worked", None, "no_diploma", "not_yet", language_literacy="moyen"),
        PersonFacts(age=19),
        "socio_professional",
        "not_ready",
        "Aspiration : ne se projette pas encore vers l'emploi",
        id="cannot see themself at work yet, no strong barrier",
    ),
    pytest.param(
        diagnostic(
            "worked_more_than_12_months_ago",
            "more_than_24_months",
            "level_5",
            "quick_return_to_work",
            digital_skills="moyen",
        ),
        PersonFacts(age=56),
        "professional",
        "quick_return_with_qualification",
        "Qualification : niveau 5 (bac+2 : BTS, BUT, DEUST…)",
        id="long out of work but qualified and wanting a quick return",
    ),
    pytest.param(
        diagnostic("worked_more_than_12_months_ago", "more_than_24_months", "no_diploma", "quick_return_to_work"),
        PersonFacts(age=42, is_rsa=True),
        "socio_professional",
        "project_to_build",
        "Qualification : sans diplôme",
        id="long out of work, no diploma, wants a quick return",
    ),
    pytest.param(
        diagnostic("never_worked", None, "level_4", "project_to_build"),
        PersonFacts(age=24),
        "socio_professional",
        "project_to_build",
        "Pas d'activité récente : n'a jamais travaillé",
        id="never worked, project to build, no barrier",
    ),
    pytest.param(
        diagnostic("currently_working", None, "level_3", "quick_return_to_work", digital_skills="moyen"),
        PersonFacts(age=33, is_rsa=True),
        "professional",
        "recent_activity",
        "Activité récente : en activité actuellement",
        id="working part-time on RSA, one moderate barrier",
    ),
    pytest.param(
        diagnostic("worked_more_than_12_months_ago", "from_12_to_24_months", "level_3", "project_to_build"),
        PersonFacts(age=37),
        "professional",
        "recent_activity",
        "Activité récente : a travaillé il y a 12 à 24 mois",
        id="worked 18 months ago: still recent in the national chart",
    ),
    pytest.param(
        diagnostic(None, None, "level_3", "project_to_build"),
        PersonFacts(age=28, months_since_last_job=8),
        "professional",
        "recent_activity",
        "Activité récente : a travaillé il y a 8 mois",
        id="last job known from an import only",
    ),
    pytest.param(
        diagnostic(None, None, "no_diploma", "quick_return_to_work"),
        PersonFacts(age=50, is_rsa=True, months_since_last_job=40),
        "socio_professional",
        "project_to_build",
        "Pas d'activité récente : sans emploi depuis 40 mois",
        id="long out of work known from an import, no diploma",
    ),
]


@pytest.mark.parametrize("answers, facts, pathway, rule, reason", CASES)
def test_proposal(answers, facts, pathway, rule, reason):
    assert validate_answers(REFERENTIAL, answers) == []

    proposal = propose_orientation(answers, facts, referential=REFERENTIAL)

    assert proposal.pathway == pathway
    assert proposal.rule == rule
    deciding = next(r for r in RULES if r.key == rule)
    assert proposal.reasons[0] == f"Règle appliquée : {deciding.label} → {PATHWAY_DESCRIPTIONS[pathway]}."
    assert reason in proposal.reasons[1:]


def test_every_pathway_and_every_rule_is_reached_by_a_case():
    reached = {case.values[3] for case in CASES}
    assert reached == {rule.key for rule in RULES}
    assert {case.values[2] for case in CASES} == set(PATHWAY_DESCRIPTIONS)


def test_the_rule_table_ends_with_a_rule_that_always_applies():
    assert len({rule.key for rule in RULES}) == len(RULES)
    assert RULES[-1].applies(None)
    assert all(rule.pathway in PATHWAY_DESCRIPTIONS for rule in RULES)


def test_the_rules_only_read_what_every_referential_version_must_keep():
    # A qualifying training without a diploma is offered from version 2 on; the levels, by every version.
    assert set(QUALIFIED_LEVELS) - {"qualifying_training"} < set(ORIENTATION_QUESTIONS["qualification_level"])
    assert set(BLOCKING_THEMES) <= set(ORIENTATION_THEMES)


def test_the_diagnostic_answer_comes_before_the_imported_facts():
    answers = diagnostic("worked_more_than_12_months_ago", "more_than_24_months", "level_3", "project_to_build")
    proposal = propose_orientation(answers, PersonFacts(months_since_last_job=3))
    assert proposal.pathway == "socio_professional"
    assert "Pas d'activité récente : sans emploi depuis plus de 24 mois" in proposal.reasons


def test_an_empty_diagnostic_still_says_what_is_missing():
    proposal = propose_orientation({}, PersonFacts())
    assert proposal.pathway == "socio_professional"
    assert proposal.rule == "project_to_build"
    assert "Activité récente : non renseignée" in proposal.reasons
    assert "Aspiration : non renseignée" in proposal.reasons
    assert proposal.notes[-1].startswith("Thèmes non abordés (non comptés comme freins) : mobilité, ")


def test_the_other_criteria_and_the_context_are_given_as_notes():
    answers = diagnostic("worked_last_12_months", "less_than_6_months", "no_diploma", "quick_return_to_work")
    answers["professional_situation"]["rqth"] = "yes"
    proposal = propose_orientation(answers, PersonFacts(age=22, is_rsa=True), referential=REFERENTIAL)
    assert proposal.notes == [
        "Aspiration : retrouver rapidement un emploi",
        "Qualification : sans diplôme",
        "Âge : moins de 26 ans, la mission locale peut être l'organisme référent.",
        "Bénéficiaire du RSA : l'orientation est décidée par le président du conseil départemental ou son "
        "délégataire.",
        "RQTH : Cap emploi peut accompagner la personne si elle le demande.",
    ]


def test_a_proposal_that_mentions_health_or_rqth_is_flagged_sensitive():
    plain = diagnostic("worked_last_12_months", None, "level_3", "quick_return_to_work", housing="moyen")
    assert not propose_orientation(plain, PersonFacts()).sensitive
    with_health = diagnostic("worked_last_12_months", None, "level_3", "quick_return_to_work", health="moyen")
    assert propose_orientation(with_health, PersonFacts()).sensitive
    assert propose_orientation(plain, PersonFacts(has_rqth=True)).sensitive


def test_explain_gives_the_pathway_the_rule_and_the_criteria():
    answers = diagnostic("never_worked", None, "no_diploma", "project_to_build", housing="fort")
    text = propose_orientation(answers, PersonFacts(age=45)).explain()
    assert text.splitlines()[:4] == [
        "Proposition : parcours social (remobilisation).",
        "- Règle appliquée : sans activité récente, avec au moins deux freins forts ou un frein fort de santé ou "
        "de logement → parcours social (remobilisation).",
        "- Pas d'activité récente : n'a jamais travaillé",
        "- Freins forts : logement",
    ]
    assert "À savoir :" in text


def test_an_unknown_level_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match="niveau inconnu « Fort »"):
        propose_orientation({"barriers": {"housing": {"level": "Fort"}}}, PersonFacts())


# Version 2: recent activity over 24 months, a qualifying training without a diploma, the obligation d'emploi.


def version_2(activity=None, out_of_work=None, qualification=None, aspiration=None, **situation):
    answers = diagnostic(activity, out_of_work, qualification, aspiration)
    answers["professional_situation"].update(situation)
    assert validate_answers(VERSION_2, answers) == []
    return answers


@pytest.mark.parametrize(
    "activity, out_of_work, recent, reason",
    [
        (
            "worked_last_24_months",
            "from_12_to_24_months",
            True,
            "Activité récente : a travaillé au cours des 24 derniers mois",
        ),
        (
            "worked_more_than_24_months_ago",
            "more_than_24_months",
            False,
            "Pas d'activité récente : a travaillé il y a plus de 24 mois",
        ),
        ("worked_more_than_24_months_ago", None, False, "Pas d'activité récente : a travaillé il y a plus de 24 mois"),
    ],
)
def test_version_2_reads_recent_activity_over_24_months(activity, out_of_work, recent, reason):
    answers = version_2(activity, out_of_work, "no_diploma", "project_to_build")
    # Even an import saying the last job was 3 months ago does not override the answer.
    proposal = propose_orientation(answers, PersonFacts(months_since_last_job=3), referential=VERSION_2)
    assert proposal.rule == ("recent_activity" if recent else "project_to_build")
    assert proposal.pathway == ("professional" if recent else "socio_professional")
    assert reason in proposal.reasons


def test_a_qualifying_training_without_a_diploma_counts_as_a_qualification():
    trained = version_2("never_worked", None, "qualifying_training", "quick_return_to_work")
    proposal = propose_orientation(trained, PersonFacts(), referential=VERSION_2)
    assert (proposal.pathway, proposal.rule) == ("professional", "quick_return_with_qualification")
    assert (
        "Qualification : sans diplôme, avec une formation qualifiante (certificat, attestation de compétences…)"
        in proposal.reasons
    )
    untrained = version_2("never_worked", None, "no_diploma", "quick_return_to_work")
    assert propose_orientation(untrained, PersonFacts(), referential=VERSION_2).rule == "project_to_build"


def test_the_obligation_d_emploi_is_a_note_and_makes_the_proposal_sensitive():
    answers = version_2(
        "worked_last_24_months", None, "level_3", "quick_return_to_work", boe="yes", boe_grounds=["aah"]
    )
    proposal = propose_orientation(answers, PersonFacts(), referential=VERSION_2)
    assert proposal.pathway == "professional"
    assert proposal.sensitive
    assert (
        "Bénéficiaire de l'obligation d'emploi : Cap emploi peut accompagner la personne si elle le demande."
        in proposal.notes
    )
    pending = version_2("worked_last_24_months", None, "level_3", "quick_return_to_work", boe="pending")
    assert not propose_orientation(pending, PersonFacts(), referential=VERSION_2).sensitive
