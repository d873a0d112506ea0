"""« Mes personnes »: the caseload of the professional, for the structure they act for; and its exports."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.access import is_structure_admin
from audit.journal import log_access_many
from audit.models import AccessLog
from pathway import caseload
from pathway.carnet_views import CountedPaginator, membership_or_403
from pathway.forms import CaseloadFilterForm

PAGE_SIZE = 25
EXPORT_FORMATS = {"csv", "xlsx"}


def _filters(request):
    form = CaseloadFilterForm(request.GET or None)
    return form, form.filters() if form.is_bound else {"statut": "en_cours", "referent": "", "commune": ""}


@never_cache
def caseload_page(request):
    membership = membership_or_403(request)
    form, filters = _filters(request)
    communes = caseload.by_commune(membership, filters)
    form.offer_communes([(code, name) for code, name, _ in communes], filters["commune"])
    count = sum(n for code, _, n in communes if not filters["commune"] or code == filters["commune"])
    sort = request.GET.get("tri", caseload.DEFAULT_SORT)
    sort_key, descending = caseload.sort_key(sort)
    page = CountedPaginator(caseload.rows(membership, filters, sort), PAGE_SIZE, count=count).get_page(
        request.GET.get("page")
    )
    people = caseload.load(page.object_list, membership)
    log_access_many(request, people, action=AccessLog.Action.VIEW, detail="mes personnes")
    labels, values = caseload.table(people, membership)
    columns = [
        {
            "key": column.key,
            "label": column.label,
            "sortable": bool(column.sort),
            "sorted": column.key == sort_key,
            "descending": column.key == sort_key and descending,
            "next_sort": f"-{column.key}" if column.key == sort_key and not descending else column.key,
        }
        for column in caseload.columns()
    ]
    return render(
        request,
        "pathway/caseload.html",
        {
            "form": form,
            "page": page,
            "columns": columns,
            "rows": [
                {"person": person, "cells": list(zip(columns, cells, strict=True))}
                for person, cells in zip(people, values, strict=True)
            ],
            "labels": labels,
            "sort": sort,
            "can_bulk_handover": is_structure_admin(membership),
        },
    )


@never_cache
def caseload_export(request, fmt):
    """The whole filtered, sorted caseload as a spreadsheet; every person exported is written in the access log."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    membership = membership_or_403(request)
    _, filters = _filters(request)
    people = caseload.load(
        caseload.rows(membership, filters, request.GET.get("tri", caseload.DEFAULT_SORT)), membership
    )
    labels, values = caseload.table(people, membership)
    log_access_many(request, people, action=AccessLog.Action.EXPORT, detail=f"export de mes personnes ({fmt.upper()})")
    name = f"mes-personnes-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(_csv(labels, values), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(labels, values), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv(labels, values):
    """Semicolons and a byte order mark: what a French spreadsheet opens as columns, accents intact."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(labels)
    for row in values:
        writer.writerow([caseload.csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _xlsx(labels, values):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mes personnes"
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in values:
        sheet.append([caseload.neutralised(value) if isinstance(value, str) else value for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A2"
    for index, label in enumerate(labels, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(14, len(label) + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
