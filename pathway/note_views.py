"""The carnet's notes: the latest ones on the carnet, every note the reader may see (paginated, searchable by a
posted query, never in the address), writing, editing while not fixed, correcting."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from audit.journal import log_access
from audit.models import AccessLog
from pathway import note_actions
from pathway.access import can_edit_note, can_write_note, note_visibility, notes_visible_to, persons_visible_to
from pathway.models import Note
from pathway.note_forms import NoteForm, NoteSearchForm
from relais.actions import ActionError
from relais.text import fold

PAGE_SIZE = 20
SECTION_SIZE = 5


def person_for(request, public_id):
    """The person if within the need-to-know of the current structure; 404 otherwise (nothing confirmed)."""
    if request.membership is None:
        raise PermissionDenied
    queryset = persons_visible_to(request.membership).select_related("pathway")
    return get_object_or_404(queryset, public_id=public_id)


def _readable_notes(membership, person):
    """The notes ``membership`` may read, with what each shows (author, structure, corrected note, corrections).
    ``person`` comes from ``person_for``: the carnet itself is already known to be visible."""
    corrections = Note.objects.filter(note_visibility(membership)).select_related("author").order_by("created_at")
    return (
        Note.objects.filter(person=person)
        .filter(note_visibility(membership))
        .select_related("author", "structure", "corrects")
        .prefetch_related(Prefetch("corrections", queryset=corrections, to_attr="readable_corrections"))
    )


def _decorate(membership, notes):
    for note in notes:
        note.editable = can_edit_note(membership, note)
    return notes


def carnet_section(request, person):
    """What the carnet shows of the notes: the latest ones the reader may see, and whether they may write."""
    membership = request.membership
    notes = _decorate(membership, list(_readable_notes(membership, person)[:SECTION_SIZE]))
    return {"person": person, "notes": notes, "can_write": can_write_note(membership, person)}


def note_list(request, public_id):
    person = person_for(request, public_id)
    membership = request.membership
    notes = _readable_notes(membership, person)
    search = NoteSearchForm(request.POST if request.method == "POST" else None)
    query = ""
    if search.is_bound and search.is_valid():
        query = search.cleaned_data["q"]
        for word in fold(query).split():
            notes = notes.filter(text_search__contains=word)
    page_number = search.cleaned_data.get("page") if query else request.GET.get("page")
    page = Paginator(notes, PAGE_SIZE).get_page(page_number)
    _decorate(membership, page.object_list)
    log_access(
        request,
        person,
        action=AccessLog.Action.SEARCH if query else AccessLog.Action.VIEW,
        detail="recherche dans les notes" if query else "notes",
    )
    return render(
        request,
        "pathway/notes/list.html",
        {
            "person": person,
            "page": page,
            "search": search,
            "query": query,
            "can_write": can_write_note(membership, person),
        },
    )


def _back_to(request, person):
    """Where a note form goes back to: the carnet when it came from there, the notes otherwise."""
    if request.GET.get("depuis") == "carnet":
        return reverse("entry:person_detail", args=[person.public_id])
    return reverse("pathway:note_list", args=[person.public_id])


def note_create(request, public_id):
    person = person_for(request, public_id)
    if not can_write_note(request.membership, person):
        raise PermissionDenied
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = note_actions.write_note(person, by=request.membership, **form.values())
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"La note est enregistrée ; {note.get_visibility_display()} la lit.")
            return redirect(_back_to(request, person))
    log_access(request, person, detail="écriture d'une note")
    return render(
        request,
        "pathway/notes/form.html",
        {"person": person, "form": form, "title": "Nouvelle note", "cancel_url": _back_to(request, person)},
    )


def _note_for(request, person, note_id):
    """A note of ``person`` the reader may see; 404 for any other."""
    return get_object_or_404(
        notes_visible_to(request.membership, person).select_related("corrects", "author"), public_id=note_id
    )


def note_edit(request, public_id, note_id):
    person = person_for(request, public_id)
    note = _note_for(request, person, note_id)
    if not can_edit_note(request.membership, note):
        if note.author_id != request.user.pk:
            raise PermissionDenied
        messages.error(request, note_actions.fixed_message(note))
        return redirect(_back_to(request, person))
    initial = {
        "kind": note.kind,
        "contact_on": note.contact_on,
        "contact_mode": note.contact_mode,
        "text": note.text,
        "sensitive": note.sensitive,
        "visibility": note.visibility,
        "version": note.version,
    }
    form = NoteForm(request.POST or None, initial=initial, corrects=note.corrects)
    if request.method == "POST" and form.is_valid():
        try:
            note_actions.edit_note(
                note, by=request.membership, version=form.cleaned_data.get("version"), **form.values()
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La note est modifiée.")
            return redirect(_back_to(request, person))
    log_access(request, person, detail="modification d'une note")
    return render(
        request,
        "pathway/notes/form.html",
        {
            "person": person,
            "form": form,
            "note": note,
            "title": "Modifier la note",
            "cancel_url": _back_to(request, person),
        },
    )


def note_correct(request, public_id, note_id):
    person = person_for(request, public_id)
    corrected = _note_for(request, person, note_id)
    if not can_write_note(request.membership, person):
        raise PermissionDenied
    form = NoteForm(request.POST or None, corrects=corrected)
    if request.method == "POST" and form.is_valid():
        try:
            note_actions.write_note(person, by=request.membership, corrects=corrected, **form.values())
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La correction est enregistrée, à la suite de la note qu'elle corrige.")
            return redirect(_back_to(request, person))
    log_access(request, person, detail="correction d'une note")
    return render(
        request,
        "pathway/notes/form.html",
        {
            "person": person,
            "form": form,
            "corrected": corrected,
            "title": "Corriger une note",
            "cancel_url": _back_to(request, person),
        },
    )
