"""The appointments' pages: a person's appointments, planning and recording, the professional's agenda, and the
public page where the person answers an invitation (no account: the link's token is the only key)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from audit.journal import log_access, log_access_many
from audit.models import AccessLog
from pathway import appointment_actions as actions
from pathway.access import (
    agenda_of,
    can_invite_to_first_appointment,
    can_manage_appointment,
    can_plan_appointment,
    persons_visible_to,
)
from pathway.appointment_forms import (
    AppointmentForm,
    CancelForm,
    OtherTimeForm,
    first_appointment_initial,
)
from pathway.appointment_ics import appointment_ics
from pathway.appointment_models import Appointment
from pathway.appointment_notify import first_name, person_channels
from relais.actions import ActionError, Forbidden
from relais.redirects import local_next

PAGE_SIZE = 20
AGENDA_PAGE_SIZE = 60
ATTENDANCE = {
    Appointment.Status.HONOURED.value: actions.mark_honoured,
    Appointment.Status.MISSED.value: actions.mark_missed,
    Appointment.Status.EXCUSED.value: actions.mark_excused,
}


def _membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _person_for(request, public_id):
    """The person if within the need-to-know of the current structure; 404 otherwise (nothing confirmed)."""
    membership = _membership_or_403(request)
    queryset = persons_visible_to(membership).select_related("pathway", "pathway__referent_structure")
    return get_object_or_404(queryset, public_id=public_id)


def _appointment_for(request, public_id):
    membership = _membership_or_403(request)
    queryset = Appointment.objects.select_related(
        "person", "person__pathway", "structure", "professional", "status_changed_by"
    ).filter(person__in=persons_visible_to(membership).values("pk"))
    return get_object_or_404(queryset, public_id=public_id)


def _posted(request):
    """The form's data on a POST, even an empty one (a cancellation without a reason is still a cancellation)."""
    return request.POST if request.method == "POST" else None


def _safe_next(request, default):
    return local_next(request) or default


def _channels_words(channels):
    return actions.channels_words(channels) if channels else ""


def person_appointments(request, public_id):
    """All the appointments of a person, the latest first, paginated."""
    person = _person_for(request, public_id)
    membership = request.membership
    log_access(request, person, detail="rendez-vous")
    appointments = person.appointments.select_related("professional", "structure").order_by("-starts_at", "-pk")
    page = Paginator(appointments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pathway/appointments/person_list.html",
        {
            "person": person,
            "page": page,
            "can_plan": can_plan_appointment(membership, person),
            "can_invite": can_invite_to_first_appointment(membership, person),
        },
    )


def _form_page(request, person, form, *, title, submit_label, cancel_url, intro="", appointment=None):
    log_access(request, person, detail=title.lower())
    return render(
        request,
        "pathway/appointments/form.html",
        {
            "person": person,
            "form": form,
            "title": title,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "intro": intro,
            "appointment": appointment,
        },
    )


def appointment_create(request, public_id):
    """Plan an appointment to come, or record one that took place."""
    person = _person_for(request, public_id)
    membership = request.membership
    if not can_plan_appointment(membership, person):
        raise PermissionDenied
    form = AppointmentForm(_posted(request), person=person, membership=membership, with_past=True, with_invite=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "by": membership,
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "mode": data["mode"],
            "place": data["place"],
            "purpose": data["purpose"],
            "professional": data["professional"],
        }
        try:
            if data.get("took_place"):
                appointment = actions.record_past_appointment(
                    person, attendance=data.get("attendance") or Appointment.Status.HONOURED, **fields
                )
            else:
                appointment = actions.plan_appointment(person, invite=bool(data.get("invite")), **fields)
        except Forbidden:
            raise
        except ActionError as error:
            form.add_action_error(error)
        else:
            if data.get("took_place"):
                messages.success(request, f"Le rendez-vous est enregistré : {appointment.get_status_display()}.")
            elif data.get("invite"):
                channels = _channels_words(person_channels(person))
                messages.success(request, f"Le rendez-vous est prévu et l'invitation envoyée par {channels}.")
            else:
                messages.success(request, "Le rendez-vous est prévu.")
            return redirect("pathway:appointment_detail", public_id=appointment.public_id)
    return _form_page(
        request,
        person,
        form,
        title="Prévoir un rendez-vous",
        submit_label="Enregistrer le rendez-vous",
        cancel_url=reverse("pathway:person_appointments", args=[person.public_id]),
    )


def appointment_invite(request, public_id):
    """After the orientation, the organisme référent invites the person to a first appointment."""
    person = _person_for(request, public_id)
    membership = request.membership
    if not can_invite_to_first_appointment(membership, person):
        raise PermissionDenied
    form = AppointmentForm(
        _posted(request),
        person=person,
        membership=membership,
        initial=first_appointment_initial(person, membership),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment, invitation = actions.invite_to_first_appointment(
                person,
                by=membership,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                mode=data["mode"],
                place=data["place"],
                purpose=data["purpose"],
                professional=data["professional"],
            )
        except Forbidden:
            raise
        except ActionError as error:
            form.add_action_error(error)
        else:
            if invitation is not None:
                messages.success(
                    request,
                    "Le premier rendez-vous est prévu et l'invitation envoyée par "
                    f"{_channels_words(invitation.channels)}.",
                )
            else:
                messages.warning(
                    request,
                    "Le premier rendez-vous est prévu, mais la personne n'a ni adresse électronique ni téléphone "
                    "portable : prévenez-la autrement (appel, courrier).",
                )
            return redirect("pathway:appointment_detail", public_id=appointment.public_id)
    channels = person_channels(person)
    intro = (
        f"La personne recevra par {_channels_words(channels)} la date, l'heure et le lieu, le fichier d'agenda et un "
        "lien pour confirmer ou demander un autre horaire, sans compte à créer."
        if channels
        else "La personne n'a ni adresse électronique ni téléphone portable : le rendez-vous sera prévu, mais "
        "l'invitation ne pourra pas lui être envoyée."
    )
    return _form_page(
        request,
        person,
        form,
        title="Inviter à un premier rendez-vous",
        submit_label="Prévoir et envoyer l'invitation",
        cancel_url=reverse("entry:person_detail", args=[person.public_id]),
        intro=intro,
    )


def appointment_detail(request, public_id):
    appointment = _appointment_for(request, public_id)
    membership = request.membership
    person = appointment.person
    log_access(request, person, detail="rendez-vous")
    return render(
        request,
        "pathway/appointments/detail.html",
        _detail_context(appointment, membership),
    )


def _detail_context(appointment, membership):
    person = appointment.person
    return {
        "appointment": appointment,
        "person": person,
        "invitations": appointment.invitations.select_related("sent_by")[:10],
        "can_manage": can_manage_appointment(membership, appointment),
        "channels": person_channels(person),
        "attendance_choices": [
            (value, label)
            for value, label in [
                (Appointment.Status.HONOURED.value, "Honoré"),
                (Appointment.Status.MISSED.value, "Non honoré"),
                (Appointment.Status.EXCUSED.value, "Excusé"),
            ]
            if value != appointment.status
            and (appointment.has_started or value == Appointment.Status.EXCUSED.value)
            and appointment.status != Appointment.Status.CANCELLED
        ],
    }


@require_POST
def appointment_attendance(request, public_id):
    """Honoured, missed or excused: each through its own action. From the agenda (htmx), the row is swapped."""
    appointment = _appointment_for(request, public_id)
    membership = request.membership
    if not can_manage_appointment(membership, appointment):
        raise PermissionDenied
    status = request.POST.get("status", "")
    action = ATTENDANCE.get(status)
    error = ""
    if action is None:
        error = "Choisissez : honoré, non honoré ou excusé."
    elif "\x00" in request.POST.get("reason", ""):
        error = "Le motif contient un caractère non autorisé."
    else:
        extra = {"reason": request.POST.get("reason", "")} if status == Appointment.Status.EXCUSED else {}
        try:
            appointment = action(appointment, by=membership, version=request.POST.get("version"), **extra)
        except Forbidden:
            raise
        except ActionError as refusal:
            error = str(refusal)
    if request.htmx:
        appointment = _appointment_for(request, public_id)
        return render(
            request,
            "pathway/appointments/_agenda_row.html",
            {"appointment": appointment, "row_error": error, "row_done": not error, "next": request.POST.get("next")},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Rendez-vous noté « {appointment.get_status_display()} ».")
    return redirect(_safe_next(request, reverse("pathway:appointment_detail", args=[appointment.public_id])))


def appointment_cancel(request, public_id):
    appointment = _appointment_for(request, public_id)
    membership = request.membership
    if not can_manage_appointment(membership, appointment):
        raise PermissionDenied
    form = CancelForm(_posted(request), initial={"version": appointment.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.cancel_appointment(
                appointment,
                by=membership,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
            )
        except Forbidden:
            raise
        except ActionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Le rendez-vous est annulé.")
        return redirect("pathway:appointment_detail", public_id=appointment.public_id)
    log_access(request, appointment.person, detail="annulation d'un rendez-vous")
    return render(request, "pathway/appointments/cancel.html", {"appointment": appointment, "form": form})


def appointment_reschedule(request, public_id):
    appointment = _appointment_for(request, public_id)
    membership = request.membership
    person = appointment.person
    if not can_manage_appointment(membership, appointment):
        raise PermissionDenied
    form = AppointmentForm(_posted(request), person=person, membership=membership, appointment=appointment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.reschedule_appointment(
                appointment,
                by=membership,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                mode=data["mode"],
                place=data["place"],
                purpose=data["purpose"],
                professional=data["professional"],
                version=data.get("version"),
            )
        except Forbidden:
            raise
        except ActionError as error:
            form.add_action_error(error)
        else:
            messages.success(request, "Le rendez-vous est modifié.")
            return redirect("pathway:appointment_detail", public_id=appointment.public_id)
    intro = ""
    if appointment.invitations.exists():
        intro = "La personne a déjà été invitée : elle recevra un nouveau message et un nouveau lien."
    return _form_page(
        request,
        person,
        form,
        title="Déplacer le rendez-vous",
        submit_label="Enregistrer",
        cancel_url=reverse("pathway:appointment_detail", args=[appointment.public_id]),
        intro=intro,
        appointment=appointment,
    )


@require_POST
def appointment_send_invitation(request, public_id):
    appointment = _appointment_for(request, public_id)
    membership = request.membership
    if not can_manage_appointment(membership, appointment):
        raise PermissionDenied
    try:
        invitation = actions.send_invitation(appointment, by=membership)
    except Forbidden:
        raise
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'invitation est envoyée par {_channels_words(invitation.channels)}.")
    return redirect("pathway:appointment_detail", public_id=appointment.public_id)


def _ics_response(appointment, *, for_person):
    response = HttpResponse(appointment_ics(appointment, for_person=for_person), content_type="text/calendar")
    local = timezone.localtime(appointment.starts_at)
    response["Content-Disposition"] = f'attachment; filename="rendez-vous-{local:%Y-%m-%d-%Hh%M}.ics"'
    return response


def appointment_ics_download(request, public_id):
    """The appointment for the professional's calendar (no name of the person in it)."""
    appointment = _appointment_for(request, public_id)
    log_access(request, appointment.person, action=AccessLog.Action.DOWNLOAD, detail="rendez-vous (.ics)")
    return _ics_response(appointment, for_person=False)


def _day(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def agenda(request):
    """My appointments across all the people I follow, by day or by week, in Europe/Paris."""
    membership = _membership_or_403(request)
    today = timezone.localdate()
    by_day = request.GET.get("vue") == "jour"
    day = _day(request.GET.get("date")) or today
    start = day if by_day else day - timedelta(days=day.weekday())
    step = timedelta(days=1 if by_day else 7)
    end = start + step
    paris = ZoneInfo(settings.TIME_ZONE)
    appointments = (
        agenda_of(
            membership,
            datetime.combine(start, time.min, tzinfo=paris),
            datetime.combine(end, time.min, tzinfo=paris),
        )
        .select_related("person", "structure")
        .order_by("starts_at", "pk")
    )
    page = Paginator(appointments, AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    log_access_many(request, list({row.person_id: row.person for row in rows}.values()), detail="agenda")
    by_date = {}
    for row in rows:
        by_date.setdefault(timezone.localtime(row.starts_at).date(), []).append(row)
    days = []
    for offset in range(step.days):
        current = start + timedelta(days=offset)
        if current.weekday() < 5 or current in by_date or by_day:
            days.append({"date": current, "appointments": by_date.get(current, []), "is_today": current == today})
    view = "jour" if by_day else "semaine"
    return render(
        request,
        "pathway/appointments/agenda.html",
        {
            "view": view,
            "start": start,
            "end": end - timedelta(days=1),
            "days": days,
            "page": page,
            "today": today,
            "previous": (start - step).isoformat(),
            "next": (start + step).isoformat(),
            "other_view": "semaine" if by_day else "jour",
            "other_view_date": (day if not by_day else start).isoformat(),
            "shows_today": start <= today < end,
            "now": timezone.now(),
        },
    )


# --- The person's page: no account, the token is the only key -------------------------------------------------


def _public(response):
    """Nothing of this page is kept by the browser or a proxy, nor indexed. The address (with its token) goes as a
    referrer to this site only (the project's ``same-origin`` policy), which keeps the form's origin check."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request, reason):
    return _public(render(request, "pathway/appointments/public_refused.html", {"reason": reason}, status=410))


@login_not_required
@never_cache
def appointment_answer(request, token):
    """The person confirms the appointment or asks for another time. Shows the date, the place and the structure,
    the first name to greet: nothing else of the carnet."""
    try:
        invitation = actions.usable_invitation(token)
    except actions.UnknownLink:
        raise Http404 from None
    except actions.LinkRefused as refusal:
        return _refused(request, str(refusal))
    appointment = invitation.appointment
    other_time = OtherTimeForm(request.POST if request.POST.get("answer") == "other_time" else None)
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "confirm":
                appointment = actions.confirm_by_person(token)
            elif answer == "other_time" and other_time.is_valid():
                appointment = actions.ask_other_time(token, message=other_time.cleaned_data["message"])
            elif answer == "other_time":
                answer = None  # the form says what is wrong, next to the message
            else:
                error = "Choisissez : confirmer votre venue, ou demander un autre horaire."
                answer = None
        except actions.LinkRefused as refusal:
            return _refused(request, str(refusal))
        if answer is not None:
            return _public(
                render(
                    request,
                    "pathway/appointments/public_thanks.html",
                    {"appointment": appointment, "structure": appointment.structure, "answer": answer},
                )
            )
    log_access(request, appointment.person, detail="invitation à un rendez-vous, ouverte par le lien")
    return _public(
        render(
            request,
            "pathway/appointments/public_answer.html",
            {
                "appointment": appointment,
                "structure": appointment.structure,
                "first_name": first_name(appointment.person),
                "other_time": other_time,
                "error": error,
                "token": token,
                "expires_at": invitation.expires_at,
            },
            status=200,
        )
    )


@login_not_required
@never_cache
def appointment_answer_ics(request, token):
    try:
        invitation = actions.usable_invitation(token)
    except actions.UnknownLink:
        raise Http404 from None
    except actions.LinkRefused as refusal:
        return _refused(request, str(refusal))
    return _public(_ics_response(invitation.appointment, for_person=True))
