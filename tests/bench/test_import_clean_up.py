"""The import bench leaves the bench database as it found it: what its runs created is deleted afterwards."""

import datetime

import pytest

from accounts.models import Structure
from audit.models import ChangeLog
from bench import measure_imports
from imports.models import ImportedIdentity, ImportRun
from pathway.models import Pathway, TimelineEvent
from people.models import Person
from tests.factories import StructureFactory, enter_people_born_apart

pytestmark = pytest.mark.django_db


def test_what_the_runs_created_is_deleted_and_nothing_else(tmp_path):
    on_file = enter_people_born_apart(
        12,
        name="DÉJÀ",
        first_names="Dominique",
        born=datetime.date(1980, 1, 1),
        entered_at=datetime.date(2026, 1, 5),
        caf_number=lambda number: f"{9_000_000 + number}",
    )
    structure = StructureFactory(kind=Structure.Kind.DEPARTEMENT)
    path = tmp_path / "rsa.csv"
    measure_imports.write_file(path, 40)
    first = measure_imports.engine(path, structure)[1]
    second = measure_imports.engine(path, structure)[1]
    assert first.counts["created"] > 0
    assert Person.objects.count() > len(on_file)
    deletions = ChangeLog.objects.filter(action=ChangeLog.Action.DELETE).count()

    measure_imports.clean_up([first, second])

    assert set(Person.objects.values_list("pk", flat=True)) == {person.pk for person in on_file}
    assert Pathway.objects.count() == len(on_file)
    assert set(TimelineEvent.objects.values_list("person_id", flat=True)) == {person.pk for person in on_file}
    assert not ImportRun.objects.exists()
    assert not ImportedIdentity.objects.exists()
    # The bench's own rows, removed without a delete entry each; the history of everything else is kept.
    assert ChangeLog.objects.filter(action=ChangeLog.Action.DELETE).count() == deletions
    # The delete history is back for everything else.
    on_file[0].delete()
    assert ChangeLog.objects.filter(action=ChangeLog.Action.DELETE).count() > deletions
