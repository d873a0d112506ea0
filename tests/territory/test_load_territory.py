from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from territory.models import Commune, Departement, Epci, Ept, Postcode

pytestmark = pytest.mark.django_db


def load(*codes):
    out = StringIO()
    call_command("load_territory", *[f"--departement={code}" for code in codes], stdout=out)
    return out.getvalue()


def counts():
    return {
        "departements": Departement.objects.count(),
        "communes": Commune.objects.count(),
        "epci": Epci.objects.count(),
        "ept": Ept.objects.count(),
        "postcodes": Postcode.objects.count(),
    }


def test_essonne_is_loaded_with_its_communes_epci_and_postcodes():
    essonne = Departement.objects.get(code="91")

    assert essonne.name == "Essonne"
    assert essonne.communes.count() == 194
    evry = Commune.objects.get(code="91228")
    assert evry.name == "Évry-Courcouronnes"
    assert evry.epci.name == "CA Grand Paris Sud Seine Essonne Sénart"
    assert evry.epci.get_kind_display() == "communauté d'agglomération"
    assert [postcode.code for postcode in evry.postcodes.all()] == ["91000", "91080"]
    assert evry.label == "Évry-Courcouronnes (91000, 91080)"
    # Every commune of the département belongs to an EPCI.
    assert not essonne.communes.filter(epci__isnull=True).exists()


def test_loading_again_changes_nothing():
    before = counts()

    first = load("91")
    second = load("91")

    assert counts() == before
    assert first == second == "Département 91 : 194 communes, 13 epci, 1 ept, 196 codes postaux.\n"


def test_loading_again_restores_edited_reference_data():
    Commune.objects.filter(code="91228").update(name="Evry", epci=None)

    load("91")

    evry = Commune.objects.get(code="91228")
    assert evry.name == "Évry-Courcouronnes"
    assert evry.epci is not None
    assert Commune.objects.search("evry").get() == evry


def test_another_departement_can_be_loaded_next_to_the_first():
    before = counts()

    output = load("2A")

    assert output.startswith("Département 2A : 124 communes,")
    corse_du_sud = Departement.objects.get(code="2A")
    assert corse_du_sud.name == "Corse-du-Sud"
    ajaccio = Commune.objects.get(code="2A004")
    assert ajaccio.departement == corse_du_sud
    assert ajaccio.epci is not None
    assert {postcode.code for postcode in ajaccio.postcodes.all()} == {"20000", "20090", "20167"}
    assert Commune.objects.search("2A004").get() == ajaccio
    assert Commune.objects.search("ajaccio").get() == ajaccio
    # Essonne is untouched.
    assert Departement.objects.get(code="91").communes.count() == before["communes"] == 194


def test_paris_departement_knows_its_ept():
    load("93")

    montreuil = Commune.objects.get(code="93048")
    assert montreuil.ept is not None
    assert montreuil.epci.kind == Epci.Kind.METRO


@pytest.mark.parametrize("code", ["99", "9", "XX", "910"])
def test_unknown_departement_is_refused_in_french(code):
    before = counts()

    with pytest.raises(CommandError) as error:
        load(code)

    assert str(error.value) == f"Département inconnu : « {code} ». Exemples de codes valides : 91, 2A, 974."
    assert counts() == before


def test_without_argument_the_deployment_departement_is_loaded(settings):
    settings.RELAIS_DEPARTEMENT = "91"

    out = StringIO()
    call_command("load_territory", stdout=out)

    assert out.getvalue().startswith("Département 91 : 194 communes")
