"""The shipped diagnostic referential, its checks, and the checks of a diagnostic's answers."""

import copy
import json

import pytest

from entry import referential as referential_module
from entry.referential import (
    LEVELS,
    ReferentialError,
    available_versions,
    carry_over,
    check_objectives_themes,
    load_objectives_actions,
    load_referential,
    merge_answers,
    split_sensitive,
    validate_answers,
    validate_objectives_actions,
    validate_referential,
)

THEMES = [
    "mobility",
    "family_constraints",
    "caring_for_relative",
    "health",
    "language_literacy",
    "digital_skills",
    "housing",
    "finances",
    "administrative_legal",
]


@pytest.fixture(scope="module")
def shipped():
    """Version 1: it stays loadable and valid, so that the diagnostics answered with it keep their meaning.
    Version 2, the latest, is checked at the end of this file."""
    return load_referential(1)


@pytest.fixture(scope="module")
def latest():
    return load_referential()


def question(referential, key):
    return next(q for q in referential["professional_situation"] if q["key"] == key)


def theme(referential, key):
    return next(t for t in referential["barriers"] if t["key"] == key)


# The shipped referential


def test_the_latest_version_is_loaded_by_default():
    assert available_versions() == [1, 2]
    assert load_referential()["version"] == 2
    assert load_referential(2) == load_referential()
    assert load_referential(1)["version"] == 1


def test_the_shipped_referential_passes_its_own_checks(shipped):
    assert validate_referential(shipped) == []


def test_barrier_themes_come_in_the_agreed_order_with_their_situations(shipped):
    assert [t["key"] for t in shipped["barriers"]] == THEMES
    assert all(t["situations"] for t in shipped["barriers"])
    assert {"key": "no_accommodation", "label": "Sans hébergement"} in theme(shipped, "housing")["situations"]


def test_the_level_scale_is_global_and_french(shipped):
    assert shipped["levels"] == [
        {"key": "fort", "label": "Fort"},
        {"key": "moyen", "label": "Moyen"},
        {"key": "sans_impact", "label": "Sans impact"},
        {"key": "non_aborde", "label": "Non abordé"},
    ]


def test_health_and_rqth_are_sensitive_and_nothing_else_is(shipped):
    assert [t["key"] for t in shipped["barriers"] if t["sensitive"]] == ["health"]
    assert [q["key"] for q in shipped["professional_situation"] if q.get("sensitive")] == ["rqth"]


def test_professional_situation_offers_the_criteria_of_the_arrete(shipped):
    assert [c["key"] for c in question(shipped, "time_out_of_work")["choices"]] == [
        "less_than_6_months",
        "from_6_to_12_months",
        "from_12_to_24_months",
        "more_than_24_months",
    ]
    assert [c["key"] for c in question(shipped, "qualification_level")["choices"]] == [
        "no_diploma",
        "level_3",
        "level_4",
        "level_5",
        "level_6",
        "level_7_8",
    ]
    assert [c["key"] for c in question(shipped, "aspiration")["choices"]] == [
        "quick_return_to_work",
        "project_to_build",
        "not_yet",
    ]
    assert question(shipped, "trade_or_project")["type"] == "text"
    assert question(shipped, "job_search_needs")["type"] == "multiple_choice"
    assert "age" not in {q["key"] for q in shipped["professional_situation"]}


def test_every_key_is_unique_across_the_referential(shipped):
    situations = [s["key"] for t in shipped["barriers"] for s in t["situations"]]
    assert len(situations) == len(set(situations))


def test_a_caller_cannot_spoil_the_shared_copy():
    first = load_referential()
    first["barriers"].clear()
    assert load_referential()["barriers"]


def test_an_unknown_version_is_refused_in_french():
    with pytest.raises(ReferentialError) as error:
        load_referential(7)
    assert error.value.errors == ["La version 7 n'existe pas (versions disponibles : 1, 2)."]


# Broken referentials


def broken(change):
    data = copy.deepcopy(load_referential(1))
    change(data)
    return validate_referential(data)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("barriers"), "Référentiel : champ obligatoire manquant « barriers »."),
        (lambda d: d.update(barrier=[]), "Référentiel : champ inconnu « barrier »."),
        (lambda d: d.update(version="1"), "« version » doit être un nombre entier positif."),
        (lambda d: d.update(title=" "), "« title » doit être un texte non vide."),
        (
            lambda d: d["levels"].append({"key": "tres_fort", "label": "Très fort"}),
            "Niveau inconnu « tres_fort » (niveaux attendus : fort, moyen, sans_impact, non_aborde).",
        ),
        (lambda d: d["levels"].pop(), "Niveau manquant : « non_aborde »."),
        (
            lambda d: d["barriers"][6].update(situations=[]),
            "Thème « housing » : aucune situation à cocher (« situations » vide ou absente).",
        ),
        (lambda d: d["barriers"].append(copy.deepcopy(d["barriers"][0])), "Thème « mobility » en double."),
        (
            lambda d: d["barriers"][7]["situations"].append({"key": "owner", "label": "Propriétaire"}),
            "Situation « owner » en double (thèmes : housing, finances).",
        ),
        (
            lambda d: d["barriers"].pop(2),
            "Thème obligatoire manquant : « caring_for_relative » (critère d'orientation de l'arrêté du 21 novembre "
            "2024).",
        ),
        (
            lambda d: d["barriers"][3].update(sensitive=False),
            "Thème « health » : donnée sensible, il doit être marqué « sensitive » : true.",
        ),
        (
            lambda d: d["barriers"][0].update(key="Mobilité"),
            "Thème « Mobilité » : clé invalide « Mobilité » (lettres minuscules sans accent, chiffres et « _ », "
            "en commençant par une lettre).",
        ),
        (
            lambda d: d["barriers"][0]["situations"][0].update(label=""),
            "Thème « mobility », situation « no_means_of_transport » : le libellé (« label ») doit être un texte non "
            "vide.",
        ),
        (
            lambda d: d["professional_situation"].pop(4),
            "Question obligatoire manquante : « aspiration » (les règles d'orientation s'en servent).",
        ),
        (
            lambda d: d["professional_situation"][4]["choices"].pop(),
            "Question « aspiration » : réponse obligatoire manquante « not_yet » (les règles d'orientation s'en "
            "servent).",
        ),
        (
            lambda d: d["professional_situation"][2]["choices"].append({"key": "level_3", "label": "CAP"}),
            "Question « qualification_level », réponse « level_3 » en double.",
        ),
        (
            lambda d: d["professional_situation"][0].update(type="select"),
            "Question « recent_activity » : type inconnu « select » (types possibles : choice, multiple_choice, "
            "text).",
        ),
        (
            lambda d: d["professional_situation"][-1].update(sensitive=False),
            "Question « rqth » : donnée sensible, elle doit être marquée « sensitive » : true.",
        ),
    ],
)
def test_a_broken_referential_is_rejected_with_a_clear_french_message(change, message):
    assert message in broken(change)


def test_a_referential_that_is_not_an_object_is_rejected():
    assert validate_referential([]) == ["Le référentiel doit être un objet JSON."]


def test_a_broken_shipped_file_cannot_be_loaded(tmp_path, monkeypatch):
    data = load_referential(1)
    data["levels"].pop()
    (tmp_path / "diagnostic-v1.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "diagnostic-v2.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(referential_module, "REFERENTIAL_DIR", tmp_path)

    with pytest.raises(ReferentialError) as error:
        load_referential(1)
    assert error.value.errors == ["Niveau manquant : « non_aborde »."]
    assert "Niveau manquant" in str(error.value)

    with pytest.raises(ReferentialError) as error:
        load_referential()
    assert error.value.errors == ["Le fichier « diagnostic-v2.json » n'est pas du JSON valide (ligne 1, colonne 2)."]


def test_a_file_must_hold_the_version_its_name_announces(tmp_path, monkeypatch):
    (tmp_path / "diagnostic-v2.json").write_text(json.dumps(load_referential(1)), encoding="utf-8")
    monkeypatch.setattr(referential_module, "REFERENTIAL_DIR", tmp_path)
    with pytest.raises(ReferentialError) as error:
        load_referential()
    assert error.value.errors == ["Le fichier « diagnostic-v2.json » annonce la version 1 au lieu de 2."]


# A diagnostic's answers

VALID_ANSWERS = {
    "professional_situation": {
        "recent_activity": "worked_more_than_12_months_ago",
        "time_out_of_work": "more_than_24_months",
        "qualification_level": "level_3",
        "trade_or_project": "Aide à domicile",
        "aspiration": "project_to_build",
        "job_search_needs": ["cv", "digital_job_search"],
        "rqth": None,
    },
    "barriers": {
        "housing": {"level": "fort", "situations": ["hosted_by_third_party"]},
        "mobility": {"level": "moyen", "situations": ["public_transport_dependent"]},
        "health": {"level": "sans_impact"},
        "finances": {"level": "non_aborde", "situations": []},
    },
}


def test_valid_answers_have_no_error(shipped):
    assert validate_answers(shipped, VALID_ANSWERS) == []
    assert validate_answers(shipped, {}) == []


@pytest.mark.parametrize(
    "answers, message",
    [
        ([], "Les réponses doivent être un objet (rubriques « professional_situation » et « barriers »)."),
        ({"freins": {}}, "Rubrique inconnue : « freins »."),
        ({"professional_situation": {"age": 30}}, "Question inconnue : « age »."),
        (
            {"professional_situation": {"qualification_level": "level_9"}},
            "« Niveau de qualification » : réponse inconnue « level_9 ».",
        ),
        (
            {"professional_situation": {"aspiration": ["not_yet"]}},
            "« Aspiration de la personne » : réponse inconnue « ['not_yet'] ».",
        ),
        (
            {"professional_situation": {"job_search_needs": "cv"}},
            "« Compétences à développer pour la recherche d'emploi » : une liste de réponses est attendue.",
        ),
        (
            {"professional_situation": {"job_search_needs": ["cv", "cv"]}},
            "« Compétences à développer pour la recherche d'emploi » : réponse « cv » en double.",
        ),
        (
            {"professional_situation": {"trade_or_project": "x" * 201}},
            "« Métier exercé ou projet professionnel » : 200 caractères au plus (201 saisis).",
        ),
        ({"barriers": {"childcare": {"level": "fort"}}}, "Thème inconnu : « childcare »."),
        (
            {"barriers": {"housing": {"level": "Fort"}}},
            "« Logement » : niveau inconnu « Fort » (niveaux possibles : Fort, Moyen, Sans impact, Non abordé).",
        ),
        ({"barriers": {"housing": {"situations": ["owner"]}}}, "« Logement » : le niveau est obligatoire."),
        (
            {"barriers": {"housing": "fort"}},
            "« Logement » : un objet avec le niveau (« level ») et les situations est attendu.",
        ),
        (
            {"barriers": {"housing": {"level": "moyen", "situations": ["castle"]}}},
            "« Logement » : situation inconnue « castle ».",
        ),
        (
            {"barriers": {"housing": {"level": "moyen", "situations": ["no_means_of_transport"]}}},
            "« Logement » : situation inconnue « no_means_of_transport ».",
        ),
        (
            {"barriers": {"health": {"level": "non_aborde", "situations": ["mdph_file"]}}},
            "« Santé » : des situations sont cochées alors que le thème est « non abordé ».",
        ),
        (
            {"barriers": {"housing": {"level": "moyen", "comment": "expulsion le 3 mars"}}},
            "« Logement » : champ inconnu « comment ».",
        ),
        (
            {
                "professional_situation": {
                    "recent_activity": "worked_last_12_months",
                    "time_out_of_work": "more_than_24_months",
                }
            },
            "Réponses incohérentes : « A travaillé au cours des 12 derniers mois » et une durée sans emploi de "
            "« plus de 24 mois ».",
        ),
    ],
)
def test_answers_that_do_not_fit_the_referential_are_reported_in_french(shipped, answers, message):
    assert message in validate_answers(shipped, answers)


def test_every_problem_is_reported_at_once(shipped):
    answers = {
        "professional_situation": {"aspiration": "soon", "qualification_level": "bac"},
        "barriers": {"housing": {"level": "tres_fort"}},
    }
    assert len(validate_answers(shipped, answers)) == 3


def test_all_levels_are_accepted(shipped):
    for level in LEVELS:
        assert validate_answers(shipped, {"barriers": {"mobility": {"level": level}}}) == []


# Sensitive answers


def test_sensitive_answers_are_split_off_and_put_back(shipped):
    common, sensitive = split_sensitive(shipped, VALID_ANSWERS)
    assert sensitive == {
        "professional_situation": {"rqth": None},
        "barriers": {"health": {"level": "sans_impact"}},
    }
    assert "health" not in common["barriers"] and "rqth" not in common["professional_situation"]
    assert merge_answers(common, sensitive) == VALID_ANSWERS


# Objectives and actions of the contract


def test_objectives_and_actions_cover_every_barrier_theme_plus_employment_and_training(shipped):
    objectives = load_objectives_actions()
    assert validate_objectives_actions(objectives) == []
    assert check_objectives_themes(objectives, shipped) == []
    assert [t["key"] for t in objectives["themes"]] == [*THEMES, "employment", "training"]
    housing = next(t for t in objectives["themes"] if t["key"] == "housing")
    find = next(o for o in housing["objectives"] if o["key"] == "find_accommodation")
    assert {"key": "siao_request", "label": "Demande d'hébergement (SIAO)"} in find["actions"]


def test_broken_objectives_are_rejected_in_french(shipped):
    objectives = load_objectives_actions()
    objectives["themes"][0]["objectives"][1]["actions"].append(
        {"key": "driving_school_enrolment", "label": "Auto-école"}
    )
    objectives["themes"][1]["objectives"][0]["actions"] = []
    objectives["themes"][2]["key"] = "carer"
    assert validate_objectives_actions(objectives) == [
        "Thème « family_constraints », objectif « find_childcare » : aucune action.",
        "Action « driving_school_enrolment » en double.",
    ]
    assert check_objectives_themes(objectives, shipped) == [
        "Thème « carer » : inconnu du diagnostic (version 1).",
        "Thème « caring_for_relative » du diagnostic : aucun objectif.",
    ]


# Version 2: the obligation d'emploi, a qualifying training without a diploma, recent activity over 24 months


def test_version_2_passes_its_own_checks_and_keeps_version_1s_themes(latest, shipped):
    assert validate_referential(latest) == []
    assert latest["barriers"] == shipped["barriers"]
    assert latest["levels"] == shipped["levels"]


def test_version_2_asks_recent_activity_over_24_months(latest):
    assert [c["key"] for c in question(latest, "recent_activity")["choices"]] == [
        "currently_working",
        "worked_last_24_months",
        "worked_more_than_24_months_ago",
        "never_worked",
    ]
    assert question(latest, "recent_activity")["choices"][1]["label"] == "A travaillé au cours des 24 derniers mois"


def test_version_2_offers_a_qualifying_training_without_a_diploma(latest):
    assert [c["key"] for c in question(latest, "qualification_level")["choices"]][:3] == [
        "no_diploma",
        "qualifying_training",
        "level_3",
    ]


def test_version_2_asks_the_obligation_d_emploi_as_sensitive_data(latest):
    assert [t["key"] for t in latest["barriers"] if t["sensitive"]] == ["health"]
    assert [q["key"] for q in latest["professional_situation"] if q.get("sensitive")] == ["boe", "boe_grounds"]
    assert "rqth" not in {q["key"] for q in latest["professional_situation"]}
    grounds = [c["key"] for c in question(latest, "boe_grounds")["choices"]]
    assert grounds[0] == "rqth"
    assert {"invalidity_pension", "work_accident_pension", "cmi_invalidity", "aah"} <= set(grounds)


@pytest.mark.parametrize("key", ["boe", "boe_grounds"])
def test_the_obligation_d_emploi_cannot_be_published_as_common_data(latest, key):
    data = copy.deepcopy(latest)
    question(data, key)["sensitive"] = False
    assert validate_referential(data) == [
        f"Question « {key} » : donnée sensible, elle doit être marquée « sensitive » : true."
    ]


def test_a_version_must_offer_a_whole_period_of_recent_activity(latest):
    data = copy.deepcopy(latest)
    choices = question(data, "recent_activity")["choices"]
    choices[:] = [c for c in choices if c["key"] != "worked_more_than_24_months_ago"]
    assert validate_referential(data) == [
        "Question « recent_activity » : réponses obligatoires manquantes, « worked_last_12_months » et "
        "« worked_more_than_12_months_ago » ou « worked_last_24_months » et « worked_more_than_24_months_ago » "
        "(les règles d'orientation s'en servent)."
    ]


@pytest.mark.parametrize(
    "situation, message",
    [
        (
            {"recent_activity": "worked_last_24_months", "time_out_of_work": "more_than_24_months"},
            "Réponses incohérentes : « A travaillé au cours des 24 derniers mois » et une durée sans emploi de "
            "« plus de 24 mois ».",
        ),
        (
            {"recent_activity": "worked_more_than_24_months_ago", "time_out_of_work": "from_12_to_24_months"},
            "Réponses incohérentes : « A déjà travaillé, il y a plus de 24 mois » et une durée sans emploi de "
            "« de 12 à 24 mois ».",
        ),
        (
            {"boe": "no", "boe_grounds": ["aah"]},
            "Réponses incohérentes : la personne n'est pas bénéficiaire de l'obligation d'emploi, mais un titre "
            "est coché.",
        ),
        (
            {"recent_activity": "worked_last_12_months"},
            "« Activité professionnelle récente » : réponse inconnue « worked_last_12_months ».",
        ),
    ],
)
def test_version_2_answers_that_do_not_hold_together_are_refused(latest, situation, message):
    assert validate_answers(latest, {"professional_situation": situation}) == [message]


def test_version_2_answers_are_accepted_and_the_obligation_d_emploi_split_off(latest):
    answers = {
        "professional_situation": {
            "recent_activity": "worked_last_24_months",
            "time_out_of_work": "from_12_to_24_months",
            "qualification_level": "qualifying_training",
            "boe": "yes",
            "boe_grounds": ["invalidity_pension", "cmi_invalidity"],
        },
        "barriers": {"health": {"level": "moyen"}},
    }
    assert validate_answers(latest, answers) == []
    common, sensitive = split_sensitive(latest, answers)
    assert sensitive == {
        "professional_situation": {"boe": "yes", "boe_grounds": ["invalidity_pension", "cmi_invalidity"]},
        "barriers": {"health": {"level": "moyen"}},
    }
    assert set(common["professional_situation"]) == {"recent_activity", "time_out_of_work", "qualification_level"}


def test_version_1_answers_are_carried_over_to_version_2s_questions(shipped, latest):
    def carried(**situation):
        return carry_over({"professional_situation": situation}, shipped, latest)["professional_situation"]

    assert carried(recent_activity="worked_last_12_months", rqth="yes") == {
        "recent_activity": "worked_last_24_months",
        "boe": "yes",
        "boe_grounds": ["rqth"],
    }
    assert carried(recent_activity="worked_more_than_12_months_ago", time_out_of_work="from_12_to_24_months") == {
        "recent_activity": "worked_last_24_months",
        "time_out_of_work": "from_12_to_24_months",
    }
    assert carried(recent_activity="worked_more_than_12_months_ago", time_out_of_work="more_than_24_months") == {
        "recent_activity": "worked_more_than_24_months_ago",
        "time_out_of_work": "more_than_24_months",
    }
    # Not enough to say: left for the professional to answer.
    assert carried(recent_activity="worked_more_than_12_months_ago", rqth="no", qualification_level="no_diploma") == {}
    assert carried(rqth="pending", qualification_level="level_4") == {
        "boe": "pending",
        "boe_grounds": ["rqth"],
        "qualification_level": "level_4",
    }
    barriers = {"barriers": {"housing": {"level": "fort", "situations": []}}}
    assert carry_over(barriers, shipped, latest) == barriers
    for answers in (VALID_ANSWERS, {"professional_situation": {"rqth": "yes"}}):
        assert validate_answers(latest, carry_over(answers, shipped, latest)) == []
