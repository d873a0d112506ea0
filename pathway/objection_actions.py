"""The person's right to object to the sharing (CASF art. L263-4-1, décret 2023-188): a professional who sees the
carnet records that the person was informed, their objection, its withdrawal.

An objection narrows access at once (``pathway.access.persons_visible_to`` reads ``Person.objects_to_sharing``,
written here only, in the same transaction as the fact): only the organisme référent keeps the carnet. Withdrawing
it gives the team back its access.
"""

from django.db import transaction
from django.utils import timezone

from pathway import timeline
from pathway.access import can_record_sharing_facts
from pathway.models import SharingFact, Visibility
from people.models import Person
from relais.actions import SYSTEM, ActionError, Conflict, require, require_actor

timeline.register_kind("pathway.sharing_informed", "information sur le partage")
timeline.register_kind("pathway.sharing_objected", "opposition au partage")
timeline.register_kind("pathway.sharing_objection_withdrawn", "opposition au partage")

IN_FUTURE = "La date ne peut pas être dans le futur."
ALREADY_OBJECTING = "L'opposition de la personne est déjà enregistrée (depuis le {since:%d/%m/%Y})."
NOT_OBJECTING = "La personne ne s'oppose pas au partage : il n'y a pas d'opposition à retirer."
BEFORE_OBJECTION = "Le retrait ne peut pas précéder l'opposition, enregistrée le {since:%d/%m/%Y}."


def current_objection(person):
    """The objection in force (the latest one, when the latest objection or withdrawal is an objection), or None."""
    latest = (
        SharingFact.objects.filter(person=person, kind__in=[SharingFact.Kind.OBJECTED, SharingFact.Kind.WITHDRAWN])
        .order_by("-on", "-recorded_at", "-id")
        .first()
    )
    return latest if latest is not None and latest.kind == SharingFact.Kind.OBJECTED else None


def _fact(person, *, by, kind, on, channel, comment):
    if on > timezone.localdate():
        raise ActionError(IN_FUTURE)
    fact = SharingFact(
        person=person,
        kind=kind,
        on=on,
        channel=SharingFact.Channel(channel),
        comment=(comment or "").strip(),
        recorded_by=getattr(by, "user", None),
        recorded_for=getattr(by, "structure", None),
    )
    fact.save()
    return fact


def _locked_person(person, by):
    """The person's row, locked: two objections recorded at once cannot both pass the check."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    require(by is SYSTEM or can_record_sharing_facts(by, locked))
    return locked


def record_information(person, *, by, on, channel, comment=""):
    """The person was told how their carnet is shared and that they may object (the letter, an interview…)."""
    require_actor(by)
    with transaction.atomic():
        locked = _locked_person(person, by)
        fact = _fact(locked, by=by, kind=SharingFact.Kind.INFORMED, on=on, channel=channel, comment=comment)
        timeline.record(
            locked,
            kind="pathway.sharing_informed",
            by=by,
            summary=f"Personne informée du partage et de son droit d'opposition ({fact.get_channel_display()}, "
            f"le {on:%d/%m/%Y})",
            visibility=Visibility.PERSON,
            obj=fact,
        )
    return fact


def record_objection(person, *, by, on, channel, comment=""):
    """The person objects to the sharing: from now on, only their organisme référent sees the carnet."""
    require_actor(by)
    with transaction.atomic():
        locked = _locked_person(person, by)
        current = current_objection(locked)
        if locked.objects_to_sharing or current is not None:
            raise Conflict(ALREADY_OBJECTING.format(since=current.on if current else on))
        fact = _fact(locked, by=by, kind=SharingFact.Kind.OBJECTED, on=on, channel=channel, comment=comment)
        locked.objects_to_sharing = True
        locked.save(update_fields=["objects_to_sharing"])
        timeline.record(
            locked,
            kind="pathway.sharing_objected",
            by=by,
            summary=f"La personne s'oppose au partage de son carnet ({fact.get_channel_display()}, le {on:%d/%m/%Y}) "
            ": seul l'organisme référent y a désormais accès",
            visibility=Visibility.PERSON,
            obj=fact,
        )
    return fact


def withdraw_objection(person, *, by, on, channel, comment=""):
    """The person withdraws their objection: the team sees the carnet again."""
    require_actor(by)
    with transaction.atomic():
        locked = _locked_person(person, by)
        current = current_objection(locked)
        if not locked.objects_to_sharing or current is None:
            raise Conflict(NOT_OBJECTING)
        if on < current.on:
            raise ActionError(BEFORE_OBJECTION.format(since=current.on))
        fact = _fact(locked, by=by, kind=SharingFact.Kind.WITHDRAWN, on=on, channel=channel, comment=comment)
        locked.objects_to_sharing = False
        locked.save(update_fields=["objects_to_sharing"])
        timeline.record(
            locked,
            kind="pathway.sharing_objection_withdrawn",
            by=by,
            summary=f"La personne retire son opposition au partage ({fact.get_channel_display()}, le {on:%d/%m/%Y})",
            visibility=Visibility.PERSON,
            obj=fact,
        )
    return fact
