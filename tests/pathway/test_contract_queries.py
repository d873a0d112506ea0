"""The contract's pages read a bounded number of queries, whatever the number of objectives, actions, versions
or people (5 against 40)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pathway import contract_actions as actions
from pathway.contract_models import Action, EngagementContract, Objective
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def queries(client, url, **extra):
    client.get(url, **extra)  # the session's idle timeout is renewed once a minute: measure a page, not that
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured)


def fill(contract, referent, count, today):
    """``count`` objectives of two actions each (written directly: the actions' path is tested elsewhere)."""
    for index in range(count):
        objective = Objective.objects.create(contract=contract, position=index, label=f"Objectif {index}")
        Action.objects.bulk_create(
            Action(objective=objective, position=n, label=f"Action {index}.{n}", due_on=today) for n in range(2)
        )


@pytest.mark.parametrize("name", ["pathway:contract_detail", "pathway:contract_print"])
def test_a_contract_page_reads_a_constant_number_of_queries(client, accompany, referent, today, name):
    client.force_login(referent.user)
    counts = []
    for size in (5, 40):
        pathway = accompany(referent)
        contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
        fill(contract, referent, size, today)
        counts.append(queries(client, reverse(name, args=[contract.public_id])))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25


def test_the_differences_read_a_constant_number_of_queries(client, accompany, referent, today):
    client.force_login(referent.user)
    counts = []
    for size in (5, 40):
        pathway = accompany(referent)
        contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
        fill(contract, referent, size, today)
        actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="paper")
        amendment = actions.amend_contract(contract, by=referent)
        fill(amendment, referent, size, today)
        counts.append(queries(client, reverse("pathway:contract_diff", args=[amendment.public_id])))
    assert counts[0] == counts[1], counts


def test_the_versions_read_a_constant_number_of_queries(client, accompany, referent, today):
    client.force_login(referent.user)
    counts = []
    for size in (5, 40):
        pathway = accompany(referent)
        EngagementContract.objects.bulk_create(
            EngagementContract(
                pathway=pathway,
                number=number,
                status="superseded",
                starts_on=today,
                review_on=today + DAY,
                weekly_hours=15,
                signed_on=today,
                agreement_mode="paper",
                created_by=referent.user,
                created_for=referent.structure,
                signature_recorded_by=referent.user,
            )
            for number in range(1, size + 1)
        )
        counts.append(queries(client, reverse("pathway:contract_home", args=[pathway.person.public_id])))
        counts.append(queries(client, reverse("entry:person_detail", args=[pathway.person.public_id])))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_the_worklist_reads_a_constant_number_of_queries(client, accompany, referent, today):
    client.force_login(referent.user)
    counts = []
    made = 0
    for size in (5, 40):
        while made < size:
            pathway = accompany(referent, entered_at=datetime.date(2024, 1, 1) + made * DAY)
            if made % 2:
                actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
            made += 1
        counts.append(queries(client, reverse("pathway:contract_worklist")))
    assert counts[0] == counts[1], counts
