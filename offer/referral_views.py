"""Pages of the referrals: the receiving structure's inbox, the structure's sent referrals, their export, and one
referral with its history and the answers the receiving structure gives."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.journal import log_access, log_access_many
from audit.models import AccessLog
from entry.models import Diagnostic
from entry.referential_store import describe_answers, referential_version
from offer import access, actions, exports
from offer.forms import AbandonForm, AnswerForm, CompleteForm, ReferralFilterForm, RefuseForm, StartForm
from offer.models import Referral, Service
from offer.views import _membership_or_403
from relais.actions import ActionError

PAGE_SIZE = 25
# What each list shows (a join less is a plan found faster): the export shows both sides.
RECEIVED_RELATED = ("person", "service", "sender", "sender_structure")
SENT_RELATED = ("person", "service", "service__structure", "service__external_structure", "receiver_structure")
LIST_RELATED = (*RECEIVED_RELATED, *SENT_RELATED[2:])


def _filtered(request, referrals, membership, *, direction):
    # The received ones can be narrowed to one of the structure's services.
    services = Service.objects.filter(structure=membership.structure).order_by("name") if direction == "recues" else []
    form = ReferralFilterForm(request.GET or None, services=services, show_mine=direction == "envoyees")
    statuses = form.status_filter()
    if statuses:
        referrals = referrals.filter(status__in=statuses)
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("service"):
            referrals = referrals.filter(service__public_id=form.cleaned_data["service"])
        if form.cleaned_data.get("moi"):
            referrals = referrals.filter(sender=membership.user)
    return form, referrals


def _base(membership, direction):
    if direction == "recues":
        return Referral.objects.filter(receiver_structure=membership.structure)
    return Referral.objects.filter(sender_structure=membership.structure)


def _list(request, direction):
    membership = _membership_or_403(request)
    form, referrals = _filtered(request, _base(membership, direction), membership, direction=direction)
    related = RECEIVED_RELATED if direction == "recues" else SENT_RELATED
    page = Paginator(referrals.select_related(*related).order_by("-sent_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    detail = "prescriptions reçues" if direction == "recues" else "prescriptions envoyées"
    log_access_many(request, [referral.person for referral in page.object_list], detail=detail)
    awaiting = _base(membership, direction).filter(status__in=Referral.AWAITING).count()
    return render(
        request,
        "offer/referral_list.html",
        {
            "direction": direction,
            "form": form,
            "page": page,
            "awaiting": awaiting,
            "export_query": request.GET.urlencode(),
            "today": timezone.localdate(),
        },
    )


def inbox(request):
    """What the structure received: to answer first, then all."""
    return _list(request, "recues")


def sent(request):
    """What the structure sent, and where each referral stands."""
    return _list(request, "envoyees")


def export(request):
    membership = _membership_or_403(request)
    direction = request.GET.get("sens", "recues")
    file_format = request.GET.get("format", "csv")
    if direction not in {"recues", "envoyees"} or file_format not in {"csv", "xlsx"}:
        raise Http404
    _, referrals = _filtered(request, _base(membership, direction), membership, direction=direction)
    referrals = list(referrals.select_related(*LIST_RELATED).order_by("-sent_at", "-pk"))
    log_access_many(
        request,
        [referral.person for referral in referrals],
        action=AccessLog.Action.EXPORT,
        detail=f"export des prescriptions {'reçues' if direction == 'recues' else 'envoyées'}",
    )
    stamp = timezone.localdate().isoformat()
    name = f"prescriptions-{direction}-{stamp}.{file_format}"
    if file_format == "csv":
        response = HttpResponse(exports.as_csv(referrals), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.as_xlsx(referrals),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# What the receiving structure may do, by status; each name is an action of ``offer.actions``.
NEXT_STEPS = {
    Referral.Status.SENT: ("etudier", "accepter", "refuser"),
    Referral.Status.UNDER_REVIEW: ("accepter", "refuser"),
    Referral.Status.ACCEPTED: ("commencer", "abandonner"),
    Referral.Status.STARTED: ("terminer", "abandonner"),
}

TRANSITIONS = {
    "etudier": (
        None,
        lambda referral, by, data: actions.review_referral(referral, by=by),
        "L'orientation est à l'étude.",
    ),
    "accepter": (
        AnswerForm,
        lambda referral, by, data: actions.accept_referral(referral, by=by, message=data["message"]),
        "Vous avez accepté l'orientation : vous rejoignez l'équipe de la personne, le prescripteur est prévenu.",
    ),
    "refuser": (
        RefuseForm,
        lambda referral, by, data: actions.refuse_referral(
            referral, by=by, reason=data["reason"], message=data["message"]
        ),
        "Vous avez refusé l'orientation : le prescripteur est prévenu.",
    ),
    "commencer": (
        StartForm,
        lambda referral, by, data: actions.start_referral(referral, by=by, started_on=data["started_on"]),
        "L'accompagnement est commencé.",
    ),
    "terminer": (
        CompleteForm,
        lambda referral, by, data: actions.complete_referral(referral, by=by, detail=data["detail"]),
        "L'accompagnement est terminé.",
    ),
    "abandonner": (
        AbandonForm,
        lambda referral, by, data: actions.abandon_referral(
            referral, by=by, reason=data["reason"], detail=data["detail"]
        ),
        "L'abandon est enregistré.",
    ),
}


# Title, button and help of each answer on the referral's page.
STEP_TEXTS = {
    "etudier": ("Mettre à l'étude", "Mettre à l'étude", "Le prescripteur voit que sa demande est lue.", True),
    "accepter": (
        "Accepter",
        "Accepter l'orientation",
        "Vous rejoignez l'équipe de la personne et accédez à son carnet.",
        False,
    ),
    "refuser": ("Refuser", "Refuser l'orientation", "Le prescripteur est prévenu du motif.", True),
    "commencer": ("La personne a commencé", "Enregistrer le début", "", False),
    "terminer": ("Accompagnement terminé", "Enregistrer la fin", "", False),
    "abandonner": ("Abandon", "Enregistrer l'abandon", "La personne a arrêté ou n'est jamais venue.", True),
}


def _referral_for(request, public_id):
    membership = _membership_or_403(request)
    referral = get_object_or_404(
        # Few joins: the planner's time grows fast with each one; the rest is read when shown.
        access.referrals_visible_to(membership).select_related(
            "person", "person__commune", "service", "sender", "sender_structure"
        ),
        public_id=public_id,
    )
    return membership, referral


def _shared_barriers(referral):
    """The barriers of the latest diagnostic (never the sensitive ones), when the prescriber shared them."""
    if not referral.share_diagnostic:
        return None
    diagnostic = Diagnostic.objects.latest_for(referral.person)
    if diagnostic is None:
        return []
    described = describe_answers(
        referential_version(diagnostic.referential_version), diagnostic.answers, {}, hide_sensitive=True
    )
    return [theme for theme in described["themes"] if not theme["hidden"] and theme["level_key"] in {"fort", "moyen"}]


def _detail(request, membership, referral, *, bound=None, status=200):
    can_answer = access.can_answer_referral(membership, referral)
    steps = []
    for name in NEXT_STEPS.get(referral.status, ()) if can_answer else ():
        form_class = TRANSITIONS[name][0]
        form = None
        if form_class is not None:
            form = bound if bound is not None and bound.prefix == name else form_class(prefix=name)
        title, button, help_text, secondary = STEP_TEXTS[name]
        steps.append(
            {"name": name, "title": title, "button": button, "help": help_text, "secondary": secondary, "form": form}
        )
    log_access(request, referral.person, detail="orientation vers un service")
    return render(
        request,
        "offer/referral_detail.html",
        {
            "referral": referral,
            "person": referral.person,
            "transitions": referral.transitions.select_related("by", "by_structure"),
            "can_answer": can_answer,
            "steps": steps,
            "barriers": _shared_barriers(referral),
            "today": timezone.localdate(),
        },
        status=status,
    )


def detail(request, public_id):
    membership, referral = _referral_for(request, public_id)
    return _detail(request, membership, referral)


@require_POST
def transition(request, public_id, step):
    if step not in TRANSITIONS:
        raise Http404
    membership, referral = _referral_for(request, public_id)
    if not access.can_answer_referral(membership, referral):
        raise PermissionDenied
    form_class, act, success = TRANSITIONS[step]
    form = form_class(request.POST, prefix=step) if form_class is not None else None
    if form is not None and not form.is_valid():
        return _detail(request, membership, referral, bound=form)
    try:
        act(referral, membership, form.cleaned_data if form is not None else {})
    except ActionError as error:
        # Someone else answered first, or the answer is refused: said at the top; what was typed stays.
        messages.error(request, str(error))
        referral.refresh_from_db()
        return _detail(request, membership, referral, bound=form)
    messages.success(request, success)
    return redirect("offer:referral_detail", public_id=referral.public_id)
