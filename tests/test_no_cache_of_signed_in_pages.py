"""No page seen by a signed-in user stays in a browser's cache or a proxy's: every page of the access matrix, opened
by a role that may see it, says ``no-store`` and ``private``. The roles and their world are built once for the
module (``shared_world``)."""

import pytest
from django.urls import reverse

from tests.test_access_matrix import LOGGED, MATRIX

pytestmark = pytest.mark.django_db


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def pages_of_signed_in_users():
    """Every page of the access matrix a signed-in role may open, as (url name, row, role)."""
    return [
        pytest.param(name, index, role, id=f"{name}[{index}]")
        for name, rows in MATRIX.items()
        for index, row in enumerate(rows)
        if row.method == "get"
        for role in [next((role for role in LOGGED if row.expected[role] == 200), None)]
        if role is not None and not name.startswith("admin:")
    ]


@pytest.mark.parametrize(("name", "index", "role"), pages_of_signed_in_users())
def test_no_page_seen_signed_in_is_kept_by_a_cache(name, index, role, client, shared_world, db):
    users, world = shared_world
    row = MATRIX[name][index]
    client.force_login(users[role])

    response = client.get(reverse(name, kwargs=row.kwargs(world) if row.kwargs else None))

    assert response.status_code == 200
    assert no_store(response), response.get("Cache-Control")
    assert "private" in response["Cache-Control"]
