"""A coordinator computes the probable duplicates, compares a pair side by side and merges it, in the browser."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from people.models import Person, PersonMerge
from tests.factories import MembershipFactory, StructureFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.browser

BIRTH = datetime.date(1986, 11, 4)


def test_a_coordinator_merges_a_probable_duplicate_from_the_list(page, axe_check, log_in):
    departement = StructureFactory(name="Département de l'Essonne – Direction de l'insertion", departement=True)
    MembershipFactory(structure=departement, coordinator=True, admin=True, user__email="claire.moreau@exemple.fr")
    agency = StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True)
    mission = StructureFactory(name="Mission locale Nord Essonne")
    counsellor = MembershipFactory(structure=agency, user__first_name="Karim", user__last_name="Benali")
    youth = MembershipFactory(structure=mission, user__first_name="Hugo", user__last_name="Lambert")
    kept = PersonFactory(birth_name="Lefèvre", first_names="Hélène", birth_date=BIRTH, followed_by=counsellor)
    duplicate = PersonFactory(birth_name="LEFEVRE", first_names="Helene", birth_date=BIRTH, followed_by=youth)
    PersonFactory(birth_name="Lefèvre", first_names="Hélène", birth_date=datetime.date(1958, 2, 20))

    log_in(page, "claire.moreau@exemple.fr")
    navigation = page.get_by_role("navigation", name="Menu principal")
    navigation.get_by_role("button", name="Pilotage").click()
    navigation.get_by_role("link", name="Doublons probables").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons probables")
    expect(page.get_by_text("La liste n'a pas encore été calculée.")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Recalculer la liste").click()
    expect(page.get_by_text("Le calcul des doublons probables est lancé")).to_be_visible()
    page.reload()
    expect(
        page.get_by_text(re.compile(r"Dernier calcul terminé le .* 3 dossiers comparés, 1 paire trouvée"))
    ).to_be_visible()
    expect(page.get_by_text("1 paire à examiner")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name=re.compile("Comparer les dossiers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparer deux dossiers")
    expect(page.get_by_role("heading", name=f"Premier dossier : {kept.dossier_number}")).to_be_visible()
    expect(page.get_by_text("Karim Benali (France Travail Évry-Courcouronnes), intervenant")).to_be_visible()
    expect(page.get_by_text("Hugo Lambert (Mission locale Nord Essonne), intervenant")).to_be_visible()
    axe_check(page)

    page.get_by_label(re.compile(f"Le premier, n° {kept.dossier_number}")).check()
    page.get_by_role("button", name="Fusionner les deux dossiers").click()
    expect(
        page.get_by_text(f"Les deux dossiers sont fusionnés dans le dossier {kept.dossier_number}.")
    ).to_be_visible()
    expect(page.get_by_text("Aucun doublon probable à examiner.")).to_be_visible()
    axe_check(page)

    assert Person.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
    assert PersonMerge.objects.get().survivor_id == kept.pk
