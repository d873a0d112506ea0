import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLog, ChangeLog
from tests.factories import MembershipFactory
from tests.pages import text

pytestmark = pytest.mark.django_db

ACCESS_URL = reverse("audit:access_log")
CHANGE_URL = reverse("audit:change_log")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def accesses(count, user, structure, object_type="people.person"):
    AccessLog.objects.bulk_create(
        AccessLog(
            user=user,
            structure=structure,
            object_type=object_type,
            object_id=f"id-{index}",
            object_label=f"Dossier {index}",
            action=AccessLog.Action.VIEW,
        )
        for index in range(count)
    )


@pytest.fixture
def journal(structure_a, structure_b, professional_a, professional_b):
    accesses(3, professional_a, structure_a)
    accesses(2, professional_b, structure_b)
    accesses(1, professional_b, structure_b, object_type="accounts.structure")


def shown(response):
    return [(entry.user.email, entry.structure.name, entry.object_type) for entry in response.context["page"]]


def test_coordinator_reads_every_access(coordinator, journal):
    response = logged_in(coordinator).get(ACCESS_URL)

    assert response.status_code == 200
    assert "6 accès." in text(response)
    assert "Dossier 0" in text(response)


def test_filter_by_user_email(coordinator, journal):
    response = logged_in(coordinator).get(ACCESS_URL, {"utilisateur": "PRO.A@"})

    assert {row[0] for row in shown(response)} == {"pro.a@exemple.fr"}
    assert len(shown(response)) == 3
    assert 'value="PRO.A@"' in response.content.decode()  # the filter stays filled in


def test_filter_by_structure(coordinator, journal, structure_b):
    response = logged_in(coordinator).get(ACCESS_URL, {"structure": str(structure_b.public_id)})

    assert {row[1] for row in shown(response)} == {"Mission locale Nord Essonne"}
    assert len(shown(response)) == 3
    assert f'value="{structure_b.public_id}" selected' in response.content.decode()


def test_filter_by_an_unknown_structure_finds_nothing(coordinator, journal):
    response = logged_in(coordinator).get(ACCESS_URL, {"structure": "pas-un-identifiant"})

    assert response.status_code == 200
    assert "Aucun accès ne correspond à ces filtres." in text(response)


def test_filter_by_object_type(coordinator, journal):
    response = logged_in(coordinator).get(ACCESS_URL, {"objet": "accounts.structure"})

    assert shown(response) == [("pro.b@exemple.fr", "Mission locale Nord Essonne", "accounts.structure")]


def test_filters_combine(coordinator, journal):
    response = logged_in(coordinator).get(ACCESS_URL, {"utilisateur": "pro.b", "objet": "people.person"})

    assert len(shown(response)) == 2


def test_change_log_filters_by_object_type_and_user(coordinator, structure_a, structure_admin_a):
    logged_in(structure_admin_a).post(
        reverse("accounts:invite", args=[structure_a.public_id]),
        {"email": "nouveau@exemple.fr", "role": "professional"},
    )
    client = logged_in(coordinator)

    response = client.get(CHANGE_URL, {"objet": "accounts.invitation", "utilisateur": "admin.a@exemple.fr"})

    entries = list(response.context["page"])
    assert [(entry.action, entry.object_label) for entry in entries] == [
        (ChangeLog.Action.CREATE, "Invitation de nouveau@exemple.fr dans France Travail Évry-Courcouronnes")
    ]
    page = text(response)
    assert "adresse électronique : (vide) → nouveau@exemple.fr" in page  # the field by its French label
    assert "structure : (vide) → France Travail Évry-Courcouronnes" in page  # a name, not an id
    assert "rôle : (vide) → professionnel" in page  # the choice by its label
    # The filter offers every journalled object type, by its French name.
    assert '<option value="accounts.invitation" selected>invitation</option>' in response.content.decode()


def test_journal_is_paginated_and_pages_keep_the_filters(coordinator, professional_a, structure_a):
    accesses(60, professional_a, structure_a)
    client = logged_in(coordinator)

    first = client.get(ACCESS_URL, {"utilisateur": "pro.a"})
    second = client.get(ACCESS_URL, {"utilisateur": "pro.a", "page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 10
    assert "Page 1 sur 2" in text(first)
    assert "?utilisateur=pro.a&amp;page=2" in first.content.decode()
    # Most recent first.
    assert first.context["page"][0].pk > second.context["page"][0].pk


def test_only_coordinators_read_the_journal(structure_admin_a, orientation_manager, journal):
    for user in (structure_admin_a, orientation_manager):
        client = logged_in(user)
        assert client.get(ACCESS_URL).status_code == 403
        assert client.get(CHANGE_URL).status_code == 403


@pytest.mark.parametrize("count", [5, 60])
@pytest.mark.parametrize("url", [ACCESS_URL, CHANGE_URL])
def test_journal_query_count_is_bounded(django_assert_max_num_queries, coordinator, structure_a, count, url):
    for membership in MembershipFactory.create_batch(count, structure=structure_a):
        accesses(1, membership.user, structure_a)
    client = logged_in(coordinator)

    # The change history also names the records its changes point to: one query per type of record, at most.
    with django_assert_max_num_queries(10 if url == ACCESS_URL else 14):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["page"]) >= min(count, 50)
