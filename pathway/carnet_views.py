"""The carnet: the page of a person's pathway, made of the sections each app registers (``pathway.carnet``) and
closed by the timeline; and the pathway's status changes (exit, reopening)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from audit.journal import log_access
from pathway import actions, timeline
from pathway import carnet as sections
from pathway.access import SEEN_BY, can_answer_access_request, can_change_status, persons_visible_to
from pathway.forms import ExitForm, ReopenForm
from pathway.models import AccessRequest
from relais.actions import ActionError

TIMELINE_PAGE_SIZE = 20
TIMELINE_ID = "fil-du-carnet"


def membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def visible_person(request, public_id):
    """The person if within the need-to-know of the structure acted for; 404 otherwise (nothing confirmed)."""
    membership = membership_or_403(request)
    queryset = persons_visible_to(membership).select_related(
        "commune", "created_for", "pathway", "pathway__referent", "pathway__referent_structure"
    )
    person = get_object_or_404(queryset, public_id=public_id)
    person.__dict__[SEEN_BY] = membership.pk
    return person


class CountedPaginator(Paginator):
    """A paginator told its count (computed with something else) rather than counting again."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count


def timeline_context(request, membership, person):
    """The timeline as this reader may see it: the kinds present among the events they may read, with how many of
    each (the filter, and the count of the pages), the chosen ones, one page of events. Two queries whatever the
    number of events."""
    events = timeline.visible_to(membership, person)
    per_kind = dict(events.order_by().values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    groups = timeline.kind_groups(set(per_kind))
    chosen = [slug for slug in request.GET.getlist("nature") if slug]
    shown = timeline.kinds_of_groups(chosen, set(per_kind)) if chosen else list(per_kind)
    if chosen:
        events = events.filter(kind__in=shown)
    page = CountedPaginator(
        events.select_related("actor", "actor_structure"),
        TIMELINE_PAGE_SIZE,
        count=sum(per_kind[kind] for kind in shown),
    ).get_page(request.GET.get("page"))
    return {
        "person": person,
        "events": page,
        "groups": [{"slug": slug, "label": label, "checked": slug in chosen} for slug, label, _ in groups],
        "filtered": bool(chosen),
        "timeline_id": TIMELINE_ID,
    }


@never_cache
def carnet(request, public_id):
    """The carnet of a person: at a glance what the team needs, then everything that happened."""
    person = visible_person(request, public_id)
    membership = request.membership
    if request.htmx and request.htmx.target == TIMELINE_ID:
        # Filtering or paging the timeline swaps the timeline alone.
        log_access(request, person, detail="fil du carnet")
        return render(request, "pathway/carnet/timeline.html", timeline_context(request, membership, person))
    log_access(request, person)
    pending_requests = []
    if can_answer_access_request(membership, person):
        pending_requests = list(
            person.access_requests.filter(status=AccessRequest.Status.PENDING).select_related(
                "requested_by", "structure"
            )
        )
    shown = sections.sections_for(request, person, membership)
    return render(
        request,
        "pathway/carnet/page.html",
        {
            "person": person,
            "pathway": person.pathway,
            "membership": membership,
            "sections": shown,
            # The objection in force, said at the top of the page (read by the sharing section).
            "sharing_state": next((item.context["sharing_state"] for item in shown if item.key == "sharing"), None),
            "page_actions": sections.page_actions(membership, person),
            "pending_requests": pending_requests,
            **timeline_context(request, membership, person),
        },
    )


@never_cache
def exit_pathway(request, public_id):
    person = visible_person(request, public_id)
    if not can_change_status(request.membership, person):
        raise PermissionDenied
    pathway = person.pathway
    if not pathway.is_active:
        messages.info(request, "Ce parcours est déjà clos.")
        return redirect("pathway:carnet", public_id=person.public_id)
    form = ExitForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.exit_pathway(
                person, by=request.membership, reason=data["reason"], on=data["on"], detail=data["detail"]
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Le parcours de {person} est clos.")
            return redirect("pathway:carnet", public_id=person.public_id)
    log_access(request, person, detail="sortie du parcours")
    return render(
        request,
        "pathway/exit.html",
        {
            "person": person,
            "pathway": pathway,
            "form": form,
            "title": f"Clore le parcours de {person}",
            "submit_label": "Clore le parcours",
            "cancel_url": reverse("pathway:carnet", args=[person.public_id]),
        },
    )


@never_cache
def reopen_pathway(request, public_id):
    person = visible_person(request, public_id)
    if not can_change_status(request.membership, person):
        raise PermissionDenied
    pathway = person.pathway
    if pathway.status != pathway.Status.EXITED:
        messages.info(request, "Ce parcours est en cours : il n'y a rien à rouvrir.")
        return redirect("pathway:carnet", public_id=person.public_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.reopen_pathway(person, by=request.membership, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Le parcours de {person} est rouvert.")
            return redirect("pathway:carnet", public_id=person.public_id)
    log_access(request, person, detail="réouverture du parcours")
    return render(
        request,
        "pathway/reopen.html",
        {
            "person": person,
            "pathway": pathway,
            "form": form,
            "title": f"Rouvrir le parcours de {person}",
            "submit_label": "Rouvrir le parcours",
            "cancel_url": reverse("pathway:carnet", args=[person.public_id]),
        },
    )
