"""The catalogue search: eligibility zones respected and closest first, then available, then fresh; filters and
facet counts; pages; searches that find nothing counted without personal data; from a carnet, pre-filled with
the person's commune and barriers, each result saying why."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from offer.models import Service, UnmetSearch
from tests.entry.factories import DiagnosticFactory
from tests.factories import MembershipFactory
from tests.offer.factories import ServiceFactory
from tests.pages import text
from tests.people.factories import PersonFactory

EVRY, MASSY, GRAND_PARIS_SUD, PARIS_SACLAY = "91228", "91377", "200059228", "200056232"


def names(response):
    """The services listed, in their order."""
    pattern = r'<h3 class="fr-h5 fr-mb-1w"><a href="/offre/services/[^"]+/">([^<]+)</a>'
    return [html.unescape(name) for name in re.findall(pattern, response.content.decode())]


def search(client, **criteria):
    return client.get(reverse("offer:search"), criteria)


@pytest.fixture
def client_a(login, professional_a):
    return login(professional_a)


@pytest.mark.django_db
class TestZones:
    def test_a_service_shows_for_the_communes_of_its_zone_closest_first(self, client_a):
        ServiceFactory(name="Pour tout l'Essonne", zone=["91"])
        ServiceFactory(name="Pour Grand Paris Sud", zone=[GRAND_PARIS_SUD])
        ServiceFactory(name="Pour Évry seulement", zone=[EVRY])
        ServiceFactory(name="Pour Massy seulement", zone=[MASSY])
        ServiceFactory(name="Pour Paris-Saclay", zone=[PARIS_SACLAY])
        ServiceFactory(name="Pour toute la France", zone=["france"])

        response = search(client_a, commune=EVRY)

        assert names(response) == [
            "Pour Évry seulement",
            "Pour Grand Paris Sud",
            "Pour tout l'Essonne",
            "Pour toute la France",
        ]
        page = text(response)
        assert "Ouvert aux habitants de Évry-Courcouronnes" in page
        assert "Ouvert à tout le territoire de CA Grand Paris Sud Seine Essonne Sénart" in page
        assert "Ouvert à tout le département (Essonne)" in page
        assert names(search(client_a, commune=MASSY)) == [
            "Pour Massy seulement",
            "Pour Paris-Saclay",
            "Pour tout l'Essonne",
            "Pour toute la France",
        ]

    def test_then_available_first_then_the_freshest(self, client_a):
        today = timezone.localdate()
        old = timezone.now() - datetime.timedelta(days=90)
        ServiceFactory(name="Complet", capacity=Service.Capacity.FULL)
        ServiceFactory(name="Suspendu", suspended_from=today - datetime.timedelta(days=1), suspended_until=today)
        ServiceFactory(name="Liste d'attente", capacity=Service.Capacity.WAITING_LIST, waiting_weeks=3)
        ServiceFactory(name="Ouvert, ancien", updated_at=old)
        ServiceFactory(name="Ouvert, récent")
        ServiceFactory(
            name="Suspension finie",
            updated_at=timezone.now() - datetime.timedelta(days=30),
            suspended_from=today - datetime.timedelta(days=10),
            suspended_until=today - datetime.timedelta(days=1),
        )

        assert names(search(client_a, commune=EVRY)) == [
            "Ouvert, récent",
            "Suspension finie",
            "Ouvert, ancien",
            "Liste d'attente",
            "Complet",
            "Suspendu",
        ]

    def test_drafts_and_archived_services_are_not_found(self, client_a):
        ServiceFactory(name="Brouillon", draft=True)
        ServiceFactory(name="Archivé", status=Service.Status.ARCHIVED)
        ServiceFactory(name="Publié")

        assert names(search(client_a, commune=EVRY)) == ["Publié"]


@pytest.mark.django_db
class TestFilters:
    @pytest.fixture(autouse=True)
    def catalogue(self):
        ServiceFactory(
            name="Permis solidaire",
            thematiques=["mobilite--preparer-un-permis"],
            publics=["jeunes"],
            kind="accompagnement",
            fees="payant",
        )
        ServiceFactory(
            name="Garage solidaire",
            thematiques=["mobilite--entretenir-reparer-son-vehicule"],
            publics=["tous-publics"],
            kind="aide-materielle",
            reception_modes=["en-presentiel"],
        )
        ServiceFactory(
            name="Atelier numérique",
            description="Prendre en main un ordinateur et ses démarches en ligne.",
            thematiques=["numerique--maitriser-les-fondamentaux-du-numerique"],
            publics=["seniors"],
            reception_modes=["a-distance"],
        )

    def test_by_category_or_precise_thematique(self, client_a):
        assert names(search(client_a, categories="mobilite")) == ["Garage solidaire", "Permis solidaire"]
        assert names(search(client_a, categories=["mobilite", "numerique"])) == [
            "Atelier numérique",
            "Garage solidaire",
            "Permis solidaire",
        ]
        assert names(search(client_a, thematique="mobilite--preparer-un-permis")) == ["Permis solidaire"]

    def test_by_public_a_service_for_everyone_included(self, client_a):
        assert names(search(client_a, public="jeunes")) == ["Garage solidaire", "Permis solidaire"]
        assert names(search(client_a, public="seniors")) == ["Atelier numérique", "Garage solidaire"]

    def test_by_type_fees_reception_and_words(self, client_a):
        assert names(search(client_a, kind="aide-materielle")) == ["Garage solidaire"]
        assert names(search(client_a, fees="payant")) == ["Permis solidaire"]
        assert names(search(client_a, reception="a-distance")) == ["Atelier numérique"]
        # Accents and case ignored, every word required, the description searched too.
        assert names(search(client_a, q="DEMARCHES ordinateur")) == ["Atelier numérique"]
        assert names(search(client_a, q="solidaire permis")) == ["Permis solidaire"]

    def test_facet_counts_are_in_the_labels(self, client_a):
        page = text(search(client_a, commune=EVRY))

        assert "Mobilité (2)" in page
        assert "Numérique (1)" in page
        assert "Santé (0)" in page
        # A service for everyone counts for every public.
        assert "Jeunes (2)" in page
        assert "Payant (1)" in page

    def test_each_facet_counts_with_the_other_filters_only(self, client_a):
        page = text(search(client_a, categories="mobilite", public="seniors"))

        # Ticking a second thématique would add the digital workshop (for seniors), whatever « mobilité » found.
        assert "Numérique (1)" in page
        assert "Mobilité (1)" in page  # the garage, for everyone, so for seniors too
        # Another public would find, among the mobility services: for the young, both.
        assert "Jeunes (2)" in page
        # Among the services found (the garage only): its type and its reception mode.
        assert "Aide matérielle (1)" in page
        assert "Accompagnement (0)" in page

    def test_a_value_outside_the_schema_is_refused_in_french(self, client_a):
        response = search(client_a, categories="astrologie")

        assert "Cette thématique n'est pas dans le référentiel national : « astrologie »." in text(response)
        assert names(response) == []


@pytest.mark.django_db
def test_pages_keep_the_search(client_a):
    for number in range(25):
        ServiceFactory(name=f"Service {number:02d}", thematiques=["sante--acces-aux-soins"])
    ServiceFactory(name="Hors sujet", thematiques=["mobilite--preparer-un-permis"])

    first = search(client_a, categories="sante", commune=EVRY)
    link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client_a.get(reverse("offer:search") + link)

    assert len(names(first)) == 20
    assert len(names(second)) == 5
    assert "Hors sujet" not in names(second)
    assert "25 services" in text(second)
    beyond = search(client_a, categories="sante", commune=EVRY, page="9")
    assert names(beyond) == names(second)
    assert "Page 2 sur 2" in text(beyond)


@pytest.mark.django_db
class TestUnmetSearches:
    def test_counted_by_commune_thematique_and_public_and_nothing_else(self, client_a):
        ServiceFactory(thematiques=["mobilite--preparer-un-permis"])

        search(client_a, commune=EVRY, categories="logement-hebergement", public="jeunes")
        search(client_a, commune=EVRY, categories="logement-hebergement", public="jeunes")
        search(client_a, commune=EVRY, categories="mobilite")

        unmet = UnmetSearch.objects.get()
        assert (unmet.commune_code, unmet.thematique, unmet.public, unmet.count) == (
            EVRY,
            "logement-hebergement",
            "jeunes",
            2,
        )
        assert {field.name for field in UnmetSearch._meta.get_fields()} == {
            "id",
            "day",
            "commune_code",
            "thematique",
            "public",
            "count",
        }


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_the_search_query_count_does_not_grow_with_the_catalogue(client_a, count, django_assert_max_num_queries):
    for number in range(count):
        ServiceFactory(name=f"Service {number}", zone=[EVRY] if number % 2 else ["91"])

    with django_assert_max_num_queries(12):
        response = search(client_a, commune=EVRY, categories="mobilite", public="jeunes")

    assert len(names(response)) == min(count, 20)


@pytest.mark.django_db
class TestFromACarnet:
    @pytest.fixture
    def diagnosed(self, membership_a):
        person = PersonFactory(commune_id=MASSY, followed_by=membership_a)
        answers = {
            "professional_situation": {"job_search_needs": ["cv"]},
            "barriers": {
                "mobility": {"level": "fort", "situations": ["no_means_of_transport"]},
                "housing": {"level": "sans_impact", "situations": []},
            },
        }
        DiagnosticFactory(
            person=person,
            number=1,
            structure=membership_a.structure,
            done_by=membership_a.user,
            answers=answers,
            sensitive_answers={"barriers": {"health": {"level": "fort", "situations": []}}},
        )
        return person

    @pytest.fixture
    def catalogue(self):
        ServiceFactory(name="Permis solidaire", thematiques=["mobilite--preparer-un-permis"], zone=[PARIS_SACLAY])
        ServiceFactory(
            name="Atelier CV",
            thematiques=["preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation"],
            updated_at=timezone.now() - datetime.timedelta(days=1),
        )
        ServiceFactory(name="Soins", thematiques=["sante--acces-aux-soins"])
        ServiceFactory(name="Logement", thematiques=["logement-hebergement--louer-un-logement"])
        ServiceFactory(name="Permis à Évry", thematiques=["mobilite--preparer-un-permis"], zone=[EVRY])

    def test_prefilled_with_the_commune_and_the_barriers_each_result_saying_why(self, client_a, diagnosed, catalogue):
        url = reverse("offer:person_search", args=[diagnosed.public_id])
        response = client_a.get(url)

        assert names(response) == ["Permis solidaire", "Soins", "Atelier CV"]
        page = text(response)
        why = "Pourquoi ce service :"
        assert f"{why} Frein « Mobilité » (fort) ; Ouvert à tout le territoire de CA Communauté Paris-Saclay" in page
        assert f"{why} Besoin : Construire ou mettre à jour son CV ; Ouvert à tout le département (Essonne)" in page
        # Health is sensitive: the author's structure reads it, so it is used for them.
        assert "Frein « Santé » (fort)" in page
        assert AccessLog.objects.filter(object_id=str(diagnosed.public_id), detail__contains="offre").exists()

    def test_health_is_not_used_for_who_may_not_read_it(self, login, diagnosed, catalogue, orientation_manager):
        response = login(orientation_manager).get(reverse("offer:person_search", args=[diagnosed.public_id]))

        assert names(response) == ["Permis solidaire", "Atelier CV"]
        assert "Santé" not in " ".join(re.findall(r"Pourquoi ce service[^.]*", text(response)))

    def test_refined_by_post_nothing_of_the_person_in_the_address(self, client_a, diagnosed, catalogue):
        url = reverse("offer:person_search", args=[diagnosed.public_id])
        response = client_a.post(url, {"commune": EVRY, "categories": ["mobilite"]})

        assert names(response) == ["Permis à Évry"]
        assert 'method="post"' in response.content.decode()
        assert url == f"/offre/pour/{diagnosed.public_id}/"

    def test_a_person_outside_the_need_to_know_is_not_found(self, login, professional_b, diagnosed):
        assert login(professional_b).get(reverse("offer:person_search", args=[diagnosed.public_id])).status_code == 404

    def test_the_carnet_offers_it_and_lists_the_referrals(self, client_a, diagnosed):
        page = client_a.get(reverse("entry:person_detail", args=[diagnosed.public_id]))

        assert reverse("offer:person_search", args=[diagnosed.public_id]) in page.content.decode()
        assert "Aucune orientation vers un service." in text(page)

    def test_without_a_diagnostic_the_commune_only(self, client_a, membership_a, catalogue):
        person = PersonFactory(commune_id=EVRY, followed_by=membership_a)

        response = client_a.get(reverse("offer:person_search", args=[person.public_id]))

        assert names(response)[0] == "Permis à Évry"
        assert "Pas encore de diagnostic" in text(response)


@pytest.mark.django_db
def test_every_professional_finds_published_services_of_other_structures(login, structure_b):
    ServiceFactory(name="Chez B", structure=structure_b)
    member = MembershipFactory(user__email="autre@exemple.fr")

    assert names(login(member.user).get(reverse("offer:search"))) == ["Chez B"]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 40])
def test_the_search_from_a_carnet_query_count_does_not_grow(
    client_a, membership_a, count, django_assert_max_num_queries
):
    person = PersonFactory(commune_id=EVRY, followed_by=membership_a)
    DiagnosticFactory(
        person=person,
        number=1,
        structure=membership_a.structure,
        done_by=membership_a.user,
        answers={"barriers": {"mobility": {"level": "fort", "situations": []}}},
    )
    for number in range(count):
        ServiceFactory(name=f"Service {number}")

    with django_assert_max_num_queries(20):
        response = client_a.get(reverse("offer:person_search", args=[person.public_id]))

    assert len(names(response)) == min(count, 20)


@pytest.mark.django_db
def test_the_posted_search_pages_by_buttons_of_its_form(client_a, membership_a):
    person = PersonFactory(commune_id=EVRY, followed_by=membership_a)
    for number in range(23):
        ServiceFactory(name=f"Service {number:02d}", thematiques=["sante--acces-aux-soins"])
    url = reverse("offer:person_search", args=[person.public_id])

    first = client_a.post(url, {"commune": EVRY, "categories": "sante"})
    second = client_a.post(url, {"commune": EVRY, "categories": "sante", "page": "2"})

    assert 'form="recherche" name="page" value="2"' in first.content.decode()
    assert len(names(first)) == 20
    assert len(names(second)) == 3
    assert not set(names(first)) & set(names(second))


@pytest.mark.django_db
def test_a_search_that_cannot_run_says_so_once_and_links_to_the_field(client_a):
    response = search(client_a, commune="00000")

    page = text(response)
    assert "La recherche n'a pas abouti : le formulaire contient une erreur" in page
    assert response.content.decode().count("fr-alert--error") == 1
    assert 'href="#id_commune"' in response.content.decode()


@pytest.mark.django_db
def test_a_service_for_a_territorial_establishment_of_the_grand_paris_shows_in_its_communes(client_a):
    ServiceFactory(name="Pour Grand-Orly Seine Bièvre", zone=["200058014"])
    response = search(client_a, commune="91027")  # Athis-Mons
    assert names(response) == ["Pour Grand-Orly Seine Bièvre"]
    assert "Ouvert à tout le territoire de Grand-Orly Seine Bièvre" in text(response)
    assert names(search(client_a, commune=EVRY)) == []
