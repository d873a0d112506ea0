"""Several people entering at once (``enter_people``, an import's batch) leave what ``enter_person`` leaves."""

import datetime

import pytest

from audit.context import acting_as
from audit.models import ChangeLog
from pathway.actions import enter_people, enter_person
from pathway.models import EntrySource, Pathway, TimelineEvent
from people.models import NameVariant, Person
from relais.actions import SYSTEM, ActionError
from tests.people.factories import make_nir

pytestmark = pytest.mark.django_db

ENTERED = datetime.date(2026, 11, 2)


def identity(name, first, born, **extra):
    return {"birth_name": name, "first_names": first, "birth_date": born, "commune_id": "91228", **extra}


def entry(name, first, born, nir="", **extra):
    return {"identity": identity(name, first, born, **extra), "nir": nir, "entered_at": ENTERED, "entry_source": "caf"}


def _journal(person):
    return list(
        ChangeLog.objects.filter(object_id__in=[str(person.public_id), str(person.pathway.public_id)])
        .order_by("object_type")
        .values_list("object_type", "action", "changes")
    )


def test_the_same_records_as_one_by_one(professional_a):
    membership = professional_a.memberships.get()
    born = datetime.date(1988, 3, 14)
    nir = make_nir("F", born)
    with acting_as(professional_a, membership.structure):
        alone = enter_person(
            by=SYSTEM,
            identity=identity("MARTINEZ", "Sofia", born, rsa_since=ENTERED, sex="F"),
            nir=nir,
            entered_at=ENTERED,
            entry_source=EntrySource.CAF,
        )
        together = enter_people(
            by=SYSTEM,
            entries=[
                entry("MARTINEZ", "Sofia", born, nir=make_nir("F", born, order=2), rsa_since=ENTERED, sex="F"),
                entry("DA SILVA", "João", datetime.date(1990, 1, 2)),
            ],
        )
    first, second = together
    assert first.dossier_number[-6:] == f"{int(alone.dossier_number[-6:]) + 1:06d}"
    assert second.dossier_number[-6:] == f"{int(alone.dossier_number[-6:]) + 2:06d}"
    first = Person.objects.get(pk=first.pk)
    assert (first.name_search, first.birth_name_key, first.last_name_phonetic) == (
        alone.name_search,
        alone.birth_name_key,
        alone.last_name_phonetic,
    )
    assert first.pathway.orientation_due_on == alone.pathway.orientation_due_on == datetime.date(2026, 12, 14)
    assert Pathway.objects.get(person=second).orientation_due_on is None
    assert _journal(first) == _journal(alone)
    assert ChangeLog.objects.filter(object_id=str(first.public_id)).get().user == professional_a
    event = TimelineEvent.objects.get(person=first)
    assert (event.kind, event.summary) == ("pathway.entered", "Entrée dans le parcours (flux CAF / MSA (RSA))")
    assert NameVariant.objects.filter(name="dasilva").exists()


def test_a_nir_on_file_refuses_the_batch(db):
    born = datetime.date(1988, 3, 14)
    nir = make_nir("F", born)
    enter_person(by=SYSTEM, identity=identity("MARTINEZ", "Sofia", born), nir=nir, entered_at=ENTERED)
    with pytest.raises(ActionError):
        enter_people(
            by=SYSTEM, entries=[entry("PETIT", "Lucas", datetime.date(1999, 1, 1)), entry("X", "Y", born, nir=nir)]
        )
    assert Person.objects.count() == 1


def test_a_professional_joins_the_team_of_each(professional_a):
    membership = professional_a.memberships.get()
    persons = enter_people(by=membership, entries=[entry("PETIT", "Lucas", datetime.date(1999, 1, 1))])
    assert persons[0].pathway.team.get().user == professional_a
