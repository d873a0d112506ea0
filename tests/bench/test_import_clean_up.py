"""The import bench leaves the bench database as it found it: what its runs created is deleted afterwards."""

import datetime

import pytest

from accounts.models import Structure
from audit.models import ChangeLog
from bench import measure_imports
from imports.models import ImportedIdentity, ImportRun
from pathway.actions import enter_people
from pathway.models import Pathway, TimelineEvent
from people.models import Person
from relais.actions import SYSTEM
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_what_the_runs_created_is_deleted_and_nothing_else(tmp_path):
    on_file = enter_people(
        by=SYSTEM,
        entries=[
            {
                "identity": {
                    "birth_name": f"DÉJÀ{number:02d}",
                    "first_names": "Dominique",
                    "birth_date": datetime.date(1980, 1, 1) + datetime.timedelta(days=number),
                    "commune_id": "91228",
                    "caf_number": f"{9_000_000 + number}",
                },
                "entered_at": datetime.date(2026, 1, 5),
            }
            for number in range(12)
        ],
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
