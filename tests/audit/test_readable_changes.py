"""The change history reads as French: labels, choices, names, local time, masked values."""

import pytest

from audit.journal import readable_changes
from audit.models import ChangeLog
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def entry(object_type, **changes):
    return ChangeLog(object_type=object_type, object_id="1", action=ChangeLog.Action.UPDATE, changes=changes)


def test_choices_booleans_dates_phones_and_sensitive_values_are_readable():
    change = entry(
        "people.person",
        sex=[None, "F"],
        jobseeker_registered=[False, True],
        rsa_since=["2024-01-05", "2025-03-31"],
        phone=["", "+33612345678"],
        rqth=["•••", "•••"],
    )

    readable_changes([change])

    assert change.shown_changes == [
        ("sexe", None, "femme"),
        ("inscrit à France Travail", "non", "oui"),
        ("bénéficiaire du RSA depuis le", "05/01/2024", "31/03/2025"),
        ("téléphone", "", "06 12 34 56 78"),
        ("reconnaissance de la qualité de travailleur handicapé (RQTH)", "valeur protégée", "valeur protégée"),
    ]


def test_a_datetime_is_shown_in_paris_time():
    change = entry("people.personmerge", undone_at=[None, "2026-07-01 08:30:00+00:00"])

    readable_changes([change])

    assert change.shown_changes[0][2] == "01/07/2026 10:30"


def test_a_related_record_is_named_and_a_person_only_when_the_reader_may_see_them(django_assert_num_queries):
    survivor, merged = PersonFactory(birth_name="DURAND", first_names="Léa"), PersonFactory(birth_name="ROUX")
    change = entry("people.personmerge", survivor=[None, survivor.pk], merged=[None, merged.pk])

    with django_assert_num_queries(1):
        readable_changes([change], visible_people={survivor.pk})

    assert [after for _, _, after in change.shown_changes] == ["DURAND Léa", "personne (identité masquée)"]
