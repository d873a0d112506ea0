"""Writing many rows at once (``relais.bulk``): on PostgreSQL by ``COPY`` (and one ``UPDATE`` from arrays), elsewhere
by ``bulk_create`` and ``bulk_update``, with the same result. ``insert_rows``: every row takes the constant values,
its own values and the fields' defaults. ``insert`` and ``update``: the same rows as ``bulk_create`` and
``bulk_update`` write."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.context import acting_as
from audit.models import ChangeLog
from imports.models import ImportedIdentity
from pathway.actions import enter_people
from pathway.models import Pathway, TimelineEvent
from people.models import Person
from relais import bulk
from relais.actions import SYSTEM
from relais.bulk import insert_rows
from tests.people.factories import PersonFactory, make_nir

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


@pytest.mark.parametrize("copy", [True, False])
def test_rows_that_break_a_unique_constraint_may_be_left_out(departement, copy, monkeypatch):
    if not copy:
        monkeypatch.setattr(bulk, "copy_enabled", lambda connection: False)
    first, second = PersonFactory(), PersonFactory()
    ImportedIdentity.objects.create(structure=departement, key="a", person=first)

    insert_rows(
        ImportedIdentity,
        constant={"structure_id": departement.pk},
        fields=["key", "person_id"],
        rows=[("a", second.pk), ("b", second.pk), ("b", first.pk), ("c", first.pk)],
        ignore_conflicts=True,
    )

    assert sorted(ImportedIdentity.objects.values_list("key", "person_id")) == [
        ("a", first.pk),
        ("b", second.pk),
        ("c", first.pk),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            ImportedIdentity,
            constant={"structure_id": departement.pk},
            fields=["key", "person_id"],
            rows=[("a", second.pk)],
        )


def test_nothing_to_write():
    assert insert_rows(ChangeLog, constant={}, fields=["object_id"], rows=[]) == 0


ENTERED = datetime.date(2026, 11, 2)
# What differs between two people entered alike: their keys, dossier numbers and the moment they were written.
UNIQUE = {
    "id",
    "public_id",
    "dossier_number",
    "created_at",
    "updated_at",
    "at",
    "person_id",
    "object_id",
    "pathway_id",
}


def _entries(order):
    born = datetime.date(1988, 3, 14)
    return [
        {
            "identity": {
                "birth_name": "MARTINEZ",
                "usage_name": "DURAND",
                "first_names": "Sofia Inès",
                "birth_date": born,
                "sex": "F",
                "caf_number": f"091234{order}",
                "phone": "0612345678",
                "rsa_since": ENTERED,
                "jobseeker_registered": True,
                "commune_id": "91228",
            },
            "nir": make_nir("F", born, order=order),
            "entered_at": ENTERED,
            "entry_source": "caf",
        },
        {
            "identity": {"birth_name": "DA SILVA", "first_names": "João", "birth_date": datetime.date(1990, 1, 2)}
            | {"commune_id": "91228"},
            "nir": "",
            "entered_at": ENTERED,
            "entry_source": "caf",
        },
    ]


def _rows(persons):
    def plain(queryset):
        return [
            {name: value for name, value in row.items() if name not in UNIQUE | {"nir_encrypted", "nir_digest"}}
            for row in queryset.order_by("pk").values()
        ]

    ids = [person.pk for person in persons]
    pathways = Pathway.objects.filter(person_id__in=ids)
    object_ids = [str(person.public_id) for person in persons] + [str(p.public_id) for p in pathways]
    changes = [
        {name: value for name, value in row.items() if name != "changes"}
        | {"changes": {k: v for k, v in row["changes"].items() if k not in ("dossier_number", "caf_number")}}
        for row in plain(ChangeLog.objects.filter(object_id__in=object_ids))
    ]
    events = [
        {name: value for name, value in row.items() if name != "obj_id"}
        for row in plain(TimelineEvent.objects.filter(person_id__in=ids))
    ]
    people = [
        {name: value for name, value in row.items() if name != "caf_number"}
        for row in plain(Person.objects.filter(pk__in=ids))
    ]
    return people, plain(pathways), changes, events


def test_the_same_rows_by_copy_as_by_bulk_create(professional_a, monkeypatch):
    membership = professional_a.memberships.get()
    with acting_as(professional_a, membership.structure):
        copied = enter_people(by=SYSTEM, entries=_entries(1))
        monkeypatch.setattr(bulk, "copy_enabled", lambda connection: False)
        created = enter_people(by=SYSTEM, entries=_entries(2))
    assert all(person.pk and not person._state.adding for person in copied)
    assert [Person.objects.get(pk=person.pk).nir for person in copied] == [
        make_nir("F", copied[0].birth_date, order=1),
        "",
    ]
    assert _rows(copied) == _rows(created)
    people, pathways, changes, events = _rows(copied)
    assert len(people) == len(pathways) == len(events) == 2 and len(changes) == 4
    assert people[0]["first_names"] == "Sofia Inès" and people[0]["jobseeker_registered"] is True


def test_a_constraint_broken_raises_django_integrity_error(db):
    entries = _entries(3)
    enter_people(by=SYSTEM, entries=entries[:1])
    person = Person.objects.get()
    twin = Person(
        birth_name="X", first_names="Y", birth_date=person.birth_date, commune_id="91228", dossier_number="other"
    )
    twin.nir_digest = person.nir_digest
    other = Person(
        birth_name="Z", first_names="W", birth_date=person.birth_date, commune_id="91228", dossier_number="b"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert([other, twin])
    assert Person.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_is_used_on_postgresql(db):
    assert bulk.copy_enabled(connection)


def test_the_same_rows_updated_as_by_bulk_update(db, monkeypatch):
    first = enter_people(by=SYSTEM, entries=_entries(4))
    second = enter_people(by=SYSTEM, entries=_entries(5))
    for persons in (first, second):
        persons[0].phone, persons[0].email, persons[0].rsa_since = "0798765432", "sofia@example.org", None
        persons[1].jobseeker_registered, persons[1].version = True, 7
    fields = ["email", "jobseeker_registered", "phone", "rsa_since", "version"]
    assert bulk.update(first, fields) == 2
    monkeypatch.setattr(bulk, "copy_enabled", lambda connection: False)
    bulk.update(second, fields)
    assert _rows(first)[0] == _rows(second)[0]
    assert Person.objects.get(pk=first[0].pk).phone == "0798765432"
    assert Person.objects.get(pk=first[1].pk).version == 7


def test_an_update_that_breaks_a_constraint_raises_django_integrity_error(db):
    persons = enter_people(by=SYSTEM, entries=_entries(6))
    persons[1].nir_digest = persons[0].nir_digest
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.update(persons[1:], ["nir_digest"])
