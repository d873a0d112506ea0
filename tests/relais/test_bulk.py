"""Writing many rows at once (``relais.bulk.insert_rows``): every row takes the constant values, its own values and
the fields' defaults; on PostgreSQL by ``COPY``, elsewhere by ``bulk_create``, with the same result."""

import uuid

import pytest
from django.utils import timezone

from audit.models import ChangeLog
from pathway.models import TimelineEvent
from relais.bulk import insert_rows
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_each_row_takes_the_constant_values_its_own_and_the_defaults():
    before = timezone.now()

    written = insert_rows(
        ChangeLog,
        constant={"object_type": "pathway.alert", "object_label": "Alerte", "action": ChangeLog.Action.CREATE},
        fields=["object_id", "changes"],
        rows=[(str(index), {"status": [None, f"état {index}"]}) for index in range(3)],
    )

    rows = list(ChangeLog.objects.order_by("object_id"))
    assert written == 3
    assert [(row.object_id, row.changes) for row in rows] == [
        (str(index), {"status": [None, f"état {index}"]}) for index in range(3)
    ]
    assert all(row.object_label == "Alerte" and row.user_id is None and row.at >= before for row in rows)


def test_a_unique_column_must_be_given_for_each_row():
    person = PersonFactory()

    with pytest.raises(ValueError, match="unique"):
        insert_rows(
            TimelineEvent,
            constant={"kind": "pathway.alert_opened", "summary": "Alerte"},
            fields=["person_id"],
            rows=[(person.pk,)],
        )

    insert_rows(
        TimelineEvent,
        constant={"kind": "pathway.alert_opened", "summary": "Alerte"},
        fields=["public_id", "person_id"],
        rows=[(uuid.uuid4(), person.pk), (uuid.uuid4(), person.pk)],
    )
    assert TimelineEvent.objects.filter(person=person, kind="pathway.alert_opened", data={}).count() == 2


def test_nothing_to_write():
    assert insert_rows(ChangeLog, constant={}, fields=["object_id"], rows=[]) == 0
