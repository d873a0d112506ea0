"""Pages of the imports: upload and runs, progress, report and its CSV, review of the rows set aside, profiles."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from audit.journal import log_access_many
from imports import actions
from imports.access import can_import, reachable, runs_visible_to
from imports.fields import FIELDS
from imports.forms import HeadersForm, MappingForm, UploadForm
from imports.models import ImportProfile, ImportRow, ImportRun
from imports.readers import UnreadableFile, open_table
from imports.report import report_rows
from imports.tasks import run_import
from people.models import Person
from relais.actions import ActionError
from relais.cells import safe_row

PAGE_SIZE = 25
REVIEW_PAGE_SIZE = 10


def _importer_or_403(request):
    membership = request.membership
    if not can_import(membership):
        raise PermissionDenied
    return membership


def _run_or_404(request, public_id):
    membership = _importer_or_403(request)
    return membership, get_object_or_404(runs_visible_to(membership).select_related("started_by"), public_id=public_id)


def run_list(request):
    """The structure's imports, and the form to send a file."""
    membership = _importer_or_403(request)
    form = UploadForm(request.POST or None, request.FILES or None, structure=membership.structure)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = ImportRun(
            structure=membership.structure,
            started_by=request.user,
            membership=membership,
            profile_name=form.cleaned_data["profile"],
            file_name=upload.name[:255],
            apply=form.cleaned_data["apply"],
            size=upload.size,
        )
        run.file.save(f"{run.public_id}.bin", upload, save=False)
        run.save()
        run_import.enqueue(run.pk)
        return redirect("imports:run_detail", run.public_id)
    runs = runs_visible_to(membership).select_related("started_by")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "imports/run_list.html", {"form": form, "page": page})


def _run_context(run):
    outcomes = [(label, getattr(run, value), value) for value, label in ImportRow.Outcome.choices]
    return {"run": run, "outcomes": outcomes}


def run_detail(request, public_id):
    """A run: its progress while it runs (refreshed by htmx, and on reload), then its counts and report."""
    membership, run = _run_or_404(request, public_id)
    outcome = request.GET.get("resultat", "")
    rows = run.rows.select_related("person").order_by("line")
    if outcome in ImportRow.Outcome.values:
        rows = rows.filter(outcome=outcome)
    else:
        outcome = ""
        # The people created or unchanged whose row had a value left out are shown too.
        rows = rows.exclude(Q(outcome__in=[ImportRow.Outcome.CREATED, ImportRow.Outcome.UNCHANGED]) & Q(reason=""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**_run_context(run), "page": page, "outcome": outcome, "fields": FIELDS}
    context["outcome_choices"] = ImportRow.Outcome.choices
    return render(request, "imports/run_detail.html", context)


def run_progress(request, public_id):
    """The progress bar alone, polled by the run's page while the run is under way."""
    membership, run = _run_or_404(request, public_id)
    response = render(request, "imports/_progress.html", _run_context(run))
    if run.is_finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def resume(request, public_id):
    """A stuck run (its worker stopped) goes back to the task queue, to resume after its last committed batch."""
    membership, run = _run_or_404(request, public_id)
    try:
        actions.resume_run(run, by=membership)
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"L'import reprend après la ligne {run.processed} : les lignes déjà traitées ne le sont pas deux fois.",
        )
    return redirect("imports:run_detail", run.public_id)


def report_csv(request, public_id):
    """The report, row by row, as CSV (semicolons, UTF-8 with BOM for spreadsheets); formulas neutralised."""
    membership, run = _run_or_404(request, public_id)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        yield "\ufeff"
        for values in report_rows(run):
            writer.writerow(safe_row(values))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapport-import-{run.started_at:%Y-%m-%d}.csv"'
    return response


def review(request, public_id):
    """The rows set aside, each with its candidates, to decide: the same person, or another one."""
    membership, run = _run_or_404(request, public_id)
    if not run.apply:
        raise Http404("Une simulation n'a rien mis de côté à décider.")
    rows = run.rows.filter(outcome=ImportRow.Outcome.SET_ASIDE, decided_at__isnull=True).order_by("line")
    page = Paginator(rows, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = {candidate["id"] for row in page for candidate in row.candidates}
    found = Person.objects.filter(public_id__in=ids, merged_into__isnull=True).select_related("commune", "pathway")
    found = {person.pk: person for person in found}
    # Only the candidates the importer may reach (who may see whom changes after the import).
    shown = reachable(membership, run.structure_id, found)
    persons = {str(person.public_id): person for pk, person in found.items() if pk in shown}
    items = []
    for row in page:
        known = [candidate for candidate in row.candidates if candidate["id"] in persons]
        candidates = [(persons[candidate["id"]], candidate["score"]) for candidate in known]
        items.append((row, candidates))
    log_access_many(request, persons.values(), detail="revue d'un import")
    return render(request, "imports/review.html", {"run": run, "page": page, "items": items, "fields": FIELDS})


@require_POST
def decide(request, public_id):
    membership = _importer_or_403(request)
    row = get_object_or_404(
        ImportRow.objects.select_related("run"), public_id=public_id, run__structure_id=membership.structure_id
    )
    choice = request.POST.get("decision", "")
    try:
        if choice == "autre":
            actions.decide_row(row, by=membership)
            messages.success(request, f"Ligne {row.line} : une nouvelle personne a été créée.")
        elif choice:
            actions.decide_row(row, by=membership, same_as=choice)
            messages.success(request, f"Ligne {row.line} : le dossier existant a été rapproché.")
        else:
            messages.error(request, "Choisissez une décision pour cette ligne.")
    except ActionError as error:
        messages.error(request, str(error))
    return redirect("imports:review", row.run.public_id)


def profile_list(request):
    """The structure's own column profiles; a new one from a sample file's headers."""
    membership = _importer_or_403(request)
    structure = membership.structure
    profiles = ImportProfile.objects.filter(structure=structure)
    headers_form = HeadersForm()
    mapping_form = None
    if request.method == "POST" and request.POST.get("step") == "headers":
        headers_form = HeadersForm(request.POST, request.FILES)
        if headers_form.is_valid():
            try:
                headers = open_table(headers_form.cleaned_data["file"].open("rb")).headers
            except UnreadableFile as error:
                headers_form.add_error("file", str(error))
            else:
                mapping_form = MappingForm(headers=headers, structure=structure)
    elif request.method == "POST":
        count = sum(1 for key in request.POST if key.startswith("header_"))
        headers = [request.POST.get(f"header_{index}", "") for index in range(min(count, 200))]
        mapping_form = MappingForm(request.POST, headers=headers, structure=structure)
        if mapping_form.is_valid():
            ImportProfile.objects.create(
                structure=structure,
                name=mapping_form.cleaned_data["name"],
                entry_source=mapping_form.cleaned_data["entry_source"],
                mapping=mapping_form.cleaned_data["mapping"],
                created_by=request.user,
            )
            messages.success(request, f"Le profil « {mapping_form.cleaned_data['name']} » est enregistré.")
            return redirect("imports:profile_list")
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "headers_form": headers_form, "mapping_form": mapping_form, "fields": FIELDS}
    return render(request, "imports/profile_list.html", context)


@require_POST
def profile_delete(request, public_id):
    membership = _importer_or_403(request)
    profile = ImportProfile.objects.filter(structure=membership.structure, public_id=public_id).first()
    if profile is None:
        raise Http404
    profile.delete()
    messages.success(request, f"Le profil « {profile.name} » est supprimé.")
    return redirect("imports:profile_list")
