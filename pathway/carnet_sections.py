"""The carnet's own sections: identity and contact, the pathway and its référent, the team; the follow-up: the
appointments (next and past), the contrat d'engagement, the rupture alerts, the notes, and the sharing of the carnet
with the person's right to object."""

from django.db.models import Q
from django.utils import timezone

from pathway.access import (
    can_change_status,
    can_designate_referent,
    can_draft_contract,
    can_hand_over,
    can_invite_to_first_appointment,
    can_manage_team,
    can_plan_appointment,
    can_see_person_sensitive,
    remember_team,
)
from pathway.appointment_models import Appointment
from pathway.carnet import register_section
from pathway.contract_models import EngagementContract, SocialReview
from pathway.models import PathwayType

APPOINTMENTS_SHOWN = 3


def identity(request, person, membership):
    return {"rqth_visible": can_see_person_sensitive(membership, person)}


def pathway(request, person, membership):
    pathway = person.pathway
    hand_over = pathway.is_active and can_hand_over(membership, person)
    return {
        "pathway": pathway,
        "today": timezone.localdate(),
        "can_hand_over": hand_over,
        "can_designate": pathway.is_active and not hand_over and can_designate_referent(membership, person),
        "can_change_status": can_change_status(membership, person),
    }


def team(request, person, membership):
    """The team in one query: those in it now (the référent first), and those who left."""
    members = list(
        person.pathway.team.select_related("user", "structure").order_by("-role", "started_at", "pk")
    )  # « referent » sorts after « intervenant »: descending puts the référent first.
    remember_team(person.pathway, members)
    return {
        "active": [member for member in members if member.ended_at is None],
        "former": sorted(
            (member for member in members if member.ended_at is not None),
            key=lambda member: member.ended_at,
            reverse=True,
        ),
        "can_manage": can_manage_team(membership, person),
    }


def appointments(request, person, membership):
    """The next and the last appointments (three of each, one query)."""
    now = timezone.now()
    upcoming_q = Q(status=Appointment.Status.PLANNED, starts_at__gte=now)
    past_q = Q(starts_at__lt=now) & ~Q(status=Appointment.Status.CANCELLED)
    upcoming_ids = person.appointments.filter(upcoming_q).order_by("starts_at", "pk").values("pk")[:APPOINTMENTS_SHOWN]
    past_ids = person.appointments.filter(past_q).order_by("-starts_at", "-pk").values("pk")[:APPOINTMENTS_SHOWN]
    shown = list(
        person.appointments.filter(Q(pk__in=upcoming_ids) | Q(pk__in=past_ids)).select_related(
            "professional", "structure"
        )
    )
    upcoming = sorted(
        (item for item in shown if item.starts_at >= now and item.status == Appointment.Status.PLANNED),
        key=lambda item: (item.starts_at, item.pk),
    )
    past = sorted(
        (item for item in shown if item.starts_at < now), key=lambda item: (item.starts_at, item.pk), reverse=True
    )
    can_invite = can_invite_to_first_appointment(membership, person) and not any(item.is_first for item in upcoming)
    return {
        "upcoming": upcoming,
        "past": past,
        "can_plan": can_plan_appointment(membership, person),
        "can_invite": can_invite,
    }


def contract(request, person, membership):
    """The contract in force and the one in preparation, the social review due, and whether this reader drafts."""
    pathway = person.pathway
    current, review = {}, None
    # Only an organisme référent drafts a contract: a pathway not oriented yet has none (no query).
    if pathway.referent_structure_id is not None:
        current = {
            item.status: item
            for item in pathway.contracts.filter(
                status__in=[EngagementContract.Status.DRAFT, EngagementContract.Status.SIGNED]
            )
        }
        if pathway.pathway_type == PathwayType.SOCIAL:
            review = SocialReview.objects.filter(pathway=pathway, held_on__isnull=True).first()
    return {
        "in_force": current.get(EngagementContract.Status.SIGNED),
        "draft": current.get(EngagementContract.Status.DRAFT),
        "review": review,
        "can_draft": can_draft_contract(membership, pathway),
        "today": timezone.localdate(),
    }


def alerts(request, person, membership):
    from pathway import alert_views

    return {"alert_section": alert_views.carnet_section(request, person)}


def notes(request, person, membership):
    from pathway import note_views

    return {"note_section": note_views.carnet_section(request, person)}


def sharing(request, person, membership):
    """The information given and the objections; the page shows the objection in force at its top too."""
    from pathway import objection_views

    return {"sharing_state": objection_views.carnet_section(request, person)}


def register():
    register_section(
        "identity",
        title="Identité et coordonnées",
        template="pathway/carnet/identity.html",
        context=identity,
        order=10,
    )
    register_section(
        "pathway", title="Parcours et référent", template="pathway/carnet/pathway.html", context=pathway, order=20
    )
    register_section("team", title="Équipe", template="pathway/carnet/team.html", context=team, order=30)
    register_section(
        "appointments",
        title="Rendez-vous",
        template="pathway/carnet/appointments.html",
        context=appointments,
        order=60,
        wide=True,
    )
    register_section(
        "contract",
        title="Contrat d'engagement",
        template="pathway/carnet/contract.html",
        context=contract,
        order=70,
        wide=True,
    )
    register_section(
        "alerts",
        title="Alertes de rupture",
        template="pathway/carnet/alerts.html",
        context=alerts,
        order=80,
        wide=True,
    )
    register_section("notes", title="Notes", template="pathway/carnet/notes.html", context=notes, order=90, wide=True)
    register_section(
        "sharing",
        title="Partage du carnet et droit d'opposition",
        template="pathway/carnet/sharing.html",
        context=sharing,
        order=100,
        wide=True,
    )
