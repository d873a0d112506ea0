"""Nothing typed is lost: the diagnostic in progress is a server-side draft, kept by autosave and by a submit after
the session expired; only its author reads it; recording the diagnostic deletes it."""

import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY
from entry import drafts
from entry.models import Diagnostic, DiagnosticDraft
from people.merge import merge_persons
from tests.entry.posts import diagnostic_data
from tests.factories import MembershipFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def edit_url(person):
    return reverse("entry:diagnostic_edit", args=[person.public_id])


def draft_url(person):
    return reverse("entry:diagnostic_draft", args=[person.public_id])


def typed():
    return diagnostic_data(
        comments="Rencontrée le matin, très motivée", housing=("moyen", [], "Hébergée chez sa sœur")
    )


def test_autosave_keeps_the_draft_and_the_form_restores_it(client, login, professional_a, followed):
    login(professional_a)
    response = client.post(draft_url(followed), typed(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Brouillon enregistré à" in text(response)
    draft = DiagnosticDraft.objects.get(person=followed, author=professional_a)
    assert draft.data["comments"] == ["Rencontrée le matin, très motivée"]
    assert "csrfmiddlewaretoken" not in draft.data
    page = client.get(edit_url(followed))
    body = page.content.decode()
    assert "Brouillon du" in text(page)
    assert "Rencontrée le matin, très motivée" in body
    assert "Hébergée chez sa sœur" in body
    assert page.context["form"]["level_housing"].value() == "moyen"


def test_only_the_author_reads_the_draft(client, login, professional_a, membership_a, followed):
    login(professional_a)
    client.post(draft_url(followed), typed())
    colleague = MembershipFactory(structure=membership_a.structure)
    followed.pathway.team.create(user=colleague.user, structure=colleague.structure, role="intervenant")
    login(colleague.user)
    page = client.get(edit_url(followed))
    assert page.status_code == 200
    assert "Rencontrée le matin" not in page.content.decode()
    assert page.context["draft"] is None


def test_recording_the_diagnostic_deletes_the_author_s_draft(client, login, professional_a, followed):
    login(professional_a)
    client.post(draft_url(followed), typed())
    response = client.post(edit_url(followed), typed())
    assert response.status_code == 302
    assert Diagnostic.objects.filter(person=followed).count() == 1
    assert not DiagnosticDraft.objects.filter(person=followed).exists()


def test_an_invalid_submit_keeps_the_draft(client, login, professional_a, followed):
    login(professional_a)
    data = typed()
    data["level_housing"] = "inconnu"
    response = client.post(edit_url(followed), data)
    assert response.status_code == 200
    assert DiagnosticDraft.objects.get(person=followed, author=professional_a).data["level_housing"] == ["inconnu"]


def test_a_submit_after_the_session_expired_is_kept_and_found_after_logging_in(
    client, login, professional_a, membership_a, followed
):
    login(professional_a)
    token = client.get(edit_url(followed)).context["draft_token"]
    client.logout()  # the session expired meanwhile
    data = {**typed(), drafts.TOKEN_FIELD: token}
    response = client.post(edit_url(followed), data)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "next=" in response.url
    assert not Diagnostic.objects.filter(person=followed).exists()
    assert DiagnosticDraft.objects.get(person=followed, author=professional_a).data["comments"] == [
        "Rencontrée le matin, très motivée"
    ]
    login_page = text(client.get(response.url))
    assert "gardé en brouillon" in login_page
    assert "recommencez" not in login_page
    login(professional_a)
    page = client.get(edit_url(followed))
    assert "Rencontrée le matin, très motivée" in page.content.decode()


def test_an_expired_autosave_keeps_the_draft_and_says_so(client, login, professional_a, followed):
    login(professional_a)
    token = client.get(edit_url(followed)).context["draft_token"]
    client.logout()
    response = client.post(draft_url(followed), {**typed(), drafts.TOKEN_FIELD: token}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "session a expiré" in text(response)
    assert DiagnosticDraft.objects.filter(person=followed, author=professional_a).exists()


def test_without_a_valid_token_an_expired_submit_keeps_nothing(client, login, professional_a, followed):
    other = PersonFactory(followed_by=None)
    login(professional_a)
    token_for_other_person = drafts.issue_token(professional_a.memberships.get(), other)
    client.logout()
    for token in ("", "falsifié", token_for_other_person):
        response = client.post(edit_url(followed), {**typed(), drafts.TOKEN_FIELD: token})
        assert response.status_code == 302
    assert not DiagnosticDraft.objects.exists()


def test_an_expired_submit_keeps_nothing_for_an_author_who_lost_access(client, login, professional_a, followed):
    login(professional_a)
    token = client.get(edit_url(followed)).context["draft_token"]
    client.logout()
    membership = professional_a.memberships.get()
    membership.is_active = False
    membership.save()
    client.post(edit_url(followed), {**typed(), drafts.TOKEN_FIELD: token})
    assert not DiagnosticDraft.objects.exists()


def test_the_draft_can_be_discarded(client, login, professional_a, followed):
    login(professional_a)
    client.post(draft_url(followed), typed())
    response = client.post(draft_url(followed), {"action": "abandonner"})
    assert response.status_code == 302
    assert not DiagnosticDraft.objects.exists()


def test_the_page_warns_before_the_session_expires_and_the_session_can_be_extended(
    client, login, professional_a, followed, settings
):
    login(professional_a)
    page = client.get(edit_url(followed)).content.decode()
    assert 'id="session-warning"' in page
    assert f'data-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in page
    assert 'data-warn-seconds="300"' in page
    assert "relais/session.js" in page
    session = client.session
    session[LAST_SEEN_KEY] = 0
    session.save()
    response = client.post(reverse("accounts:extend_session"))
    assert response.status_code == 200
    assert response.json() == {"expires_in": settings.SESSION_COOKIE_AGE}
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5


def test_a_draft_follows_a_merge(membership_a, coordinator):
    from entry import actions

    survivor, merged = PersonFactory(followed_by=membership_a), PersonFactory(followed_by=membership_a)
    actions.save_diagnostic_draft(merged, by=membership_a, data={"comments": ["brouillon"]})
    merge_persons(survivor=survivor, merged=merged, by=coordinator.memberships.get())
    assert DiagnosticDraft.objects.get().person == survivor
