"""Pages of the catalogue: the search (for anyone, or from a person's carnet), a service, and a structure's
services managed by its admins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.journal import log_access
from offer import access, actions, schema, search
from offer.forms import ReferralForm, SearchForm, ServiceForm, SuspendForm
from offer.models import Referral, Service
from offer.suggestions import for_person
from pathway.access import persons_visible_to
from relais.actions import ActionError
from territory.models import Commune, Departement, Epci

PAGE_SIZE = 20


def _membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _person_for(request, public_id):
    """The person if within the need-to-know of the current structure; 404 otherwise (nothing confirmed)."""
    membership = _membership_or_403(request)
    return get_object_or_404(persons_visible_to(membership).select_related("commune"), public_id=public_id)


def _page_number(request):
    return (request.POST if request.method == "POST" else request.GET).get("page") or 1


def _results(form, *, suggestion=None, page_number=1):
    """The search's page of results, facets and reasons; an invalid form finds nothing and says why."""
    if form.is_bound and not form.is_valid():
        return None
    criteria = form.criteria() if form.is_bound else search.Criteria()
    page = search.results_page(criteria, page_number, PAGE_SIZE)
    form.show_counts(search.facets(criteria))
    if page.paginator.count == 0 and not criteria.is_empty:
        search.record_unmet(criteria)
    rows = [
        {
            "service": service,
            "zone": search.zone_reason(service, criteria.commune),
            "availability": search.availability_label(service),
            "reasons": suggestion.reasons(service) if suggestion is not None else [],
        }
        for service in page.object_list
    ]
    return {"page": page, "rows": rows, "criteria": criteria}


def search_view(request):
    """The catalogue: every published service, filtered by place and need. Criteria are not personal: GET."""
    _membership_or_403(request)
    form = SearchForm(request.GET if request.GET.keys() - {"page"} else None)
    return render(
        request,
        "offer/search.html",
        {"form": form, "results": _results(form, page_number=_page_number(request)), "person": None},
    )


def person_search(request, public_id):
    """« Trouver une offre » from a carnet: starts from the person's commune and the barriers of their latest
    diagnostic, and says why each service is suggested. Posted, so that nothing of the person is in an address."""
    membership = _membership_or_403(request)
    person = _person_for(request, public_id)
    suggestion = for_person(person, membership)
    if request.method == "POST":
        form = SearchForm(request.POST)
    else:
        data = QueryDict(mutable=True)
        data["commune"] = person.commune.code
        data.setlist("categories", suggestion.categories)
        form = SearchForm(data)
    log_access(request, person, detail="recherche d'une offre pour la personne")
    return render(
        request,
        "offer/search.html",
        {
            "form": form,
            "results": _results(form, suggestion=suggestion, page_number=_page_number(request)),
            "person": person,
            "suggestion": suggestion,
        },
    )


def _zone_names(service):
    """The service's zone in words, in its order: « tout le département Essonne », an EPCI, a commune…"""
    codes = list(service.zone)
    names = {
        departement.code: f"tout le département {departement.name}"
        for departement in Departement.objects.filter(code__in=codes)
    }
    names.update(Epci.objects.filter(siren__in=codes).values_list("siren", "name"))
    names.update(Commune.objects.filter(code__in=codes).values_list("code", "name"))
    names.update(dict.fromkeys(schema.NATIONAL_ZONES, "toute la France"))
    # An imported service may name places outside the territory: their code is all Relais knows.
    return [names.get(code, f"code {code}") for code in codes]


def service_detail(request, public_id):
    membership = _membership_or_403(request)
    service = get_object_or_404(
        access.services_visible_to(membership).select_related(
            "structure", "external_structure", "external_structure__structure", "commune"
        ),
        public_id=public_id,
    )
    return render(
        request,
        "offer/service_detail.html",
        {
            "service": service,
            "zone_names": _zone_names(service),
            "can_manage": access.can_manage_service(membership, service),
        },
    )


def structure_services(request):
    """The services of the structure the user acts for: every state, for its members; admins manage them."""
    membership = _membership_or_403(request)
    structure = membership.structure
    services = Service.objects.filter(structure=structure).order_by("status", "name", "pk")
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    awaiting = dict(
        Referral.objects.filter(service__in=[service.pk for service in page.object_list], status__in=Referral.AWAITING)
        .values("service_id")
        .annotate(count=Count("pk"))
        .values_list("service_id", "count")
    )
    for service in page.object_list:
        service.awaiting_count = awaiting.get(service.pk, 0)
    return render(
        request,
        "offer/structure_services.html",
        {
            "structure": structure,
            "page": page,
            "can_manage": access.can_manage_services(membership, structure),
        },
    )


def service_create(request):
    membership = _membership_or_403(request)
    if not access.can_manage_services(membership, membership.structure):
        raise PermissionDenied
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(by=membership, structure=membership.structure, data=form.service_data())
        except actions.ServiceInvalid as error:
            form.add_action_errors(error.errors)
        else:
            messages.success(request, f"Le service « {service.name} » est enregistré comme brouillon.")
            return redirect("offer:service_detail", public_id=service.public_id)
    return render(request, "offer/service_form.html", {"form": form, "service": None})


def _managed_service(request, public_id):
    membership = _membership_or_403(request)
    service = get_object_or_404(
        access.services_visible_to(membership).select_related("structure"), public_id=public_id
    )
    if not access.can_manage_service(membership, service):
        raise PermissionDenied
    return membership, service


def service_edit(request, public_id):
    membership, service = _managed_service(request, public_id)
    form = ServiceForm(request.POST or None, instance=service)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.update_service(
                service, by=membership, data=form.service_data(), version=form.cleaned_data.get("version")
            )
        except actions.ServiceInvalid as error:
            form.add_action_errors(error.errors)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Le service « {service.name} » est enregistré.")
            return redirect("offer:service_detail", public_id=service.public_id)
    return render(request, "offer/service_form.html", {"form": form, "service": service})


SERVICE_CHANGES = {
    "publier": (actions.publish_service, "Le service est publié : tous les professionnels le trouvent."),
    "archiver": (actions.archive_service, "Le service est archivé : il n'apparaît plus dans les recherches."),
    "confirmer": (actions.confirm_service, "Merci : les informations du service sont confirmées à jour."),
    "reprendre": (actions.resume_service, "La suspension est levée : le service reçoit de nouveau des orientations."),
}


@require_POST
def service_change(request, public_id, change):
    if change not in SERVICE_CHANGES:
        raise Http404
    membership, service = _managed_service(request, public_id)
    action, success = SERVICE_CHANGES[change]
    try:
        action(service, by=membership)
    except actions.ServiceInvalid as error:
        messages.error(request, f"Le service ne peut pas être publié : {error}")
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("offer:service_detail", public_id=service.public_id)


def service_suspend(request, public_id):
    membership, service = _managed_service(request, public_id)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.suspend_service(
                service, by=membership, start=data["start"], end=data["end"], reason=data["reason"]
            )
        except actions.ServiceInvalid as error:
            for field, problems in error.errors.items():
                target = {"suspended_from": "start", "suspended_until": "end"}.get(field)
                for problem in problems:
                    form.add_error(target, problem)
        else:
            messages.success(request, "Le service est suspendu : il ne reçoit pas d'orientation pendant ces dates.")
            return redirect("offer:service_detail", public_id=service.public_id)
    return render(request, "offer/service_suspend.html", {"form": form, "service": service})


def referral_create(request, person_id, public_id):
    """Orient the person to the service: a message, what is shared, sent."""
    membership = _membership_or_403(request)
    person = _person_for(request, person_id)
    service = get_object_or_404(
        Service.objects.filter(status=Service.Status.PUBLISHED).select_related(
            "structure", "external_structure", "external_structure__structure", "commune"
        ),
        public_id=public_id,
    )
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.send_referral(
                person,
                service,
                by=membership,
                message=data["message"],
                share_contact=data["share_contact"],
                share_diagnostic=data["share_diagnostic"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            receiver = "dans sa boîte de réception Relais" if referral.receiver_structure_id else "par courriel"
            messages.success(request, f"L'orientation est envoyée à {service.provider_name}, prévenu {receiver}.")
            return redirect("offer:referral_detail", public_id=referral.public_id)
    log_access(request, person, detail="orientation vers un service")
    return render(request, "offer/referral_form.html", {"form": form, "person": person, "service": service})
