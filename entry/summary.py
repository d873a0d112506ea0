"""What the home page says about entry for the current membership: counts only, no personal data."""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.access import is_orientation_manager
from pathway.access import answerable_access_requests, orientation_scope
from pathway.models import Pathway


def home_summary(membership):
    if membership is None:
        return {}
    today = timezone.localdate()
    followed = Pathway.objects.filter(
        person__merged_into__isnull=True, team__user_id=membership.user_id, team__ended_at__isnull=True
    ).aggregate(
        followed_count=Count("pk", distinct=True),
        referent_count=Count("pk", filter=Q(referent_id=membership.user_id), distinct=True),
    )
    summary = {**followed, "access_request_count": answerable_access_requests(membership).count()}
    if is_orientation_manager(membership):
        zone = orientation_scope(membership, prefix="person__")
        to_orient = Pathway.objects.filter(person__merged_into__isnull=True, status=Pathway.Status.ENTERED).filter(
            zone
        )
        summary.update(
            to_orient.aggregate(
                to_orient_count=Count("pk"), overdue_count=Count("pk", filter=Q(orientation_due_on__lt=today))
            )
        )
    return summary
