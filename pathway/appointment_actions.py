"""Appointments: one action per state change (see ``relais.actions``).

- ``plan_appointment`` writes *planned* (an appointment to come); ``record_past_appointment`` records one that
  already took place, then its attendance through the action of that status;
- ``mark_honoured``, ``mark_missed``, ``mark_excused``, ``cancel_appointment``: each writes its own status;
- ``reschedule_appointment`` moves a planned appointment; ``send_invitation`` sends the person the link to answer;
  ``invite_to_first_appointment`` is the organisme référent's first appointment after an orientation;
- ``confirm_by_person`` and ``ask_other_time``: the person's answer through the link (the token is the authority);
- ``send_reminders``: the daily reminder (command ``send_appointment_reminders`` or the task queue).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import dateformat, timezone

from accounts.models import Membership
from pathway import timeline
from pathway.access import (
    appointment_professionals,
    can_invite_to_first_appointment,
    can_manage_appointment,
    can_plan_appointment,
)
from pathway.appointment_models import Appointment, AppointmentInvitation, token_digest
from pathway.appointment_notify import (
    deliver_cancellation,
    deliver_invitation,
    deliver_reminder,
    person_channels,
    tell_professional,
)
from pathway.models import Pathway, Visibility
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor

MAX_DURATION = timedelta(hours=8)
HORIZON = timedelta(days=366)
# A person told of their appointment this recently (the invitation) gets no reminder on top of it.
RECENTLY_TOLD = timedelta(hours=20)
FIRST_APPOINTMENT_PURPOSE = "Premier rendez-vous d'accompagnement"

PLANNED = "pathway.appointment_planned"
HONOURED = "pathway.appointment_honoured"
MISSED = "pathway.appointment_missed"
EXCUSED = "pathway.appointment_excused"
CANCELLED = "pathway.appointment_cancelled"
MOVED = "pathway.appointment_moved"
INVITED = "pathway.appointment_invited"
CONFIRMED = "pathway.appointment_confirmed"
OTHER_TIME = "pathway.appointment_other_time"
REMINDED = "pathway.appointment_reminded"

# The timeline's kinds and their French labels (registered in pathway/apps.py).
KINDS = {
    PLANNED: "Rendez-vous prévu",
    HONOURED: "Rendez-vous honoré",
    MISSED: "Rendez-vous non honoré",
    EXCUSED: "Rendez-vous excusé",
    CANCELLED: "Rendez-vous annulé",
    MOVED: "Rendez-vous déplacé",
    INVITED: "Invitation à un rendez-vous",
    CONFIRMED: "Rendez-vous confirmé par la personne",
    OTHER_TIME: "Autre horaire demandé par la personne",
    REMINDED: "Rappel de rendez-vous",
}

CHANNEL_WORDS = {"email": "courriel", "sms": "SMS"}


class AppointmentError(ActionError):
    """A refusal about one input; ``field`` (starts_at, ends_at, mode, place, purpose, professional) places it."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class LinkRefused(ActionError):
    """The person's link does not serve (used, replaced, expired, or the appointment is off)."""


class UnknownLink(LinkRefused):
    """No invitation has this token (mistyped, cut, or made up)."""


def when(moment):
    """« 12/03/2026 à 10h00 », in Europe/Paris."""
    return dateformat.format(timezone.localtime(moment), r"d/m/Y \à H\hi")


def hour(moment):
    return dateformat.format(timezone.localtime(moment), r"H\hi")


def channels_words(channels):
    return " et ".join(CHANNEL_WORDS[channel] for channel in channels)


def problems(*, starts_at, ends_at, mode, place, purpose, took_place=False, now=None):
    """Every refusal the inputs deserve, each for its field (the form shows them all; the action raises the first)."""
    now = now or timezone.now()
    found = []
    if not (purpose or "").strip():
        found.append(AppointmentError("Indiquez l'objet du rendez-vous.", "purpose"))
    if mode not in Appointment.Mode.values:
        found.append(AppointmentError("Choisissez sur place, par téléphone ou en visioconférence.", "mode"))
    elif mode == Appointment.Mode.IN_PERSON and not (place or "").strip():
        found.append(AppointmentError("Indiquez l'adresse du rendez-vous sur place.", "place"))
    if starts_at is None or ends_at is None:
        found.append(AppointmentError("Indiquez la date, l'heure de début et l'heure de fin.", "starts_at"))
        return found
    if ends_at <= starts_at:
        found.append(AppointmentError("L'heure de fin doit être après l'heure de début.", "ends_at"))
    elif ends_at - starts_at > MAX_DURATION:
        found.append(AppointmentError("Un rendez-vous dure au plus 8 heures : vérifiez l'heure de fin.", "ends_at"))
    if took_place:
        if starts_at > now:
            found.append(
                AppointmentError(
                    "Un rendez-vous qui a eu lieu a une date passée. Pour un rendez-vous à venir, décochez "
                    "« Le rendez-vous a déjà eu lieu ».",
                    "starts_at",
                )
            )
        elif starts_at < now - HORIZON:
            found.append(AppointmentError("Cette date remonte à plus d'un an : vérifiez l'année.", "starts_at"))
    elif starts_at < now:
        found.append(
            AppointmentError(
                "Cette date est passée : un rendez-vous se prévoit à venir. Pour enregistrer un rendez-vous qui a "
                "eu lieu, cochez « Le rendez-vous a déjà eu lieu ».",
                "starts_at",
            )
        )
    elif starts_at > now + HORIZON:
        found.append(AppointmentError("Cette date est à plus d'un an : vérifiez l'année.", "starts_at"))
    return found


def _check(**inputs):
    found = problems(**inputs)
    if found:
        raise found[0]


def _open_pathway(person):
    pathway = Pathway.objects.select_for_update().filter(person=person).first()
    if pathway is None or not pathway.is_active:
        raise AppointmentError("Ce parcours est clos : rouvrez-le avant de prévoir un rendez-vous.")
    return pathway


def _professional(person, by, professional):
    """The membership the appointment is with: the acting professional by default, else one of the team."""
    if professional is None:
        if by is SYSTEM:
            raise AppointmentError("Indiquez avec quel professionnel.", "professional")
        professional = by
    reference = professional if by is SYSTEM else by
    if not appointment_professionals(person, reference).filter(pk=professional.pk).exists():
        raise AppointmentError(
            "Ce professionnel ne fait pas partie de l'équipe de la personne ni de son organisme référent.",
            "professional",
        )
    return professional


def _check_free(person, professional, starts_at, ends_at, exclude=None):
    """Nobody booked twice: the professional's bookings are serialised on their membership row."""
    Membership.objects.select_for_update().filter(pk=professional.pk).first()
    overlapping = Appointment.objects.filter(
        status=Appointment.Status.PLANNED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exclude(pk=exclude)
    clash = overlapping.filter(professional_id=professional.user_id).order_by("starts_at").first()
    if clash is not None:
        raise AppointmentError(
            f"{professional.user} a déjà un rendez-vous de {hour(clash.starts_at)} à {hour(clash.ends_at)} "
            f"le {dateformat.format(timezone.localtime(clash.starts_at), 'd/m/Y')} : choisissez un autre horaire.",
            "starts_at",
        )
    clash = overlapping.filter(person=person).order_by("starts_at").first()
    if clash is not None:
        raise AppointmentError(
            f"La personne a déjà un rendez-vous de {hour(clash.starts_at)} à {hour(clash.ends_at)} ce jour-là : "
            "choisissez un autre horaire.",
            "starts_at",
        )


def _where(mode, place):
    label = Appointment.Mode(mode).label
    return f"{label}, {place}" if place and mode == Appointment.Mode.IN_PERSON else label


def _create(person, *, by, professional, starts_at, ends_at, mode, place, purpose, is_first=False):
    """The one writer of *planned*: a new appointment, on the timeline, the professional told if not the author."""
    appointment = Appointment(
        person=person,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        place=(place or "").strip(),
        purpose=purpose.strip(),
        professional=professional.user,
        structure=professional.structure,
        is_first=is_first,
        created_by=by.user,
        created_for=by.structure,
    )
    appointment.status = Appointment.Status.PLANNED
    appointment.save()
    first = "Premier rendez-vous" if is_first else "Rendez-vous"
    timeline.record(
        person,
        kind=PLANNED,
        by=by,
        summary=f"{first} le {when(starts_at)} avec {professional.user} ({professional.structure}), "
        f"{_where(mode, appointment.place)}",
        visibility=Visibility.PERSON,
        obj=appointment,
    )
    if professional.user_id != by.user_id:
        after_commit(tell_professional, appointment.pk, "planned")
    return appointment


def _plan(person, *, by, starts_at, ends_at, mode, purpose, place, professional, is_first):
    require_actor(by)
    require(by is SYSTEM or can_plan_appointment(by, person))
    _check(starts_at=starts_at, ends_at=ends_at, mode=mode, place=place, purpose=purpose)
    _open_pathway(person)
    professional = _professional(person, by, professional)
    _check_free(person, professional, starts_at, ends_at)
    return _create(
        person,
        by=by,
        professional=professional,
        starts_at=starts_at,
        ends_at=ends_at,
        mode=mode,
        place=place,
        purpose=purpose,
        is_first=is_first,
    )


def plan_appointment(person, *, by, starts_at, ends_at, mode, purpose, place="", professional=None, invite=False):
    """Plan an appointment to come, with ``professional`` (a membership; the actor by default); ``invite`` sends
    the person the invitation with the link to answer."""
    with transaction.atomic():
        appointment = _plan(
            person,
            by=by,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            purpose=purpose,
            place=place,
            professional=professional,
            is_first=False,
        )
        if invite:
            send_invitation(appointment, by=by)
    return appointment


def record_past_appointment(
    person,
    *,
    by,
    starts_at,
    ends_at,
    mode,
    purpose,
    place="",
    professional=None,
    attendance=Appointment.Status.HONOURED,
    reason="",
):
    """Record an appointment that already took place, and whether the person came (honoured, missed, excused)."""
    record = {
        Appointment.Status.HONOURED: mark_honoured,
        Appointment.Status.MISSED: mark_missed,
        Appointment.Status.EXCUSED: mark_excused,
    }.get(attendance)
    if record is None:
        raise AppointmentError("Indiquez si la personne est venue, absente ou excusée.", "attendance")
    require_actor(by)
    require(by is SYSTEM or can_plan_appointment(by, person))
    _check(starts_at=starts_at, ends_at=ends_at, mode=mode, place=place, purpose=purpose, took_place=True)
    with transaction.atomic():
        _open_pathway(person)
        professional = _professional(person, by, professional)
        appointment = _create(
            person,
            by=by,
            professional=professional,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            place=place,
            purpose=purpose,
        )
        extra = {"reason": reason} if attendance == Appointment.Status.EXCUSED else {}
        return record(appointment, by=by, **extra)


def invite_to_first_appointment(
    person, *, by, starts_at, ends_at, mode, place="", purpose=FIRST_APPOINTMENT_PURPOSE, professional=None
):
    """After an orientation, the organisme référent plans the first appointment and invites the person to it.

    Returns ``(appointment, invitation)``; the invitation is ``None`` when the person has neither email nor mobile
    phone (the appointment is planned all the same, the professional tells the person another way)."""
    require_actor(by)
    require(
        by is SYSTEM or can_invite_to_first_appointment(by, person),
        "Seul l'organisme référent invite la personne à son premier rendez-vous, une fois l'orientation décidée.",
    )
    with transaction.atomic():
        _open_pathway(person)
        existing = (
            Appointment.objects.filter(
                person=person, is_first=True, status=Appointment.Status.PLANNED, starts_at__gt=timezone.now()
            )
            .order_by("starts_at")
            .first()
        )
        if existing is not None:
            raise AppointmentError(
                f"Un premier rendez-vous est déjà prévu le {when(existing.starts_at)} : déplacez-le plutôt."
            )
        appointment = _plan(
            person,
            by=by,
            starts_at=starts_at,
            ends_at=ends_at,
            mode=mode,
            purpose=purpose,
            place=place,
            professional=professional,
            is_first=True,
        )
        invitation = send_invitation(appointment, by=by) if person_channels(person) else None
    return appointment, invitation


def _lock(appointment, by, version=None):
    """The appointment, locked, after the actor's access check and the version the actor saw (no lost update)."""
    require_actor(by)
    require(by is SYSTEM or can_manage_appointment(by, appointment))
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("person", "structure", "professional", "status_changed_by")
        .get(pk=appointment.pk)
    )
    if version not in (None, "") and str(version).strip() != str(locked.version):
        raise Conflict(changed_meanwhile(locked))
    return locked


def changed_meanwhile(appointment):
    if appointment.status != Appointment.Status.PLANNED:
        who = appointment.status_changed_by or "un autre membre de l'équipe"
        return (
            f"Pendant que vous consultiez ce rendez-vous, {who} l'a noté « {appointment.get_status_display()} » "
            f"le {when(appointment.status_changed_at)}. Rien n'a été enregistré : voici son état actuel."
        )
    return (
        "Pendant que vous consultiez ce rendez-vous, il a été modifié (horaire, invitation ou réponse de la "
        "personne). Rien n'a été enregistré : voici son état actuel."
    )


def _revoke_invitations(appointment, now):
    for invitation in appointment.invitations.filter(used_at__isnull=True, revoked_at__isnull=True):
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])


def _attendance_allowed(appointment, *, needs_start):
    if appointment.status == Appointment.Status.CANCELLED:
        raise AppointmentError("Ce rendez-vous est annulé : on n'y note pas de présence.")
    if needs_start and not appointment.has_started:
        raise AppointmentError(
            f"Ce rendez-vous n'a pas encore eu lieu : la présence se note à partir du {when(appointment.starts_at)}."
        )


# The timeline's kind and the word of each recorded status.
STATUS_EVENTS = {
    Appointment.Status.HONOURED: (HONOURED, "honoré"),
    Appointment.Status.MISSED: (MISSED, "non honoré"),
    Appointment.Status.EXCUSED: (EXCUSED, "excusé"),
    Appointment.Status.CANCELLED: (CANCELLED, "annulé"),
}


def _write_attendance(appointment, *, by, previous):
    """What every change of status shares: who and when, the version, the timeline, the links that now serve no
    more. The status itself is written by the caller, the one action of that status."""
    kind, label = STATUS_EVENTS[appointment.status]
    now = timezone.now()
    appointment.status_changed_at = now
    appointment.status_changed_by = by.user
    appointment.version += 1
    appointment.save()
    _revoke_invitations(appointment, now)
    correction = ""
    if previous != Appointment.Status.PLANNED:
        correction = f" (correction : était « {Appointment.Status(previous).label} »)"
    timeline.record(
        appointment.person,
        kind=kind,
        by=by,
        summary=f"Rendez-vous du {when(appointment.starts_at)} avec {appointment.professional} : {label}{correction}",
        visibility=Visibility.PERSON,
        obj=appointment,
    )
    return appointment


def _attendance_to_write(appointment, status, *, by, version):
    """The appointment locked for recording ``status``, with its status until now; ``None`` for the latter when it
    already has that status (nothing to write). A person warns before the time that they cannot come: only an
    excuse is recorded before the appointment begins."""
    appointment = _lock(appointment, by, version)
    if appointment.status == status:
        return appointment, None
    _attendance_allowed(appointment, needs_start=status != Appointment.Status.EXCUSED)
    return appointment, appointment.status


def mark_honoured(appointment, *, by, version=None):
    """The person came. From *planned* once the appointment has begun, or to correct another attendance."""
    with transaction.atomic():
        appointment, previous = _attendance_to_write(appointment, Appointment.Status.HONOURED, by=by, version=version)
        if previous is None:
            return appointment
        appointment.status = Appointment.Status.HONOURED
        appointment.status_reason = ""
        return _write_attendance(appointment, by=by, previous=previous)


def mark_missed(appointment, *, by, version=None):
    """The person did not come and did not warn. From *planned* once begun, or to correct another attendance."""
    with transaction.atomic():
        appointment, previous = _attendance_to_write(appointment, Appointment.Status.MISSED, by=by, version=version)
        if previous is None:
            return appointment
        appointment.status = Appointment.Status.MISSED
        appointment.status_reason = ""
        return _write_attendance(appointment, by=by, previous=previous)


def mark_excused(appointment, *, by, reason="", version=None):
    """The person warned they could not come (before or after the time), with the reason they gave."""
    with transaction.atomic():
        appointment, previous = _attendance_to_write(appointment, Appointment.Status.EXCUSED, by=by, version=version)
        if previous is None:
            return appointment
        appointment.status = Appointment.Status.EXCUSED
        appointment.status_reason = (reason or "").strip()[:255]
        return _write_attendance(appointment, by=by, previous=previous)


def cancel_appointment(appointment, *, by, reason="", version=None):
    """Call off a planned appointment; a person who was told of it is told it is off."""
    with transaction.atomic():
        appointment = _lock(appointment, by, version)
        previous = appointment.status
        if previous == Appointment.Status.CANCELLED:
            return appointment
        if previous != Appointment.Status.PLANNED:
            raise AppointmentError(
                f"Ce rendez-vous est noté « {appointment.get_status_display()} » : seul un rendez-vous prévu s'annule."
            )
        appointment.status = Appointment.Status.CANCELLED
        appointment.status_reason = (reason or "").strip()[:255]
        _write_attendance(appointment, by=by, previous=previous)
        channels = person_channels(appointment.person)
        if appointment.person_notified_at is not None and not appointment.has_started and channels:
            after_commit(deliver_cancellation, appointment.pk, channels)
        return appointment


def reschedule_appointment(
    appointment, *, by, starts_at, ends_at, mode, purpose, place="", professional=None, version=None
):
    """Move a planned appointment (or change its place, purpose or professional). A person already invited gets a
    new link and the former one serves no more."""
    _check(starts_at=starts_at, ends_at=ends_at, mode=mode, place=place, purpose=purpose)
    with transaction.atomic():
        appointment = _lock(appointment, by, version)
        if appointment.status != Appointment.Status.PLANNED:
            raise AppointmentError(
                f"Ce rendez-vous est noté « {appointment.get_status_display()} » : seul un rendez-vous prévu se "
                "déplace. Prévoyez-en un nouveau."
            )
        person = appointment.person
        _open_pathway(person)
        if professional is None:
            professional = Membership.objects.filter(
                user_id=appointment.professional_id, structure_id=appointment.structure_id
            ).first()
        professional = _professional(person, by, professional)
        _check_free(person, professional, starts_at, ends_at, exclude=appointment.pk)
        before = appointment.starts_at
        moved = before != starts_at or appointment.ends_at != ends_at
        new_professional = professional.user_id != appointment.professional_id
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        appointment.mode, appointment.place, appointment.purpose = mode, (place or "").strip(), purpose.strip()
        appointment.professional, appointment.structure = professional.user, professional.structure
        appointment.reminder_sent_at = None
        appointment.version += 1
        appointment.save()
        summary = (
            f"Rendez-vous du {when(before)} déplacé au {when(starts_at)}"
            if moved
            else f"Rendez-vous du {when(before)} modifié"
        )
        timeline.record(
            person,
            kind=MOVED,
            by=by,
            summary=f"{summary}, avec {professional.user} ({professional.structure}), "
            f"{_where(mode, appointment.place)}",
            visibility=Visibility.PERSON,
            obj=appointment,
        )
        if new_professional and professional.user_id != by.user_id:
            after_commit(tell_professional, appointment.pk, "planned")
        if appointment.invitations.exists() and person_channels(person):
            send_invitation(appointment, by=by, moved=True)
    return appointment


def send_invitation(appointment, *, by, moved=False):
    """Send the person the appointment with a link to confirm or ask for another time; a former link is revoked."""
    with transaction.atomic():
        appointment = _lock(appointment, by)
        if not appointment.is_upcoming:
            raise AppointmentError("On n'invite qu'à un rendez-vous prévu et à venir.")
        channels = person_channels(appointment.person)
        if not channels:
            raise AppointmentError(
                "La personne n'a ni adresse électronique ni téléphone portable dans son dossier : ajoutez-en un, ou "
                "prévenez-la autrement."
            )
        now = timezone.now()
        _revoke_invitations(appointment, now)
        invitation, token = AppointmentInvitation.issue(appointment, channels=channels, sent_by=by.user)
        appointment.person_answer = ""
        appointment.person_answer_at = None
        appointment.person_notified_at = now
        appointment.version += 1
        appointment.save()
        timeline.record(
            appointment.person,
            kind=INVITED,
            by=by,
            summary=f"Invitation au rendez-vous du {when(appointment.starts_at)} envoyée par "
            f"{channels_words(channels)}",
            visibility=Visibility.PERSON,
            obj=appointment,
        )
        after_commit(deliver_invitation, invitation.pk, token, moved=moved)
    return invitation


def usable_invitation(token, *, lock=False):
    """The invitation behind ``token`` if it still serves; ``LinkRefused`` says why not, in the person's words."""
    invitations = AppointmentInvitation.objects.select_related(
        "appointment", "appointment__person", "appointment__structure"
    )
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(token_digest=token_digest(token or "")).first()
    if invitation is None:
        raise UnknownLink("Ce lien n'est pas valide. Vérifiez qu'il est complet, ou contactez la structure.")
    reason = invitation.refusal()
    if not reason and invitation.appointment.status != Appointment.Status.PLANNED:
        reason = "Ce rendez-vous n'est plus prévu."
    if reason:
        raise LinkRefused(reason)
    return invitation


def _answer(token, *, answer, kind, summary, message=""):
    with transaction.atomic():
        invitation = usable_invitation(token, lock=True)
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("person")
            .get(pk=invitation.appointment_id)
        )
        now = timezone.now()
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        appointment.person_answer = answer
        appointment.person_answer_at = now
        if message:
            appointment.person_message = message
        appointment.version += 1
        appointment.save()
        timeline.record(
            appointment.person,
            kind=kind,
            by=SYSTEM,
            summary=f"{summary} du {when(appointment.starts_at)}",
            visibility=Visibility.PERSON,
            obj=appointment,
        )
        after_commit(tell_professional, appointment.pk, answer)
    return appointment


def confirm_by_person(token):
    """The person confirms through the link: it serves once."""
    return _answer(
        token, answer=Appointment.Answer.CONFIRMED, kind=CONFIRMED, summary="La personne a confirmé le rendez-vous"
    )


def ask_other_time(token, *, message=""):
    """The person asks for another time through the link, with their availabilities in their own words."""
    return _answer(
        token,
        answer=Appointment.Answer.OTHER_TIME,
        kind=OTHER_TIME,
        summary="La personne demande un autre horaire pour le rendez-vous",
        message=(message or "").strip()[:1000],
    )


def due_reminders(now=None):
    """Planned appointments starting within the reminder window whose person has not been reminded yet."""
    now = now or timezone.now()
    return (
        Appointment.objects.filter(
            status=Appointment.Status.PLANNED,
            starts_at__gt=now,
            starts_at__lte=now + settings.RELAIS_APPOINTMENT_REMINDER_AHEAD,
            reminder_sent_at__isnull=True,
        )
        .exclude(person_answer=Appointment.Answer.OTHER_TIME)
        .exclude(person_notified_at__gt=now - RECENTLY_TOLD)
    )


def send_reminders(*, now=None, batch=200):
    """Remind each person of their appointment once, a day or two before (run daily). Returns how many were sent;
    running it twice sends nothing more."""
    now = now or timezone.now()
    ids = list(due_reminders(now).order_by("starts_at", "pk").values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            due = due_reminders(now).filter(pk__in=ids[start : start + batch]).select_for_update(of=("self",))
            for appointment in due.select_related("person", "professional").order_by("starts_at", "pk"):
                channels = person_channels(appointment.person)
                if not channels:
                    continue
                appointment.reminder_sent_at = now
                appointment.person_notified_at = now
                appointment.save(update_fields=["reminder_sent_at", "person_notified_at"])
                timeline.record(
                    appointment.person,
                    kind=REMINDED,
                    by=SYSTEM,
                    summary=f"Rappel du rendez-vous du {when(appointment.starts_at)} envoyé par "
                    f"{channels_words(channels)}",
                    visibility=Visibility.TEAM,
                    obj=appointment,
                )
                after_commit(deliver_reminder, appointment.pk, channels)
                sent += 1
    return sent
