"""The objectives referential the contract is drafted from."""

import json

import pytest

from pathway import referential


def test_objectives_have_their_theme_and_the_actions_that_serve_them():
    objectives = referential.objectives()
    housing = objectives["find_accommodation"]
    assert (housing.theme, housing.theme_label) == ("housing", "Logement")
    assert "Demande d'hébergement (SIAO)" in [label for _key, label in housing.actions]
    themes = dict(referential.themes())
    assert {"employment", "training", "health", "caring_for_relative"} <= set(themes)
    assert all(objective.theme in themes for objective in objectives.values())
    assert "Pôle emploi" not in json.dumps(referential.load_objectives(), ensure_ascii=False)


def test_an_unknown_version_is_refused_in_french():
    with pytest.raises(referential.ObjectivesReferentialError) as refused:
        referential.load_objectives(99)
    assert "La version 99 n'existe pas" in str(refused.value)


def test_the_source_ships_with_its_origin_and_licence():
    source = json.loads((referential.REFERENTIAL_DIR / "carnet-de-bord-referentiel.json").read_text())
    assert {"ref_situation", "ref_target", "ref_action"} <= set(source["data"])
    note = (referential.REFERENTIAL_DIR / "SOURCE.md").read_text()
    assert "gip-inclusion/carnet-de-bord-outils-referentiel" in note and "Apache License 2.0" in note
