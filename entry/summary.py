"""What the home page says about entry for the current membership: counts only, no personal data."""

from datetime import timedelta

from django.db.models import Count, Q, Window
from django.utils import timezone

from accounts.access import is_orientation_manager, is_structure_admin
from pathway.access import answerable_access_requests, orientation_pathways, persons_visible_to
from pathway.models import AccessRequest, Pathway


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
    summary = {**followed}
    if is_orientation_manager(membership):
        to_orient = orientation_pathways(membership).filter(status=Pathway.Status.ENTERED)
        # Counted by person (in the index), not by id: read from the partial index of the people to orient alone.
        summary.update(
            to_orient.aggregate(
                to_orient_count=Count("person"), overdue_count=Count("person", filter=Q(orientation_due_on__lt=today))
            )
        )
    return summary


INBOX_SIZE = 5
NEWLY_ORIENTED_DAYS = 30


def inbox(membership):
    """What this professional must act on, most urgent first: each section has its count and its first items.
    A bounded number of queries whatever the caseload."""
    if membership is None:
        return []
    today = timezone.localdate()
    user_id, structure = membership.user_id, membership.structure
    visible = persons_visible_to(membership).values("pk")
    sections = []

    def section(key, title, queryset, link="", empty=""):
        # One query a section: the total comes with the first rows (a window over the whole result).
        items = list(queryset.annotate(inbox_total=Window(Count("pk")))[:INBOX_SIZE])
        count = items[0].inbox_total if items else 0
        sections.append({"key": key, "title": title, "items": items, "count": count, "link": link, "empty": empty})

    mine = Pathway.objects.filter(referent_id=user_id, referent_structure=structure, person__in=visible)
    section(
        "newly_oriented",
        "Personnes qui vous sont confiées",
        mine.filter(
            referent_history__user_id=user_id,
            referent_history__ended_at__isnull=True,
            referent_history__started_at__gte=timezone.now() - timedelta(days=NEWLY_ORIENTED_DAYS),
        )
        .select_related("person", "referent_structure")
        .order_by("-referent_history__started_at", "pk"),
    )
    section(
        "contracts_due",
        "Contrats d'engagement à signer",
        mine.filter(contract_due_on__isnull=False).select_related("person").order_by("contract_due_on", "pk"),
    )
    if is_structure_admin(membership) or is_orientation_manager(membership):
        section(
            "without_referent",
            f"Orientées vers {structure.name}, sans référent",
            Pathway.objects.filter(referent_structure=structure, referent__isnull=True, status=Pathway.Status.ORIENTED)
            .select_related("person")
            .order_by("oriented_at", "pk"),
        )
    section(
        "access_requests",
        "Demandes d'accès à traiter",
        answerable_access_requests(membership)
        .select_related("person", "requested_by", "structure")
        .order_by("requested_at", "pk"),
        link="entry:access_request_list",
    )
    section(
        "entered_by_me",
        "Personnes que vous avez saisies",
        Pathway.objects.filter(person__created_by_id=user_id, person__created_for=structure, person__in=visible)
        .select_related("person", "referent_structure", "referent")
        .order_by("-person__created_at", "pk"),
    )
    section(
        "my_requests",
        "Vos demandes d'accès",
        AccessRequest.objects.filter(requested_by_id=user_id, structure=structure)
        .select_related("person")
        .order_by("-requested_at", "pk"),
    )
    for item in sections:
        item["today"] = today
    return sections
