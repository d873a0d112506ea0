"""Actions on the carnet's notes: write one (or a correction of another), edit it while it is not yet fixed.

Each note lands on the carnet's timeline with the note's own visibility, so that the timeline shows it only to those
who may read the note; the timeline's summary never carries the note's text.
"""

from django.db import transaction
from django.utils import timezone

from pathway import timeline
from pathway.access import can_view_person, can_write_note, notes_visible_to
from pathway.models import SENSITIVE_VISIBILITIES, Note, TimelineEvent, Visibility, wider_than
from relais.actions import SYSTEM, ActionError, Conflict, require, require_actor

timeline.register_kind("pathway.note", "note")
timeline.register_kind("pathway.contact", "contact avec la personne")

EMPTY = "Écrivez le texte de la note."
SENSITIVE_TOO_WIDE = (
    "Une note sensible n'est lue que par vous ou par votre structure : choisissez « moi seulement » (conseillé) ou "
    "« ma structure »."
)
CONTACT_DATE_MISSING = "Indiquez la date du contact."
CONTACT_IN_FUTURE = "La date du contact ne peut pas être dans le futur."
CONTACT_MODE_MISSING = "Indiquez comment le contact a eu lieu."
CORRECTION_TOO_WIDE = "Une correction ne peut pas être lue par plus de monde que la note qu'elle corrige."
FIXED = "Cette note est figée depuis le {until} : elle ne se modifie plus. Pour la rectifier, ajoutez une correction."
AUTHOR_ONLY = "Seul l'auteur d'une note peut la modifier."
EDITED_MEANWHILE = (
    "Cette note a été modifiée entre-temps (dans un autre onglet ?) : rechargez-la avant de la modifier."
)


def fixed_message(note):
    return FIXED.format(until=f"{timezone.localtime(note.editable_until):%d/%m/%Y à %H:%M}")


def default_visibility(sensitive):
    """A sensitive note is for its author alone unless they choose their structure; any other note, the team."""
    return Visibility.AUTHOR if sensitive else Visibility.TEAM


def _checked(*, kind, text, visibility, sensitive, contact_on, contact_mode, corrects):
    """The note's fields once the rules are checked, or ``ActionError`` with the reason."""
    text = (text or "").strip()
    if not text:
        raise ActionError(EMPTY)
    if corrects is not None:
        sensitive = sensitive or corrects.sensitive
    if visibility is None:
        visibility = corrects.visibility if corrects is not None else default_visibility(sensitive)
    visibility = Visibility(visibility)
    if sensitive and visibility not in SENSITIVE_VISIBILITIES:
        raise ActionError(SENSITIVE_TOO_WIDE)
    if corrects is not None and wider_than(visibility, corrects.visibility):
        raise ActionError(CORRECTION_TOO_WIDE)
    kind = Note.Kind(kind)
    if kind == Note.Kind.CONTACT:
        if contact_on is None:
            raise ActionError(CONTACT_DATE_MISSING)
        if contact_on > timezone.localdate():
            raise ActionError(CONTACT_IN_FUTURE)
        if not contact_mode:
            raise ActionError(CONTACT_MODE_MISSING)
        contact_mode = Note.ContactMode(contact_mode)
    else:
        contact_on, contact_mode = None, ""
    return {
        "kind": kind,
        "text": text,
        "visibility": visibility,
        "sensitive": sensitive,
        "contact_on": contact_on,
        "contact_mode": contact_mode,
    }


def _summary(note):
    """What the timeline says of a note: its nature, never its text."""
    if note.corrects_id is not None:
        summary = f"Correction de la note du {timezone.localtime(note.corrects.created_at):%d/%m/%Y}"
    elif note.kind == Note.Kind.CONTACT:
        summary = f"Contact avec la personne ({note.get_contact_mode_display()}) le {note.contact_on:%d/%m/%Y}"
    else:
        summary = "Note de suivi"
    return f"{summary} (note sensible)" if note.sensitive else summary


def _timeline_kind(note):
    return "pathway.contact" if note.kind == Note.Kind.CONTACT else "pathway.note"


def write_note(
    person,
    *,
    by,
    text,
    kind=Note.Kind.FOLLOW_UP,
    visibility=None,
    sensitive=False,
    contact_on=None,
    contact_mode="",
    corrects=None,
):
    """A professional who sees the carnet writes a note. ``visibility`` left out: the team, or the author alone for
    a sensitive note. ``corrects``: the note this one corrects (read by no more people, sensitive if it was)."""
    require_actor(by)
    require(by is not SYSTEM, "Une note a toujours un auteur.")
    require(can_write_note(by, person))
    if corrects is not None:
        require(
            corrects.person_id == person.pk and notes_visible_to(by, person).filter(pk=corrects.pk).exists(),
            "Vous ne pouvez corriger qu'une note que vous lisez.",
        )
    fields = _checked(
        kind=kind,
        text=text,
        visibility=visibility,
        sensitive=sensitive,
        contact_on=contact_on,
        contact_mode=contact_mode,
        corrects=corrects,
    )
    with transaction.atomic():
        note = Note(person=person, author=by.user, structure=by.structure, corrects=corrects, **fields)
        note.save()
        timeline.record(
            person,
            kind=_timeline_kind(note),
            by=by,
            summary=_summary(note),
            visibility=note.visibility,
            obj=note,
            at=note.created_at,
        )
    return note


def edit_note(note, *, by, version, text, visibility, sensitive, kind, contact_on=None, contact_mode=""):
    """The author corrects their note while it is not fixed yet; its timeline event follows (visibility, summary)."""
    require_actor(by)
    with transaction.atomic():
        locked = Note.objects.select_for_update(of=("self",)).select_related("person", "corrects").get(pk=note.pk)
        require(by is not SYSTEM and can_view_person(by, locked.person))
        require(locked.author_id == by.user_id, AUTHOR_ONLY)
        if locked.is_fixed:
            raise ActionError(fixed_message(locked))
        if version is not None and version != locked.version:
            raise Conflict(EDITED_MEANWHILE)
        fields = _checked(
            kind=kind,
            text=text,
            visibility=visibility,
            sensitive=sensitive,
            contact_on=contact_on,
            contact_mode=contact_mode,
            corrects=locked.corrects,
        )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.edited_at = timezone.now()
        locked.save()
        for event in TimelineEvent.objects.filter(
            person_id=locked.person_id, obj_type=Note._meta.label_lower, obj_id=str(locked.public_id)
        ):
            event.kind = _timeline_kind(locked)
            event.visibility = locked.visibility
            event.summary = _summary(locked)[:255]
            event.save(update_fields=["kind", "visibility", "summary"])
    return locked
