"""The common diagnostic: built from the referential, versioned, proposing an orientation, keeping health
and RQTH answers to the narrow circle, and keeping its own referential version when a new one is published."""

import copy
import importlib

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from entry import actions
from entry.models import Diagnostic, DiagnosticReferential, Orientation
from entry.referential import load_referential, validate_referential
from entry.referential_store import current_referential, publish, referential_version
from pathway import actions as pathway_actions
from tests.entry.factories import DiagnosticFactory, answers
from tests.entry.posts import REFERENTIAL, checked, diagnostic_data, selected
from tests.factories import MembershipFactory
from tests.pages import text

pytestmark = pytest.mark.django_db

HEALTH_SITUATION = "Problème de santé déclaré entraînant des absences régulières"
HEALTH_COMMENT = "Suivi en cardiologie"
FIRST = diagnostic_data(
    situation={"recent_activity": "worked_last_24_months", "aspiration": "quick_return_to_work", "boe": "yes"},
    comments="Rencontrée à l'agence.",
    housing=("fort", ["no_accommodation"], "Hébergée chez une amie"),
    health=("moyen", ["health_regular_absences"], HEALTH_COMMENT),
)


def edit_url(person):
    return reverse("entry:diagnostic_edit", args=[person.public_id])


def detail_url(diagnostic):
    return reverse("entry:diagnostic_detail", args=[diagnostic.person.public_id, diagnostic.public_id])


@pytest.fixture
def first(login, professional_a, followed):
    response = login(professional_a).post(edit_url(followed), FIRST)
    assert response.status_code == 302, text(response)
    return Diagnostic.objects.get(person=followed, number=1)


def test_the_form_is_built_from_the_referential(login, professional_a, followed):
    response = login(professional_a).get(edit_url(followed))

    page = text(response)
    assert "Premier diagnostic de cette personne." in page
    assert f"version {REFERENTIAL['version']} du référentiel" in page
    for theme in REFERENTIAL["barriers"]:
        assert theme["label"] in page
        assert checked(response, f"level_{theme['key']}", "non_aborde")
        for situation in theme["situations"]:
            assert situation["label"] in page
    for question in REFERENTIAL["professional_situation"]:
        assert question["label"] in page
    assert "Santé (donnée sensible)" in page


def test_posting_answers_records_diagnostic_1_and_its_proposal(
    login, professional_a, structure_a, followed, first, client
):
    assert (first.done_by, first.structure, first.referential_version, first.previous) == (
        professional_a,
        structure_a,
        REFERENTIAL["version"],
        None,
    )
    assert first.answers["barriers"]["housing"] == {"level": "fort", "situations": ["no_accommodation"]}
    assert first.answers["barriers"]["mobility"] == {"level": "non_aborde", "situations": []}
    assert first.comments == "Rencontrée à l'agence."
    assert first.theme_comments == {"housing": "Hébergée chez une amie"}
    orientation = Orientation.objects.get(person=followed)
    assert (orientation.status, orientation.proposed_pathway, orientation.diagnostic) == (
        Orientation.Status.PROPOSED,
        "socio_professional",
        first,
    )
    assert not orientation.is_reorientation
    page = text(client.get(reverse("entry:person_detail", args=[followed.public_id])))
    assert "Diagnostic enregistré. Orientation proposée : parcours socio-professionnel." in page
    assert "Orientation proposée : parcours socio-professionnel Pourquoi :" in page
    assert "Freins forts : logement" in page
    assert "Version n° 1 du" in page


def test_health_and_rqth_answers_are_stored_apart(first):
    assert "health" not in first.answers["barriers"]
    assert "boe" not in first.answers["professional_situation"]
    assert first.sensitive_answers == {
        "professional_situation": {"boe": "yes"},
        "barriers": {"health": {"level": "moyen", "situations": ["health_regular_absences"]}},
    }
    assert first.sensitive_theme_comments == {"health": HEALTH_COMMENT}
    assert HEALTH_COMMENT not in str(first.theme_comments) + first.comments
    assert first.proposal_sensitive


def test_a_second_diagnostic_starts_from_the_first(first, client, followed):
    form = client.get(edit_url(followed))

    assert "Cette mise à jour part de la version n° 1" in text(form)
    assert checked(form, "level_housing", "fort")
    assert checked(form, "situations_housing", "no_accommodation")
    assert not checked(form, "situations_housing", "must_leave_housing")
    assert checked(form, "level_health", "moyen")
    assert checked(form, "level_mobility", "non_aborde")
    assert selected(form, "q_recent_activity") == "worked_last_24_months"
    assert selected(form, "q_boe") == "yes"
    assert "Hébergée chez une amie" in form.content.decode()

    data = {**FIRST, "level_housing": "moyen", "situations_housing": ["hosted_by_third_party"]}
    client.post(edit_url(followed), data)

    second = Diagnostic.objects.get(person=followed, number=2)
    assert second.previous == first
    assert second.answers["barriers"]["housing"] == {"level": "moyen", "situations": ["hosted_by_third_party"]}
    orientation = Orientation.objects.get(person=followed)
    assert (orientation.diagnostic, orientation.proposed_pathway) == (second, "socio_professional")
    history = text(client.get(reverse("entry:diagnostic_history", args=[followed.public_id])))
    assert "n° 2" in history and "n° 1" in history
    assert history.index("n° 2") < history.index("n° 1")


def test_situations_ticked_on_a_theme_not_addressed_are_refused(login, professional_a, followed):
    data = {
        **FIRST,
        "level_mobility": "non_aborde",
        "situations_mobility": ["no_means_of_transport"],
        "comment_mobility": "Pas de voiture",
    }

    response = login(professional_a).post(edit_url(followed), data)

    page = text(response)
    assert "Le diagnostic n'est pas enregistré" in page
    assert "« Mobilité » : des situations sont cochées alors que le thème est « non abordé »." in page
    assert not Diagnostic.objects.exists()
    assert not Orientation.objects.exists()
    assert checked(response, "situations_mobility", "no_means_of_transport")
    assert checked(response, "level_housing", "fort")
    assert checked(response, "situations_housing", "no_accommodation")
    assert selected(response, "q_boe") == "yes"
    assert "Pas de voiture" in response.content.decode()
    assert "Rencontrée à l&#x27;agence." in response.content.decode()


def test_incoherent_activity_answers_are_refused(login, professional_a, followed):
    data = {**FIRST, "q_time_out_of_work": "more_than_24_months"}

    response = login(professional_a).post(edit_url(followed), data)

    assert "Réponses incohérentes" in text(response)
    assert not Diagnostic.objects.exists()


class TestSensitiveAnswers:
    @pytest.fixture
    def granted(self, first, followed, membership_b, manager):
        request = pathway_actions.request_access(followed, by=membership_b, reason="Accompagnement vers l'emploi.")
        pathway_actions.answer_access_request(request, by=manager, grant=True)
        return membership_b

    def test_a_team_member_of_another_structure_sees_information_sensible(self, granted, login, first):
        response = login(granted.user).get(detail_url(first))

        page, body = text(response), response.content.decode()
        assert response.status_code == 200
        assert "Santé information sensible" in page
        assert "Bénéficiaire de l'obligation d'emploi des travailleurs handicapés (BOE) information sensible" in page
        assert HEALTH_SITUATION not in page
        assert HEALTH_COMMENT not in body
        assert "Sans hébergement" in page
        assert "Ces raisons mentionnent des informations de santé ou de handicap" in page

    def test_the_author_and_their_structure_see_them(self, granted, login, first, professional_a, followed, manager):
        colleague = MembershipFactory(structure=first.structure)
        request = pathway_actions.request_access(followed, by=colleague, reason="Relais pendant un congé.")
        pathway_actions.answer_access_request(request, by=manager, grant=True)

        for user in (professional_a, colleague.user):
            page = text(login(user).get(detail_url(first)))
            assert f"Santé Moyen {HEALTH_SITUATION} {HEALTH_COMMENT}" in page
            assert "Bénéficiaire de l'obligation d'emploi des travailleurs handicapés (BOE) Oui" in page
            assert "Freins forts : logement" in page

    def test_the_referent_sees_them(self, granted, login, first, followed, manager):
        actions.decide_orientation(
            Orientation.objects.get(person=followed),
            by=manager,
            pathway_type="socio_professional",
            referent_structure=granted.structure,
            referent=granted,
            reason="",
        )

        page = text(login(granted.user).get(detail_url(first)))

        assert f"Santé Moyen {HEALTH_SITUATION} {HEALTH_COMMENT}" in page
        assert "Bénéficiaire de l'obligation d'emploi des travailleurs handicapés (BOE) Oui" in page

    def test_the_update_form_does_not_show_them_outside_the_circle(self, granted, login, followed):
        response = login(granted.user).get(edit_url(followed))

        body = response.content.decode()
        assert checked(response, "level_housing", "fort")
        # Neither shown nor offered blank: what cannot be seen cannot be overwritten either.
        for field in ("level_health", "situations_health", "comment_health", "q_boe"):
            assert f'name="{field}"' not in body, field
        assert HEALTH_COMMENT not in body and HEALTH_SITUATION not in body
        assert (
            "Les réponses sensibles (santé, handicap) de la version n° 1 ne vous sont pas visibles : elles sont "
            "reprises telles quelles dans la nouvelle version, et l'orientation proposée en tient compte."
        ) in text(response)

    def test_a_new_version_by_the_partner_keeps_them_and_the_proposal_they_make(
        self, login, professional_a, membership_b, followed, manager
    ):
        """Health weighs on the proposal: a partner who cannot see it must not change the proposal by saving."""
        client_a = login(professional_a)
        health_only = diagnostic_data(
            situation={
                "recent_activity": "never_worked",
                "qualification_level": "no_diploma",
                "aspiration": "project_to_build",
                "boe": "yes",
            },
            health=("fort", ["health_regular_absences"], HEALTH_COMMENT),
        )
        assert client_a.post(edit_url(followed), health_only).status_code == 302
        first = Diagnostic.objects.get(person=followed, number=1)
        assert first.proposed_pathway == "social"
        request = pathway_actions.request_access(followed, by=membership_b, reason="Accompagnement vers l'emploi.")
        pathway_actions.answer_access_request(request, by=manager, grant=True)
        client_b = Client()
        client_b.force_login(membership_b.user)

        shown = client_b.get(edit_url(followed))
        # What the partner's page held, and blank health answers as an older page or a forged request sends them.
        data = {key: value for key, value in health_only.items() if "health" not in key and key != "q_boe"}
        blank = {"level_health": "non_aborde", "situations_health": [], "comment_health": "", "q_boe": ""}
        response = client_b.post(edit_url(followed), {**data, **blank, "comments": "Vue à la mission locale."})

        assert selected(shown, "q_recent_activity") == "never_worked"
        assert response.status_code == 302, text(response)
        second = Diagnostic.objects.get(person=followed, number=2)
        assert second.structure == membership_b.structure
        assert second.sensitive_answers == first.sensitive_answers
        assert second.sensitive_theme_comments == {"health": HEALTH_COMMENT}
        assert second.comments == "Vue à la mission locale."
        assert (second.proposed_pathway, second.proposal_reasons, second.proposal_sensitive) == (
            first.proposed_pathway,
            first.proposal_reasons,
            True,
        )
        assert Orientation.objects.get(person=followed, status="proposed").proposed_pathway == "social"
        # Carried over, they stay out of the partner's sight, and within the circle of the structure that wrote them.
        page_b = text(client_b.get(detail_url(second)))
        assert HEALTH_SITUATION not in page_b and HEALTH_COMMENT not in page_b
        assert "Freins forts : santé" not in page_b
        assert "Santé information sensible" in page_b
        page_a = text(client_a.get(detail_url(second)))
        assert f"Santé Fort {HEALTH_SITUATION} {HEALTH_COMMENT}" in page_a
        assert "Freins forts : santé" in page_a
        again = client_b.get(edit_url(followed)).content.decode()
        assert 'name="level_health"' not in again and HEALTH_COMMENT not in again

    def test_a_partner_may_fill_them_in_when_nothing_sensitive_was_said(
        self, login, professional_a, membership_b, followed, manager
    ):
        without_health = diagnostic_data(housing=("fort", ["no_accommodation"], ""))
        login(professional_a).post(edit_url(followed), without_health)
        request = pathway_actions.request_access(followed, by=membership_b, reason="Accompagnement vers l'emploi.")
        pathway_actions.answer_access_request(request, by=manager, grant=True)
        client_b = login(membership_b.user)

        shown = client_b.get(edit_url(followed))
        client_b.post(edit_url(followed), {**without_health, "level_health": "moyen"})

        assert checked(shown, "level_health", "non_aborde")
        second = Diagnostic.objects.get(person=followed, number=2)
        assert second.sensitive_answers["barriers"]["health"] == {"level": "moyen", "situations": []}
        assert "Santé Moyen" in text(client_b.get(detail_url(second)))


class TestReferentialVersions:
    @staticmethod
    def renamed(content):
        edited = copy.deepcopy(content)
        housing = next(theme for theme in edited["barriers"] if theme["key"] == "housing")
        housing["label"] = "Hébergement et logement"
        housing["situations"][0]["label"] = "Aucun toit"
        return edited

    def test_a_new_version_does_not_change_past_diagnostics(self, first, client, coordinator, followed):
        published = publish(self.renamed(current_referential()), coordinator, note="Logement renommé")

        first.refresh_from_db()
        assert (published.version, first.referential_version) == (3, 2)
        page = text(client.get(detail_url(first)))
        assert "Logement Fort Sans hébergement" in page
        assert "Hébergement et logement" not in page and "Aucun toit" not in page
        form = text(client.get(edit_url(followed)))
        assert "version 3 du référentiel" in form
        assert "Hébergement et logement" in form and "Aucun toit" in form
        client.post(edit_url(followed), FIRST)
        assert Diagnostic.objects.get(person=followed, number=2).referential_version == 3

    def test_the_first_publication_keeps_the_shipped_versions(self, login, professional_a, membership_a, followed):
        past = DiagnosticFactory(
            person=followed,
            number=1,
            done_by=professional_a,
            structure=membership_a.structure,
            answers=answers(housing="fort"),
        )
        shipped = referential_version(1)

        published = publish(self.renamed(shipped), professional_a)

        assert published.version == 3  # after the shipped version 2, stored on first use
        assert referential_version(1) == shipped
        assert referential_version(2) == load_referential(2)
        page = text(login(professional_a).get(detail_url(past)))
        assert "Logement Fort" in page
        assert "Hébergement et logement" not in page

    def test_a_database_holding_versions_receives_the_shipped_version_2_as_its_next(self, coordinator):
        """What the data migration does where version 1 was stored, and coordinators had published their own."""
        DiagnosticReferential.objects.create(version=1, content=load_referential(1), note="version livrée")
        edited = self.renamed(load_referential(1))
        DiagnosticReferential.objects.create(version=2, content={**edited, "version": 2}, published_by=coordinator)
        migration = importlib.import_module("entry.migrations.0008_diagnostic_referential_v2")

        migration.publish_shipped_version_2(django_apps, None)
        migration.publish_shipped_version_2(django_apps, None)  # once only

        assert list(DiagnosticReferential.objects.values_list("version", flat=True)) == [3, 2, 1]
        latest = current_referential()
        assert latest["version"] == 3
        assert validate_referential(latest) == []
        # Version 2's questions, the coordinators' situations.
        questions = {question["key"] for question in latest["professional_situation"]}
        assert {"boe", "boe_grounds"} <= questions and "rqth" not in questions
        assert latest["barriers"] == edited["barriers"]
        assert referential_version(2)["barriers"] == edited["barriers"]


class TestCarryOverFromVersion1:
    """A diagnostic answered with version 1 is updated with version 2: its answers are asked the new way."""

    @pytest.fixture
    def answered_with_version_1(self, professional_a, membership_a, followed):
        return DiagnosticFactory(
            person=followed,
            number=1,
            referential_version=1,
            done_by=professional_a,
            structure=membership_a.structure,
            answers={
                "professional_situation": {
                    "recent_activity": "worked_last_12_months",
                    "qualification_level": "no_diploma",
                    "aspiration": "quick_return_to_work",
                },
                "barriers": {"housing": {"level": "fort", "situations": []}},
            },
            sensitive_answers={"professional_situation": {"rqth": "yes"}},
        )

    def test_the_update_form_asks_them_as_version_2_does(self, login, professional_a, answered_with_version_1):
        response = login(professional_a).get(edit_url(answered_with_version_1.person))

        assert "version 2 du référentiel" in text(response)
        assert selected(response, "q_recent_activity") == "worked_last_24_months"
        assert selected(response, "q_aspiration") == "quick_return_to_work"
        assert selected(response, "q_boe") == "yes"
        assert checked(response, "q_boe_grounds", "rqth")
        # « Sans diplôme » did not say whether a qualifying training was followed: asked again.
        assert selected(response, "q_qualification_level") == ""
        assert checked(response, "level_housing", "fort")

    def test_a_partner_who_cannot_see_the_rqth_carries_it_over_as_the_obligation_d_emploi(
        self, answered_with_version_1, membership_b, followed, manager
    ):
        request = pathway_actions.request_access(followed, by=membership_b, reason="Accompagnement vers l'emploi.")
        pathway_actions.answer_access_request(request, by=manager, grant=True)
        client_b = Client()
        client_b.force_login(membership_b.user)

        response = client_b.post(
            edit_url(followed),
            diagnostic_data(
                situation={"recent_activity": "worked_last_24_months", "aspiration": "quick_return_to_work"},
                housing="fort",
            ),
        )

        assert response.status_code == 302, text(response)
        second = Diagnostic.objects.get(person=followed, number=2)
        assert second.referential_version == 2
        assert second.sensitive_answers == {"professional_situation": {"boe": "yes", "boe_grounds": ["rqth"]}}
        assert second.sensitive_author_structure_id == answered_with_version_1.structure_id
        assert second.proposal_sensitive
