"""A structure's services: described with the national data·inclusion lists, managed by its admins only,
published, suspended between two dates, confirmed, archived; bad input refused in French next to the field."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserNotification
from accounts.notifications import send_digests
from audit.models import ChangeLog
from offer import actions, schema
from offer.forms import TYPED_FIELDS
from offer.models import Service, ServiceKey
from relais.actions import SYSTEM, Conflict, Forbidden
from tests.factories import MembershipFactory, StructureFactory
from tests.offer.factories import ServiceFactory
from tests.offer.posts import service_form
from tests.pages import field_error, input_value, text


@pytest.mark.django_db
class TestStructureAdminDescribesAService:
    def test_created_as_a_draft_with_the_schema_values_then_published_with_its_search_keys(
        self, login, structure_admin_a, admin_a
    ):
        client = login(structure_admin_a)
        response = client.post(reverse("offer:service_create"), service_form())

        service = Service.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("offer:service_detail", args=[service.public_id])
        assert service.structure == admin_a.structure
        assert service.status == Service.Status.DRAFT
        assert service.zone == ["200059228"]
        assert service.phone == "+33160123456"
        assert service.postcode == "91000"
        assert service.response_days == 15
        # A draft is found by nobody: it has no search key until published.
        assert not ServiceKey.objects.filter(service=service).exists()
        client.post(reverse("offer:service_change", args=[service.public_id, "publier"]))
        keys = set(ServiceKey.objects.filter(service=service).values_list("key", flat=True))
        assert {"z:200059228", "c:mobilite", "t:mobilite--preparer-un-permis", "p:jeunes", "f:gratuit"} <= keys
        assert ChangeLog.objects.filter(object_id=str(service.public_id), action=ChangeLog.Action.CREATE).exists()

    def test_the_form_offers_the_packages_lists(self, login, structure_admin_a):
        page = text(login(structure_admin_a).get(reverse("offer:service_create")))

        for member in (schema.Thematique.SANTE__SANTE_MENTALE, schema.Public.PERSONNES_EXILEES, schema.Frais.PAYANT):
            assert member.label in page
        assert schema.Categorie.SOUVRIR_A_LINTERNATIONAL.label in page

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"zone_epcis": None}, "zone_departement", "Indiquez où le service est ouvert"),
            (
                {"thematiques": ["mobilite--preparer-un-permis", "mobilite--teleporter"]},
                "thematiques",
                "Thématique inconnue du référentiel national : « mobilite--teleporter ».",
            ),
            ({"thematiques": None}, "thematiques", "Ce champ est obligatoire."),
            ({"email": "permis@"}, "email", "Cette adresse électronique n'est pas valide."),
            ({"phone": "01 60"}, "phone", "Ce numéro de téléphone n'est pas valide."),
            ({"publics": ["tous-publics", "jeunes"]}, "publics", "« Tous publics » ne se combine pas"),
            ({"commune": ""}, "commune", "Un service en présentiel a un lieu d'accueil"),
            ({"capacity": "waiting_list"}, "waiting_weeks", "Indiquez le délai d'attente"),
        ],
    )
    def test_bad_input_is_refused_next_to_the_field_and_what_was_typed_is_kept(
        self, login, structure_admin_a, overrides, field, message
    ):
        response = login(structure_admin_a).post(reverse("offer:service_create"), service_form(**overrides))

        assert response.status_code == 200
        assert message in field_error(response, field)
        assert "Le service n'est pas enregistré" in text(response)
        assert input_value(response, "name") == "Permis solidaire"
        assert not Service.objects.exists()

    def test_a_professional_of_the_structure_may_not_create_one(self, login, professional_a):
        client = login(professional_a)

        assert client.get(reverse("offer:service_create")).status_code == 403
        assert client.post(reverse("offer:service_create"), service_form()).status_code == 403
        assert not Service.objects.exists()

    def test_the_action_refuses_what_an_import_or_the_api_would_bring_wrong(self, admin_a):
        with pytest.raises(actions.ServiceInvalid) as refused:
            actions.create_service(
                by=admin_a,
                structure=admin_a.structure,
                data={
                    "name": "Atelier",
                    "description": "Un atelier",
                    "thematiques": ["sante--guerison-miraculeuse"],
                    "zone": [],
                },
            )

        assert refused.value.errors["zone"][0].startswith("Indiquez au moins une commune")
        assert refused.value.errors["thematiques"] == [
            "Thématique inconnue du référentiel national : « sante--guerison-miraculeuse »."
        ]
        assert not Service.objects.exists()

    def test_an_admin_of_another_structure_may_not_edit_it(self, login, admin_a, structure_b):
        from tests.factories import MembershipFactory

        other_admin = MembershipFactory(structure=structure_b, admin=True)
        service = ServiceFactory(structure=admin_a.structure)
        client = login(other_admin.user)

        assert client.get(reverse("offer:service_edit", args=[service.public_id])).status_code == 403
        assert client.post(reverse("offer:service_change", args=[service.public_id, "archiver"])).status_code == 403
        with pytest.raises(Forbidden):
            actions.archive_service(service, by=other_admin)
        assert Service.objects.get().status == Service.Status.PUBLISHED


@pytest.mark.django_db
class TestLifecycle:
    def test_published_then_archived(self, login, structure_admin_a, admin_a):
        service = ServiceFactory(structure=admin_a.structure, draft=True)
        client = login(structure_admin_a)

        client.post(reverse("offer:service_change", args=[service.public_id, "publier"]))
        service.refresh_from_db()
        assert service.status == Service.Status.PUBLISHED and service.published_at is not None

        client.post(reverse("offer:service_change", args=[service.public_id, "archiver"]))
        service.refresh_from_db()
        assert service.status == Service.Status.ARCHIVED and service.archived_at is not None
        changes = ChangeLog.objects.filter(object_id=str(service.public_id), action=ChangeLog.Action.UPDATE)
        assert [change.changes["status"] for change in changes.order_by("at", "pk") if "status" in change.changes] == [
            ["draft", "published"],
            ["published", "archived"],
        ]

    def test_suspended_between_two_dates(self, login, structure_admin_a, admin_a):
        service = ServiceFactory(structure=admin_a.structure)
        today = timezone.localdate()
        url = reverse("offer:service_suspend", args=[service.public_id])
        client = login(structure_admin_a)

        refused = client.post(
            url, {"start": today.isoformat(), "end": (today - datetime.timedelta(days=1)).isoformat()}
        )
        assert "La fin de la suspension doit suivre son début." in field_error(refused, "end")
        assert "La suspension n'est pas enregistrée : le formulaire contient une erreur" in text(refused)
        assert refused.content.decode().count("fr-alert--error") == 1

        client.post(
            url,
            {"start": today.isoformat(), "end": (today + datetime.timedelta(days=14)).isoformat(), "reason": "Congés"},
        )
        service.refresh_from_db()
        assert service.is_suspended(today)
        assert service.is_suspended(today + datetime.timedelta(days=14))
        assert not service.is_suspended(today + datetime.timedelta(days=15))
        assert not service.accepts_referrals

        client.post(reverse("offer:service_change", args=[service.public_id, "reprendre"]))
        service.refresh_from_db()
        assert service.accepts_referrals

    def test_the_edit_form_shows_the_service_as_saved_and_a_new_commune_brings_its_postcode(
        self, login, structure_admin_a
    ):
        client = login(structure_admin_a)
        client.post(reverse("offer:service_create"), service_form(address_complement="Bâtiment B", weeks="6"))
        service = Service.objects.get()
        url = reverse("offer:service_edit", args=[service.public_id])

        form = client.get(url).context["form"]
        # Every field the admin types comes back as saved, the zone and the version included.
        assert set(TYPED_FIELDS) <= set(form.fields)
        assert {name: form.initial[name] for name in ("name", "address_complement", "weeks", "response_days")} == {
            "name": "Permis solidaire",
            "address_complement": "Bâtiment B",
            "weeks": 6,
            "response_days": 15,
        }
        assert (form.initial["commune"], form.initial["zone_epcis"], form.initial["version"]) == (
            "91228",
            ["200059228"],
            1,
        )

        client.post(url, service_form(commune="91377", address="1 place de France", version=1))

        service.refresh_from_db()
        assert (service.commune_id, service.postcode, service.place) == (
            "91377",
            "91300",
            "1 place de France, 91300 Massy",
        )

    def test_two_admins_editing_at_once_the_second_is_told_and_keeps_what_was_typed(
        self, client, login, structure_admin_a, admin_a
    ):
        from django.test import Client

        from tests.factories import MembershipFactory

        service = ServiceFactory(structure=admin_a.structure, name="Atelier CV")
        other = MembershipFactory(structure=admin_a.structure, admin=True)
        url = reverse("offer:service_edit", args=[service.public_id])
        first = login(structure_admin_a)
        second = Client()
        second.force_login(other.user)
        version = input_value(first.get(url), "version")
        assert input_value(second.get(url), "version") == version

        saved = first.post(url, service_form(name="Atelier CV et lettre", version=version))
        refused = second.post(url, service_form(name="Atelier candidature", version=version))

        assert saved.status_code == 302
        assert refused.status_code == 200
        assert "Ce service a été modifié par quelqu'un d'autre" in text(refused)
        assert input_value(refused, "name") == "Atelier candidature"
        assert Service.objects.get().name == "Atelier CV et lettre"

    def test_an_imported_service_is_read_only(self, admin_a):
        from offer.models import ExternalStructure

        external = ExternalStructure.objects.create(
            source="dora",
            source_id="dora--1",
            name="Association X",
            updated_on=timezone.localdate(),
            structure=admin_a.structure,
        )
        service = ServiceFactory(structure=None, external_structure=external, source="dora", source_id="dora--s1")

        with pytest.raises(Forbidden, match="catalogue importé"):
            actions.update_service(service, by=admin_a, data={"name": "Autre"}, version=None)

    def test_an_unconfirmed_service_is_pointed_out_once_to_each_admin(
        self, admin_a, mailoutbox, django_capture_on_commit_callbacks
    ):
        structure = admin_a.structure
        structure.email = "accueil@ft-evry.exemple.fr"
        structure.save()
        digest_admin = MembershipFactory(structure=structure, admin=True, user__notification_frequency="daily").user
        colleague = MembershipFactory(structure=structure).user
        MembershipFactory(structure=structure, admin=True, is_active=False)
        service = ServiceFactory(structure=structure)
        Service.objects.filter(pk=service.pk).update(updated_at=timezone.now() - datetime.timedelta(days=200))
        fresh = ServiceFactory(structure=structure)

        with django_capture_on_commit_callbacks(execute=True):
            call_command("offer_deadlines", "--apply", verbosity=0)
            call_command("offer_deadlines", "--apply", verbosity=0)

        # Each admin is told through their own notifications, once: at once for who wants it so, in the daily
        # digest for the other; neither the structure's contact address nor a mere member.
        subject = f"Le service « {service.name} » est-il toujours à jour ?"
        told = UserNotification.objects.filter(subject=subject)
        assert sorted(told.values_list("user__email", flat=True)) == sorted([admin_a.user.email, digest_admin.email])
        assert set(told.values_list("url", flat=True)) == {reverse("offer:service_detail", args=[service.public_id])}
        assert "n'ont pas été confirmées depuis 6 mois" in told.first().body
        assert [(message.subject, message.to) for message in mailoutbox] == [
            (f"Relais – {subject}", [admin_a.user.email])
        ]
        assert not UserNotification.objects.filter(user=colleague).exists()
        fresh.refresh_from_db()
        assert fresh.confirmation_reminded_at is None

        send_digests()
        assert [message.to for message in mailoutbox[1:]] == [[digest_admin.email]]
        assert subject in mailoutbox[1].body

        actions.confirm_service(service, by=admin_a)
        service.refresh_from_db()
        assert service.confirmation_reminded_at is None
        assert service.updated_at > timezone.now() - datetime.timedelta(minutes=1)

    def test_a_structure_without_an_active_admin_is_told_at_its_contact_address(
        self, mailoutbox, django_capture_on_commit_callbacks
    ):
        structure = StructureFactory(email="accueil@asso.exemple.fr")
        MembershipFactory(structure=structure)
        service = ServiceFactory(structure=structure)
        Service.objects.filter(pk=service.pk).update(updated_at=timezone.now() - datetime.timedelta(days=200))

        with django_capture_on_commit_callbacks(execute=True):
            call_command("offer_deadlines", "--apply", verbosity=0)

        [message] = mailoutbox
        assert message.to == ["accueil@asso.exemple.fr"]
        assert message.subject == f"Le service « {service.name} » est-il toujours à jour ?"
        assert not UserNotification.objects.exists()

    def test_a_stale_version_is_refused_by_the_action_itself(self, admin_a):
        service = ServiceFactory(structure=admin_a.structure, name="Atelier")
        stale = Service.objects.get(pk=service.pk)
        actions.update_service(service, by=SYSTEM, data={"name": "Atelier collectif"}, version=service.version)

        with pytest.raises(Conflict):
            actions.update_service(stale, by=admin_a, data={"name": "Atelier perdu"}, version=stale.version)


@pytest.mark.django_db
def test_the_detail_says_where_it_is_open_and_how_to_mobilise_it(login, professional_b, admin_a):
    service = ServiceFactory(
        structure=admin_a.structure,
        zone=["91", "200059228", "91377", "75056"],
        phone="+33160123456",
        weekly_hours="3.5",
        weeks=6,
        response_days=15,
    )

    page = text(login(professional_b).get(reverse("offer:service_detail", args=[service.public_id])))

    assert "Ouvert à tout le département Essonne, CA Grand Paris Sud Seine Essonne Sénart, Massy, code 75056" in page
    assert "01 60 12 34 56" in page
    assert "3,5 h par semaine, 6 semaines" in page
    assert "sous 15 jours" in page
    assert "Modifier" not in page
