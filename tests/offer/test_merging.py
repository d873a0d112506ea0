"""A merge of two records of one person: referrals follow the survivor (people.merge registry, offer/merging.py)."""

import pytest

from offer import actions
from offer.models import Referral
from people.merge import merge_persons, undo_merge
from tests.offer.factories import ServiceFactory
from tests.people.factories import PersonFactory


@pytest.mark.django_db
def test_referrals_follow_the_survivor_but_two_open_ones_to_one_service_stay_apart(
    membership_a, association, coordinator
):
    survivor = PersonFactory(birth_name="Moreau", followed_by=membership_a)
    merged = PersonFactory(birth_name="Moreau", followed_by=membership_a)
    permit, workshop = ServiceFactory(structure=association), ServiceFactory(structure=association)
    kept = actions.send_referral(survivor, permit, by=membership_a)
    twin = actions.send_referral(merged, permit, by=membership_a)
    other = actions.send_referral(merged, workshop, by=membership_a)
    by = coordinator.memberships.get()

    record = merge_persons(survivor=survivor, merged=merged, by=by)

    people = dict(Referral.objects.values_list("pk", "person"))
    assert people == {kept.pk: survivor.pk, twin.pk: merged.pk, other.pk: survivor.pk}
    assert record.moved["offer.referral.person"] == [other.pk]

    undo_merge(record, by=by)

    people = dict(Referral.objects.values_list("pk", "person"))
    assert people == {kept.pk: survivor.pk, twin.pk: merged.pk, other.pk: merged.pk}
