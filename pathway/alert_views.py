"""Rupture alerts: « Mes alertes » of a professional, the structure's list, the coordination's counts by EPCI (counts
only), the carnet's section, and the pages that take an alert in charge, assign it, close it with a note."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.journal import log_access, log_access_many
from pathway import alert_actions, ruptures
from pathway.access import (
    can_handle_alert,
    can_see_alert_counts,
    my_alerts,
    my_people_alerts,
    structure_alerts,
)
from pathway.alert_forms import AssignForm, CloseForm
from pathway.models import OPEN_ALERT_STATUSES, Alert
from relais.actions import ActionError
from relais.redirects import local_next
from territory.models import Commune, Epci

PAGE_SIZE = 25


def _membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _open_alerts():
    """Open alerts; the lists narrow them to the persons one sees (merged records excluded)."""
    return Alert.objects.filter(status__in=OPEN_ALERT_STATUSES)


def _rows(alerts):
    return alerts.select_related("person", "person__commune", "assigned_to", "assigned_structure", "taken_by")


def _rule_filter(request, alerts):
    """The rule chosen in the filter (a known key), and the alerts narrowed to it."""
    key = request.GET.get("regle", "")
    if ruptures.get(key) is None:
        return "", alerts
    return key, alerts.filter(rule=key)


def _labelled(alerts):
    for alert in alerts:
        alert.rule_label = ruptures.rule_label(alert.rule)
    return alerts


def _list(request, alerts, template, extra):
    rule, alerts = _rule_filter(request, alerts)
    # Every id first (one query: a professional's or a structure's open alerts are a few hundred integers, counted
    # by the paginator without a second pass of the need-to-know condition), then the page's rows by their ids:
    # that condition leaves the planner no good estimate for the joins that display each row.
    ids = list(alerts.order_by("opened_at", "pk").values_list("pk", flat=True))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = {alert.pk: alert for alert in _rows(Alert.objects.filter(pk__in=list(page.object_list)).order_by())}
    page.object_list = _labelled([rows[pk] for pk in page.object_list if pk in rows])
    log_access_many(request, [alert.person for alert in page.object_list], detail=extra["title"].lower())
    return render(
        request,
        template,
        {"page": page, "rules": ruptures.rules(), "rule": rule, "next": request.get_full_path(), **extra},
    )


def my_alerts_view(request):
    """« Mes alertes »: what is confided to me, and the unassigned alerts of the people I am référent of; the view
    « suivi » lists every open alert of my people, whoever handles it."""
    membership = _membership_or_403(request)
    view = "suivi" if request.GET.get("vue") == "suivi" else "a_traiter"
    selector = my_people_alerts if view == "suivi" else my_alerts
    alerts = selector(membership, _open_alerts())
    return _list(request, alerts, "pathway/alerts/mine.html", {"title": "Mes alertes", "view": view})


def structure_alerts_view(request):
    membership = _membership_or_403(request)
    alerts = structure_alerts(membership, _open_alerts())
    return _list(
        request,
        alerts,
        "pathway/alerts/structure.html",
        {"title": f"Alertes de {membership.structure.name}", "structure": membership.structure},
    )


def _counts_by_commune_and_rule(alerts):
    rows = alerts.values("commune_id", "rule").annotate(count=Count("pk")).order_by()
    return {(row["commune_id"], row["rule"]): row["count"] for row in rows}


def alert_counts(request):
    """The coordination's view: open alerts by EPCI of the person's commune and by rule. Counts only."""
    membership = _membership_or_403(request)
    if not can_see_alert_counts(membership):
        raise PermissionDenied
    available = [rule for rule in ruptures.rules() if rule.available]
    # The open alerts counted by commune and rule from their partial index alone (each alert carries its person's
    # commune: no join to the people), less those of merged records (a handful, found by their index), then the
    # communes gathered by EPCI.
    counts = _counts_by_commune_and_rule(_open_alerts())
    for key, count in _counts_by_commune_and_rule(_open_alerts().filter(person__merged_into__isnull=False)).items():
        counts[key] -= count
    epci_of = dict(Commune.objects.filter(code__in={commune for commune, _ in counts}).values_list("code", "epci_id"))
    columns = {rule.key: index for index, rule in enumerate(available)}
    by_epci, totals, total = {}, [0] * len(available), 0
    for (commune, rule), count in counts.items():
        if not count:
            continue  # only merged records had it
        cells, subtotal = by_epci.setdefault(epci_of.get(commune), ([0] * len(available), [0]))
        if rule in columns:
            cells[columns[rule]] += count
            totals[columns[rule]] += count
        subtotal[0] += count
        total += count
    names = dict(Epci.objects.filter(pk__in=[key for key in by_epci if key]).values_list("pk", "name"))
    rows = sorted(
        (
            {"name": names.get(epci, "Commune hors EPCI"), "cells": cells, "total": subtotal[0]}
            for epci, (cells, subtotal) in by_epci.items()
        ),
        key=lambda row: row["name"],
    )
    return render(
        request,
        "pathway/alerts/counts.html",
        {"rules": available, "rows": rows, "totals": totals, "total": total, "all_rules": ruptures.rules()},
    )


def carnet_section(request, person):
    """The person's open alerts (and the latest ones closed or lifted) on the carnet."""
    alerts = _labelled(
        list(
            Alert.objects.filter(person=person)
            .select_related("assigned_to", "assigned_structure", "taken_by", "closed_by")
            .order_by("-opened_at", "-pk")[:10]
        )
    )
    for alert in alerts:
        alert.person = person  # the carnet's person, already read: the alerts' buttons name them
    return {
        "person": person,
        "open": [alert for alert in alerts if alert.is_open],
        "past": [alert for alert in alerts if not alert.is_open][:3],
        "next": reverse("entry:person_detail", args=[person.public_id]),
    }


def _alert_for(request, public_id):
    """An alert on a carnet the membership sees; 404 otherwise (nothing confirmed)."""
    membership = _membership_or_403(request)
    alert = get_object_or_404(
        Alert.objects.select_related("person", "person__pathway").filter(person__merged_into__isnull=True),
        public_id=public_id,
    )
    if not can_handle_alert(membership, alert):
        raise Http404
    return alert


def _back(request, alert):
    return local_next(request) or reverse("entry:person_detail", args=[alert.person.public_id])


@require_POST
def alert_take(request, public_id):
    alert = _alert_for(request, public_id)
    try:
        alert_actions.take_in_charge(alert, by=request.membership)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Vous avez pris l'alerte en charge : elle est dans « Mes alertes ».")
    return redirect(_back(request, alert))


def alert_assign(request, public_id):
    alert = _alert_for(request, public_id)
    form = AssignForm(request.POST or None, person=alert.person)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["member"]
        try:
            alert_actions.assign(alert, by=request.membership, member=member)
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"L'alerte est confiée à {member.user}.")
            return redirect(_back(request, alert))
    log_access(request, alert.person, detail="attribution d'une alerte")
    return render(
        request,
        "pathway/alerts/assign.html",
        {"alert": alert, "rule": ruptures.get(alert.rule), "form": form, "back": _back(request, alert)},
    )


def alert_close(request, public_id):
    alert = _alert_for(request, public_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_actions.close(alert, by=request.membership, **form.values())
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "L'alerte est close ; la note de clôture est sur le carnet.")
            return redirect(_back(request, alert))
    log_access(request, alert.person, detail="clôture d'une alerte")
    return render(
        request,
        "pathway/alerts/close.html",
        {
            "alert": alert,
            "rule": ruptures.get(alert.rule),
            "form": form,
            "back": _back(request, alert),
            "reopen_days": settings.RELAIS_RUPTURE_REOPEN_DAYS,
        },
    )
