"""How the offer's tables follow a merge of two records of the same person (see people.merge)."""

from people.merge import Export, Retention, move_rows, register


def _referrals_move(survivor, merged):
    """Referrals follow the survivor, but one person has one open referral to a service: an open referral of the
    merged record to a service the survivor is already open with stays with the merged record (as a pending access
    request does), and the receiving structure still answers it."""
    from offer.models import Referral

    open_services = Referral.objects.filter(person=survivor, status__in=Referral.OPEN).values("service")
    moved = []
    for referral in (
        Referral.objects.filter(person=merged)
        .exclude(status__in=Referral.OPEN, service__in=open_services)
        .order_by("pk")
    ):
        referral.person = survivor
        referral.save(update_fields=["person"])
        moved.append(referral.pk)
    return moved


def register_relations():
    from offer.models import Referral

    _, back = move_rows(Referral, "person")
    # A referral belongs to the person's record: exported with it, deleted with it (on_delete CASCADE).
    register(Referral, "person", merge=_referrals_move, undo=back, export=Export.INCLUDED, retention=Retention.DELETED)
