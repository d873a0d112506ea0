"""How entry's tables follow a merge of two records of the same person (see people.merge)."""

from people.merge import Export, Retention, move_rows, register


def _diagnostics_move(survivor, merged):
    """The merged record's diagnostics are renumbered after the survivor's, so that versions stay unique."""
    from entry.models import Diagnostic

    last = Diagnostic.objects.filter(person=survivor).order_by("-number").values_list("number", flat=True).first()
    renumbered = {}
    for offset, diagnostic in enumerate(Diagnostic.objects.filter(person=merged).order_by("number"), start=1):
        renumbered[str(diagnostic.pk)] = diagnostic.number
        diagnostic.number = (last or 0) + offset
        diagnostic.person = survivor
        diagnostic.save(update_fields=["number", "person"])
    return renumbered


def _diagnostics_back(survivor, merged, record):
    from entry.models import Diagnostic

    for diagnostic in Diagnostic.objects.filter(pk__in=[int(pk) for pk in record or {}]):
        diagnostic.person = merged
        diagnostic.number = record[str(diagnostic.pk)]
        diagnostic.save(update_fields=["number", "person"])


def _orientations_move(survivor, merged):
    """An open proposal on both records: the survivor's is kept, the merged one's is cancelled."""
    from entry.models import Orientation

    cancelled = []
    if Orientation.objects.filter(person=survivor, status=Orientation.Status.PROPOSED).exists():
        for orientation in Orientation.objects.filter(person=merged, status=Orientation.Status.PROPOSED):
            orientation.status = Orientation.Status.CANCELLED
            orientation.save(update_fields=["status"])
            cancelled.append(orientation.pk)
    forth, _ = move_rows(Orientation, "person")
    return {"moved": forth(survivor, merged), "cancelled": cancelled}


def _orientations_back(survivor, merged, record):
    from entry.models import Orientation

    _, back = move_rows(Orientation, "person")
    back(survivor, merged, record.get("moved"))
    for orientation in Orientation.objects.filter(pk__in=record.get("cancelled", [])):
        orientation.status = Orientation.Status.PROPOSED
        orientation.save(update_fields=["status"])


def _commissions_move(survivor, merged):
    """The sessions that examined the merged record now list the survivor."""
    moved = []
    for commission in merged.commissions.all().order_by("pk"):
        already = commission.persons.filter(pk=survivor.pk).exists()
        commission.persons.remove(merged)
        commission.persons.add(survivor)
        moved.append([commission.pk, already])
    return moved


def _commissions_back(survivor, merged, record):
    from entry.models import Commission

    for commission_id, already in record or []:
        commission = Commission.objects.get(pk=commission_id)
        commission.persons.add(merged)
        if not already:
            commission.persons.remove(survivor)


def _drafts_move(survivor, merged):
    """Each author's draft follows to the survivor, unless the author has one there already (it stays behind)."""
    from entry.models import DiagnosticDraft

    moved = []
    taken = set(DiagnosticDraft.objects.filter(person=survivor).values_list("author_id", flat=True))
    for draft in DiagnosticDraft.objects.filter(person=merged).exclude(author_id__in=taken).order_by("pk"):
        draft.person = survivor
        draft.save(update_fields=["person"])
        moved.append(draft.pk)
    return moved


def register_relations():
    from entry.models import Commission, Diagnostic, DiagnosticDraft, Notification, Orientation

    register(
        Diagnostic,
        "person",
        merge=_diagnostics_move,
        undo=_diagnostics_back,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )
    register(
        Orientation,
        "person",
        merge=_orientations_move,
        undo=_orientations_back,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )
    _, drafts_back = move_rows(DiagnosticDraft, "person")
    register(
        DiagnosticDraft,
        "person",
        merge=_drafts_move,
        undo=drafts_back,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )
    forth, back = move_rows(Notification, "person")
    register(Notification, "person", merge=forth, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
    register(
        Commission,
        "persons",
        merge=_commissions_move,
        undo=_commissions_back,
        export=Export.INCLUDED,
        retention=Retention.ANONYMISED,
    )
