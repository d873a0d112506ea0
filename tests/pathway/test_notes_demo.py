"""The demo carnets: notes of each visibility, the information given, an objection and alerts, written once."""

import pytest

from accounts.demo import seed_consortium
from audit.context import acting_as
from entry import demo
from pathway.demo_notes import seed_notes
from pathway.models import OPEN_ALERT_STATUSES, Alert, Note, SharingFact, Visibility
from people.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_carnets_hold_notes_of_each_visibility_and_some_alerts(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_PEOPLE", 40)
    with acting_as(None, None):
        seed_consortium()
        demo.seed_people()
        count = seed_notes()

    notes = Note.objects.filter(author__email__endswith="@demo.relais.test")
    assert count == notes.count() > 0
    assert set(notes.values_list("visibility", flat=True)) == set(Visibility.values)
    assert notes.filter(kind=Note.Kind.CONTACT).exists()
    assert notes.filter(sensitive=True, visibility=Visibility.AUTHOR).exists()
    assert Alert.objects.filter(status__in=OPEN_ALERT_STATUSES).exists()
    assert Alert.objects.filter(status=Alert.Status.IN_PROGRESS).exists()
    assert SharingFact.objects.filter(kind=SharingFact.Kind.INFORMED).exists()
    assert Person.objects.filter(objects_to_sharing=True).count() == 1

    with acting_as(None, None):
        assert seed_notes() == count
    assert Note.objects.count() == count
