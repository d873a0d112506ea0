"""The carnet: a person's page, at a glance, built from the sections each app registers, closed by the timeline —
filtered by kind, paginated, each event shown only to those allowed, every read in the access log, and as fast
with a thousand events as with five."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from pathway import carnet, timeline
from pathway.models import TimelineEvent, Visibility
from relais.text import fold
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text

pytestmark = pytest.mark.django_db


def url(person):
    return reverse("pathway:carnet", args=[person.public_id])


def logs(person, **filters):
    return AccessLog.objects.filter(object_type="people.person", object_id=str(person.public_id), **filters)


@pytest.fixture
def accompanied(followed, orient, structure_b, membership_b):
    """Camille Moreau, accompanied by professional B (mission locale), professional A (France Travail) in her team."""
    orient(followed, structure_b, referent=membership_b, notify=False)
    return followed


def events(person, count, *, kind="pathway.identity_updated", visibility=Visibility.TEAM, by=None, start=None):
    """``count`` events on ``person``'s timeline, one a day backwards from ``start``."""
    start = start or timezone.now() - datetime.timedelta(days=1)
    TimelineEvent.objects.bulk_create(
        [
            TimelineEvent(
                person=person,
                kind=kind,
                at=start - datetime.timedelta(days=index),
                actor=by.user if by else None,
                actor_structure=by.structure if by else None,
                visibility=visibility,
                summary=f"Événement n° {index + 1}",
            )
            for index in range(count)
        ]
    )


class TestAtAGlance:
    def test_identity_referent_team_orientation_diagnostic_and_timeline(
        self, login, professional_b, accompanied, membership_a
    ):
        response = login(professional_b).get(url(accompanied))

        assert response.status_code == 200
        page = text(response)
        assert "MOREAU Camille" in page
        assert "Identité et coordonnées" in page
        assert "17/05/1990" in page
        assert "Référent unique" in page and str(professional_b) in page
        assert f"{membership_a.user} – France Travail Évry-Courcouronnes (intervenant)" in page
        assert f"{professional_b} – Mission locale Nord Essonne (référent unique)" in page
        assert "Type de parcours professionnel, orienté le" in page
        assert "Version n° 1 du" in page  # entry's section: the latest diagnostic
        assert "Historique des orientations" in page  # entry's section: the orientations
        assert "Fil du carnet" in page
        assert "est désigné référent unique" in page

    def test_the_entry_address_of_the_person_shows_the_carnet(self, login, professional_b, accompanied):
        client = login(professional_b)

        response = client.get(reverse("entry:person_detail", args=[accompanied.public_id]))

        assert "Fil du carnet" in text(response)
        assert "Identité et coordonnées" in text(response)

    def test_nothing_is_kept_in_a_cache_and_every_read_is_logged(
        self, login, professional_b, structure_b, accompanied
    ):
        response = login(professional_b).get(url(accompanied))

        assert "no-store" in response["Cache-Control"]
        entry = logs(accompanied).get()
        assert (entry.user, entry.structure, entry.action) == (professional_b, structure_b, AccessLog.Action.VIEW)

    def test_outside_the_need_to_know_the_carnet_is_not_found(self, login, accompanied):
        outsider = MembershipFactory(structure=StructureFactory(name="CCAS de Grigny"))

        response = login(outsider.user).get(url(accompanied))

        assert response.status_code == 404
        assert "Moreau" not in response.content.decode()
        assert not logs(accompanied).exists()


class TestSections:
    """Upper apps add sections and actions; pathway knows nothing of them."""

    @pytest.fixture
    def registered(self):
        seen = []

        def context(request, person, membership):
            seen.append(membership)
            return {"word": "Objectif : permis de conduire"}

        carnet.register_section(
            "test_contract", title="Contrat d'essai", template="pathway/test_section.html", context=context, order=55
        )
        carnet.register_section(
            "test_hidden",
            title="Section réservée",
            template="pathway/test_section.html",
            context=lambda *a: None,
            order=56,
        )
        carnet.register_action(
            "test_allowed", label="Planifier un rendez-vous", url=lambda person: "/rdv/", section="test_contract"
        )
        carnet.register_action(
            "test_denied",
            label="Action interdite",
            url=lambda person: "/non/",
            allowed=lambda membership, person: False,
        )
        yield seen
        carnet.unregister_section("test_contract")
        carnet.unregister_section("test_hidden")
        carnet.unregister_action("test_allowed")
        carnet.unregister_action("test_denied")

    @pytest.fixture
    def section_template(self, settings, tmp_path):
        (tmp_path / "pathway").mkdir()
        (tmp_path / "pathway" / "test_section.html").write_text("<p>{{ word }} pour {{ person.first_names }}</p>")
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def test_a_registered_section_shows_in_its_place_with_its_actions(
        self, registered, section_template, login, professional_b, membership_b, accompanied
    ):
        page = text(login(professional_b).get(url(accompanied)))

        assert "Contrat d'essai Objectif : permis de conduire pour Camille Planifier un rendez-vous" in page
        assert page.index("Historique des orientations") < page.index("Contrat d'essai") < page.index("Fil du carnet")
        assert registered == [membership_b]

    def test_a_section_or_an_action_may_be_left_out_for_a_reader(
        self, registered, section_template, login, professional_b, accompanied
    ):
        page = text(login(professional_b).get(url(accompanied)))

        assert "Section réservée" not in page
        assert "Action interdite" not in page


class TestTimeline:
    def test_each_event_is_shown_only_to_those_allowed(
        self, login, professional_a, membership_a, membership_b, accompanied
    ):
        colleague_of_b = MembershipFactory(structure=membership_b.structure)
        events(accompanied, 1, visibility=Visibility.AUTHOR, by=membership_b, kind="pathway.identity_updated")
        TimelineEvent.objects.filter(visibility=Visibility.AUTHOR).update(summary="Note pour moi seul")
        events(accompanied, 1, visibility=Visibility.STRUCTURE, by=membership_b)
        TimelineEvent.objects.filter(visibility=Visibility.STRUCTURE).update(summary="Note de ma structure")

        seen_by_b = text(login(membership_b.user).get(url(accompanied)))
        seen_by_colleague = text(login(colleague_of_b.user).get(url(accompanied)))
        seen_by_a = text(login(professional_a).get(url(accompanied)))

        assert "Note pour moi seul" in seen_by_b and "Note de ma structure" in seen_by_b
        assert "Note pour moi seul" not in seen_by_colleague and "Note de ma structure" in seen_by_colleague
        assert "Note pour moi seul" not in seen_by_a and "Note de ma structure" not in seen_by_a

    def test_the_filter_offers_the_kinds_present_and_narrows_to_them(self, login, professional_b, accompanied):
        client = login(professional_b)

        full = client.get(url(accompanied))
        filtered = client.get(url(accompanied), {"nature": "orientation"})

        labels = [group["label"] for group in full.context["groups"]]
        assert labels == sorted(labels, key=fold)
        assert {"orientation", "référent unique", "équipe"} <= set(labels)
        assert "sortie et réouverture" not in labels  # no such event on this carnet
        shown = {timeline.kind_label(event.kind) for event in filtered.context["events"]}
        assert shown == {"orientation"}
        assert "Orienté en parcours professionnel vers Mission locale Nord Essonne" in text(filtered)
        assert "rejoint l'équipe" not in text(filtered)

    def test_a_kind_only_the_author_sees_is_not_offered_to_others(
        self, login, professional_a, membership_b, accompanied
    ):
        events(accompanied, 1, kind="pathway.access_requested", visibility=Visibility.AUTHOR, by=membership_b)

        response = login(professional_a).get(url(accompanied))

        assert "demande d'accès" not in [group["label"] for group in response.context["groups"]]

    def test_paginated_twenty_at_a_time_newest_first(self, login, professional_b, accompanied):
        events(accompanied, 45, start=timezone.now() + datetime.timedelta(days=1))
        client = login(professional_b)

        first = client.get(url(accompanied), {"nature": "informations-de-la-personne"})
        third = client.get(url(accompanied), {"nature": "informations-de-la-personne", "page": 3})

        assert [event.summary for event in first.context["events"]][:2] == ["Événement n° 1", "Événement n° 2"]
        assert len(first.context["events"]) == 20
        assert "45 événements de cette nature, page 1 sur 3" in text(first)
        assert [event.summary for event in third.context["events"]] == [f"Événement n° {n}" for n in range(41, 46)]
        # The page links keep the filter.
        assert "?nature=informations-de-la-personne&amp;page=2" in first.content.decode()

    def test_htmx_swaps_the_timeline_alone_and_logs_the_read(self, login, professional_b, accompanied):
        response = login(professional_b).get(
            url(accompanied), {"nature": "orientation"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fil-du-carnet"
        )

        body = response.content.decode()
        assert body.startswith('<div id="fil-du-carnet">')
        assert "Identité et coordonnées" not in body
        assert "Orienté en parcours professionnel" in body
        assert logs(accompanied, detail="fil du carnet").count() == 1

    def test_the_handover_note_is_read_on_the_timeline(self, login, professional_b, accompanied, membership_b):
        events(accompanied, 1, kind="pathway.handed_over")
        TimelineEvent.objects.filter(kind="pathway.handed_over").update(data={"note": "Rendez-vous CAF le 12."})

        assert "Rendez-vous CAF le 12." in text(login(professional_b).get(url(accompanied)))


def test_a_thousand_events_cost_no_more_queries_than_five(login, professional_b, accompanied, followed):
    """The carnet reads a bounded number of rows whatever the size of the person's file."""
    client = login(professional_b)
    events(accompanied, 5)
    client.get(url(accompanied))  # The session and the referential are warm.
    with CaptureQueriesContext(connection) as few:
        response = client.get(url(accompanied))
    assert response.status_code == 200

    events(accompanied, 995)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(accompanied))
    filtered_queries = CaptureQueriesContext(connection)
    with filtered_queries:
        client.get(url(accompanied), {"nature": "informations-de-la-personne", "page": 30})

    assert response.context["events"].paginator.count > 1000
    assert len(many) == len(few)
    assert len(filtered_queries) == len(few)
    assert len(few) <= 19, "\n".join(query["sql"] for query in few.captured_queries)


def test_an_orientation_manager_reads_the_carnet_within_the_same_bound(login, orientation_manager, accompanied):
    client = login(orientation_manager)
    client.get(url(accompanied))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(accompanied))

    assert response.status_code == 200
    assert len(queries) <= 19, "\n".join(query["sql"] for query in queries.captured_queries)
