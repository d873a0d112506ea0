import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Membership, Role, User
from audit.journal import history_of, log_access, log_access_many
from audit.models import AccessLog, AppendOnlyError, ChangeLog
from tests.factories import MembershipFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def access_entry(professional_a, structure_a):
    return AccessLog.objects.create(
        user=professional_a, structure=structure_a, object_type="people.person", object_id="x", action="view"
    )


@pytest.fixture
def change_entry(professional_a, structure_a):
    return ChangeLog.objects.create(
        user=professional_a, structure=structure_a, object_type="accounts.structure", object_id="x", action="update"
    )


@pytest.fixture(params=["access", "change"])
def entry(request):
    return request.getfixturevalue(f"{request.param}_entry")


class TestAppendOnly:
    def test_an_entry_cannot_be_changed(self, entry):
        entry.object_label = "falsifié"

        with pytest.raises(AppendOnlyError, match="Le journal d'audit ne peut pas être modifié."):
            entry.save()

    def test_an_entry_cannot_be_deleted(self, entry):
        with pytest.raises(AppendOnlyError, match="Le journal d'audit ne peut pas être effacé."):
            entry.delete()

    def test_entries_cannot_be_changed_in_bulk(self, entry):
        model = type(entry)
        count = model.objects.count()

        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=entry.pk).update(object_label="falsifié")
        entry.object_label = "falsifié"
        with pytest.raises(AppendOnlyError), transaction.atomic():
            model.objects.bulk_update([entry], ["object_label"])
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()

        entry.refresh_from_db()
        assert entry.object_label == ""
        assert model.objects.count() == count

    def test_the_journal_outlives_no_one_it_names(self, entry, professional_a, structure_a):
        with pytest.raises(ProtectedError):
            professional_a.delete()
        with pytest.raises(ProtectedError):
            structure_a.delete()
        assert type(entry).objects.filter(pk=entry.pk).exists()


class TestAdminIsReadOnly:
    @pytest.fixture
    def admin_client(self):
        return logged_in(UserFactory(email="technique@exemple.fr", staff=True))

    def test_lists_and_entries_can_be_read_but_not_changed(self, admin_client, entry):
        base = f"/admin-technique/audit/{type(entry)._meta.model_name}/"

        assert admin_client.get(base).status_code == 200
        page = admin_client.get(f"{base}{entry.pk}/change/")
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert admin_client.get(f"{base}add/").status_code == 403
        assert admin_client.post(f"{base}{entry.pk}/change/", {"object_label": "falsifié"}).status_code == 403
        assert admin_client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        response = admin_client.post(
            base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
        )
        assert type(entry).objects.filter(pk=entry.pk).exists()
        assert response.status_code in (200, 302)


def test_editing_a_structure_records_who_for_which_structure_and_what_changed(structure_a, structure_admin_a):
    url = reverse("accounts:structure_edit", args=[structure_a.public_id])

    logged_in(structure_admin_a).post(
        url,
        {
            "name": "France Travail Évry",
            "kind": structure_a.kind,
            "siret": structure_a.siret,
            "address": "",
            "commune": "91377",
            "email": "",
            "phone": "",
        },
    )

    entry = ChangeLog.objects.get(object_type="accounts.structure", action=ChangeLog.Action.UPDATE)
    assert entry.user == structure_admin_a
    assert entry.structure == structure_a
    assert entry.object_id == str(structure_a.public_id)
    assert entry.object_label == "France Travail Évry"
    assert entry.changes == {
        "name": ["France Travail Évry-Courcouronnes", "France Travail Évry"],
        "commune": ["91228", "91377"],
    }
    assert list(history_of(structure_a).filter(action=ChangeLog.Action.UPDATE)) == [entry]


def test_the_structure_acted_for_is_the_current_one(structure_a, structure_b, coordinator):
    # A coordinator acting for the Département edits a structure they do not belong to.
    logged_in(coordinator).post(
        reverse("accounts:structure_validate", args=[StructureFactory(pending=True).public_id])
    )

    entry = ChangeLog.objects.get(object_type="accounts.structure", action=ChangeLog.Action.UPDATE)
    assert entry.user == coordinator
    assert entry.structure == coordinator.memberships.get().structure
    assert entry.changes == {"is_validated": [False, True]}


def test_deactivating_a_member_is_recorded(structure_a, structure_admin_a, professional_a):
    membership = professional_a.memberships.get()

    logged_in(structure_admin_a).post(
        reverse("accounts:membership_toggle", args=[structure_a.public_id, membership.public_id])
    )

    entry = ChangeLog.objects.get(
        object_type="accounts.membership", object_id=str(membership.public_id), action=ChangeLog.Action.UPDATE
    )
    assert (entry.user, entry.structure) == (structure_admin_a, structure_a)
    assert entry.changes == {"is_active": [True, False]}


def test_joining_through_an_invitation_is_recorded(client, structure_a, structure_admin_a):
    client.force_login(structure_admin_a)
    client.post(
        reverse("accounts:invite", args=[structure_a.public_id]),
        {"email": "nouveau@exemple.fr", "role": "professional"},
    )
    client.logout()
    link = re.search(r"(/invitation/[\w-]+/)", mail.outbox[0].body).group(1)
    password = "Un-mot-de-passe-solide-2026"

    client.post(link, {"first_name": "Léa", "last_name": "Martin", "password1": password, "password2": password})

    newcomer = User.objects.get(email="nouveau@exemple.fr")
    membership = Membership.objects.get(user=newcomer)
    created = ChangeLog.objects.get(object_type="accounts.membership", object_id=str(membership.public_id))
    assert created.action == ChangeLog.Action.CREATE
    assert (created.user, created.structure) == (newcomer, structure_a)
    assert created.changes["role"] == [None, Role.PROFESSIONAL]
    assert created.changes["structure"] == [None, structure_a.pk]
    accepted = ChangeLog.objects.get(object_type="accounts.invitation", action=ChangeLog.Action.UPDATE)
    assert accepted.user == newcomer
    assert list(accepted.changes) == ["accepted_at"]
    # The invitation itself was recorded when sent, by the admin.
    sent = ChangeLog.objects.get(object_type="accounts.invitation", action=ChangeLog.Action.CREATE)
    assert (sent.user, sent.structure) == (structure_admin_a, structure_a)


def test_changes_made_outside_a_request_are_recorded_as_the_system(structure_a):
    structure_a.name = "Nouveau nom"
    structure_a.save()

    entry = ChangeLog.objects.get(object_type="accounts.structure", action=ChangeLog.Action.UPDATE)
    assert (entry.user, entry.structure) == (None, None)


def test_saving_without_change_records_nothing(structure_a):
    structure_a.save()
    structure_a.save(update_fields=["created_at"])

    assert not ChangeLog.objects.filter(action=ChangeLog.Action.UPDATE).exists()


def _request(user, membership):
    request = RequestFactory().get("/")
    request.user = user
    request.membership = membership
    return request


def test_log_access_records_who_for_which_structure_saw_what(structure_a, structure_b, professional_a):
    membership = professional_a.memberships.get()

    entry = log_access(_request(professional_a, membership), structure_b, detail="fiche")

    entry.refresh_from_db()
    assert entry.user == professional_a
    assert entry.structure == structure_a
    assert entry.object_type == "accounts.structure"
    assert entry.object_id == str(structure_b.public_id)
    assert entry.object_label == "Mission locale Nord Essonne"
    assert entry.action == AccessLog.Action.VIEW
    assert entry.detail == "fiche"
    assert entry.at is not None


def test_log_access_of_a_user_acting_for_no_structure(professional_a, structure_b):
    entry = log_access(_request(professional_a, None), structure_b, action=AccessLog.Action.EXPORT)
    anonymous = log_access(_request(AnonymousUser(), None), structure_b)

    assert (entry.user, entry.structure, entry.action) == (professional_a, None, AccessLog.Action.EXPORT)
    assert (anonymous.user, anonymous.structure) == (None, None)


def test_log_access_many_records_one_line_per_object_in_one_query(professional_a, django_assert_num_queries):
    structures = StructureFactory.create_batch(3)
    request = _request(professional_a, professional_a.active_memberships().get())

    with django_assert_num_queries(1):
        log_access_many(request, structures, action=AccessLog.Action.SEARCH)

    assert sorted(AccessLog.objects.values_list("object_id", flat=True)) == sorted(
        str(structure.public_id) for structure in structures
    )


def test_user_is_journalled_without_password(structure_a):
    user = MembershipFactory(structure=structure_a).user
    user.set_password("Un-autre-mot-de-passe-2026")
    user.save()

    entries = ChangeLog.objects.filter(object_type="accounts.user", object_id=str(user.public_id))
    assert entries.filter(action=ChangeLog.Action.CREATE).exists()
    assert not entries.filter(action=ChangeLog.Action.UPDATE).exists()
    assert all("password" not in entry.changes for entry in entries)
