"""How the carnet's tables follow a merge of two records of the same person (see people.merge)."""

from people.merge import Export, Retention, move_rows, register


def _team_joins(survivor, merged):
    """The merged record's team joins the survivor's carnet (as intervenants); the merged carnet itself, with its
    référent history, stays attached to the merged record and comes back intact if the merge is undone.

    Whoever created the merged record, acting for the structure they created it for, does not follow: creating a
    duplicate must not open the other record's carnet without the access request (they may ask for it)."""
    from pathway.models import Pathway, TeamMember

    survivor_pathway = Pathway.objects.filter(person=survivor).first()
    merged_pathway = Pathway.objects.filter(person=merged).first()
    added = []
    if survivor_pathway is None or merged_pathway is None:
        return added
    present = set(TeamMember.objects.filter(pathway=survivor_pathway, ended_at=None).values_list("user_id", flat=True))
    for member in merged_pathway.team.filter(ended_at=None).order_by("pk"):
        if member.user_id in present:
            continue
        if (member.user_id, member.structure_id) == (merged.created_by_id, merged.created_for_id):
            continue
        joined = TeamMember(pathway=survivor_pathway, user_id=member.user_id, structure_id=member.structure_id)
        joined.save()
        present.add(member.user_id)
        added.append(joined.pk)
    return added


def _team_leaves(survivor, merged, record):
    from pathway.models import TeamMember

    for member in TeamMember.objects.filter(pk__in=record or []):
        member.delete()


def _access_requests_move(survivor, merged):
    """Requests follow, but a professional waiting on both records keeps one: the other stays with the merged one."""
    from pathway.models import AccessRequest

    waiting = AccessRequest.objects.filter(person=survivor, status=AccessRequest.Status.PENDING).values("requested_by")
    moved = []
    for request in (
        AccessRequest.objects.filter(person=merged)
        .exclude(status=AccessRequest.Status.PENDING, requested_by__in=waiting)
        .order_by("pk")
    ):
        request.person = survivor
        request.save(update_fields=["person"])
        moved.append(request.pk)
    return moved


def register_relations():
    from pathway.models import AccessRequest, Appointment, Pathway, TimelineEvent

    register(
        Pathway,
        "person",
        merge=_team_joins,
        undo=_team_leaves,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )
    _, back = move_rows(AccessRequest, "person")
    register(
        AccessRequest,
        "person",
        merge=_access_requests_move,
        undo=back,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )
    forth, back = move_rows(TimelineEvent, "person")
    register(TimelineEvent, "person", merge=forth, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
    forth, back = move_rows(Appointment, "person")
    register(Appointment, "person", merge=forth, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
    register_carnet_relations()


def register_carnet_relations():
    """Notes follow the survivor: they are the person's, whoever wrote them. So do the information given and the
    objections, with the flag they set (an objection on either record holds for the survivor)."""
    from pathway.models import Alert, Note, SharingFact

    forth, back = move_rows(Note, "person")
    register(Note, "person", merge=forth, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
    _, back = move_rows(Alert, "person")
    register(Alert, "person", merge=_alerts_move, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
    register(
        SharingFact,
        "person",
        merge=_sharing_facts_move,
        undo=_sharing_facts_back,
        export=Export.INCLUDED,
        retention=Retention.DELETED,
    )


def _alerts_move(survivor, merged):
    """Alerts follow, but an open alert of a rule already open on the survivor stays with the merged record (one
    open alert per person and rule); the next computation lifts what no longer holds."""
    from pathway.models import OPEN_ALERT_STATUSES, Alert

    open_rules = Alert.objects.filter(person=survivor, status__in=OPEN_ALERT_STATUSES).values("rule")
    moved = []
    for alert in (
        Alert.objects.filter(person=merged).exclude(status__in=OPEN_ALERT_STATUSES, rule__in=open_rules).order_by("pk")
    ):
        alert.person = survivor
        alert.commune_id = survivor.commune_id
        alert.save(update_fields=["person", "commune"])
        moved.append(alert.pk)
    return moved


def _sharing_facts_move(survivor, merged):
    """The facts follow; the survivor's flag then says what the latest objection or withdrawal of either record
    says (the person objected on the merged record last: the objection holds for the survivor)."""
    from pathway.models import SharingFact
    from pathway.objection_actions import current_objection

    forth, _ = move_rows(SharingFact, "person")
    moved = forth(survivor, merged)
    record = {"facts": moved, "flag": survivor.objects_to_sharing}
    objecting = current_objection(survivor) is not None
    if objecting != survivor.objects_to_sharing:
        survivor.objects_to_sharing = objecting
        survivor.save(update_fields=["objects_to_sharing"])
    return record


def _sharing_facts_back(survivor, merged, record):
    from pathway.models import SharingFact

    _, back = move_rows(SharingFact, "person")
    back(survivor, merged, (record or {}).get("facts"))
    if record and survivor.objects_to_sharing != record["flag"]:
        survivor.objects_to_sharing = record["flag"]
        survivor.save(update_fields=["objects_to_sharing"])
