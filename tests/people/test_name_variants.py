"""The keys of the last names (``NameVariant``): written once per name, however many people bear it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.identity import last_name_variants
from people.models import NameVariant

pytestmark = pytest.mark.django_db


def test_a_name_remembered_has_all_its_keys_and_is_read_not_written_again():
    NameVariant.remember("Dupont", "Da Silva")
    assert set(NameVariant.objects.filter(name="dupont").values_list("variant", flat=True)) == last_name_variants(
        "Dupont"
    )
    with CaptureQueriesContext(connection) as queries:
        NameVariant.remember("DUPONT", "da silva")
    assert len(queries) == 1  # the names known are read, nothing written
    NameVariant.remember("Dupont", "Martinez")
    assert set(NameVariant.objects.filter(name="martinez").values_list("variant", flat=True)) == last_name_variants(
        "Martinez"
    )
