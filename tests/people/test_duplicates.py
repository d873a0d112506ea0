"""The probable duplicates across the département: computed in the background by the matching rules, ranked,
told apart once and for all, recomputed on a coordinator's request."""

import datetime

import pytest

from people import duplicates
from people.models import DuplicatePair, DuplicateScan
from people.tasks import find_duplicates
from relais.actions import Conflict, Forbidden
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1983, 6, 14)


@pytest.fixture
def people():
    """A duplicate with little doubt, one with a birth-date typo, and people who only look alike."""
    return {
        "moreau": PersonFactory(birth_name="Moreau", first_names="Camille", birth_date=BIRTH),
        "moreau_again": PersonFactory(birth_name="MOREAU", first_names="camille", birth_date=BIRTH),
        "leroy": PersonFactory(birth_name="Leroy", first_names="Inès", birth_date=datetime.date(1975, 2, 3)),
        "leroy_typo": PersonFactory(birth_name="Leroi", first_names="Ines", birth_date=datetime.date(1975, 2, 8)),
        # A homonym born decades apart, a twin: not duplicates.
        "mother": PersonFactory(birth_name="Moreau", first_names="Camille", birth_date=datetime.date(1950, 1, 9)),
        "twin": PersonFactory(birth_name="Moreau", first_names="Louis", birth_date=BIRTH, sex="M"),
        # The same household (CAF number), another person.
        "spouse": PersonFactory(
            birth_name="Leroy", first_names="Marc", birth_date=datetime.date(1973, 4, 5), caf_number="7654321"
        ),
        "spouse_partner": PersonFactory(
            birth_name="Leroy", first_names="Sarah", birth_date=datetime.date(1976, 9, 1), caf_number="7654321"
        ),
    }


def pairs():
    return {
        (pair.first.first_names, pair.first.birth_name, pair.second.first_names, pair.second.birth_name): pair
        for pair in DuplicatePair.objects.select_related("first", "second")
    }


def scan(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return duplicates.request_scan(by=coordinator.memberships.get())


def test_the_engine_finds_the_likely_duplicates_and_only_them(people):
    found, compared = duplicates.find_pairs()

    assert compared == len(people)
    expected = {
        tuple(sorted((people["moreau"].pk, people["moreau_again"].pk))),
        tuple(sorted((people["leroy"].pk, people["leroy_typo"].pk))),
    }
    assert set(found) == expected
    strong = found[tuple(sorted((people["moreau"].pk, people["moreau_again"].pk)))]
    assert strong[1] is True and strong[0] == 100
    assert "Même date de naissance" in strong[2]
    typo = found[tuple(sorted((people["leroy"].pk, people["leroy_typo"].pk)))]
    assert typo[1] is False and typo[0] >= 80


def test_a_coordinator_asks_and_the_task_queue_computes_the_ranked_list(
    people, coordinator, django_capture_on_commit_callbacks
):
    requested = scan(coordinator, django_capture_on_commit_callbacks)

    requested.refresh_from_db()
    assert requested.finished_at is not None
    assert (requested.persons_compared, requested.pairs_found) == (len(people), 2)
    ranked = list(duplicates.proposed_pairs())
    assert [pair.strong for pair in ranked] == [True, False]
    assert ranked[0].first == people["moreau"]  # the older record first
    assert duplicates.last_scan() == requested and duplicates.running_scan() is None


def test_a_pair_told_apart_is_never_proposed_again(people, coordinator, django_capture_on_commit_callbacks):
    scan(coordinator, django_capture_on_commit_callbacks)
    pair = duplicates.proposed_pairs().filter(strong=False).get()

    duplicates.mark_distinct(pair, by=coordinator.memberships.get())
    scan(coordinator, django_capture_on_commit_callbacks)

    assert DuplicatePair.objects.get(pk=pair.pk).status == DuplicatePair.Status.DISTINCT
    assert duplicates.proposed_pairs().count() == 1
    with pytest.raises(Conflict):
        duplicates.mark_distinct(pair, by=coordinator.memberships.get())


def test_a_pair_no_longer_found_leaves_the_list(people, coordinator, django_capture_on_commit_callbacks):
    scan(coordinator, django_capture_on_commit_callbacks)
    typo = people["leroy_typo"]
    typo.birth_date = datetime.date(1990, 12, 25)
    typo.save()

    scan(coordinator, django_capture_on_commit_callbacks)

    assert duplicates.proposed_pairs().count() == 1


def test_one_computation_at_a_time_and_only_for_coordinators(people, coordinator, professional_a):
    DuplicateScan.objects.create(requested_by=coordinator)

    with pytest.raises(Conflict):
        duplicates.request_scan(by=coordinator.memberships.get())
    with pytest.raises(Forbidden):
        duplicates.request_scan(by=professional_a.memberships.get())


def test_a_computation_left_unfinished_for_long_does_not_block_the_next(people, coordinator):
    DuplicateScan.objects.create(
        requested_by=coordinator, requested_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    assert duplicates.running_scan() is None


def test_the_task_does_nothing_for_a_finished_computation(people, coordinator):
    done = DuplicateScan.objects.create(requested_by=coordinator, finished_at=datetime.datetime.now(datetime.UTC))

    assert find_duplicates.call(done.pk) == 0
    assert not DuplicatePair.objects.exists()
