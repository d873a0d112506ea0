"""Two members of the organisme référent acting on one contract at once, on two database connections: one wins,
the other is told, nothing is half-written or silently overwritten (PostgreSQL: SQLite serialises writers)."""

import threading

import pytest
from django.db import connection

from pathway import contract_actions as actions
from pathway.contract_models import Action, EngagementContract
from relais.actions import ActionError, Conflict
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers on one file: two connections cannot race on a row lock.",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls):
    """Run the calls at the same moment, each on its own connection; their outcome, in order."""
    barrier = threading.Barrier(len(calls), timeout=10)
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except ActionError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_editors_saving_one_action_at_once(draft, referent, colleague, today):
    action = Action.objects.get(objective__contract=draft)
    version = action.lock_version

    def edit(by, label):
        return lambda: actions.update_action(
            action, by=by, expected_version=version, label=label, who="person", due_on=today
        )

    outcomes = race(edit(referent, "Code en ligne"), edit(colleague, "Auto-école"))
    assert outcomes.count("ok") == 1
    refused = next(outcome for outcome in outcomes if outcome != "ok")
    assert isinstance(refused, Conflict) and "vos saisies sont conservées" in str(refused)
    action.refresh_from_db()
    winner = "Code en ligne" if outcomes[0] == "ok" else "Auto-école"
    assert action.label == winner and action.lock_version == version + 1


def test_two_amendments_started_at_once_make_one(signed, referent, colleague):
    outcomes = race(
        lambda: actions.amend_contract(signed, by=referent), lambda: actions.amend_contract(signed, by=colleague)
    )
    assert outcomes.count("ok") == 1
    refused = next(outcome for outcome in outcomes if outcome != "ok")
    assert "déjà en préparation" in str(refused)
    assert EngagementContract.objects.filter(pathway=signed.pathway, status="draft").count() == 1
