"""The statistics PostgreSQL's planner reads on columns that go together (migration ``pathway 0016``)."""

import datetime

import pytest
from django.db import connection

from accounts.models import Structure
from pathway.models import TeamMember
from tests.factories import MembershipFactory, StructureFactory, enter_people_born_apart

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statistiques étendues de PostgreSQL"),
]


def _estimated_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


def test_a_professionals_team_memberships_are_not_taken_for_one():
    """A référent's memberships all carry their structure: with the statistics, the planner expects them all
    rather than a handful (which made it hash the whole caseload to check one carnet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxname FROM pg_statistic_ext WHERE stxname = ANY(%s)",
            [["pathway_teammember_user_structure", "pathway_pathway_referent_structure"]],
        )
        assert {name for (name,) in cursor.fetchall()} == {
            "pathway_teammember_user_structure",
            "pathway_pathway_referent_structure",
        }
    # Ten structures of four professionals, each in the team of 25 of the same 50 people: 1,000 memberships.
    structures = StructureFactory.create_batch(10, kind=Structure.Kind.ASSOCIATION)
    members = [MembershipFactory(structure=structure) for structure in structures for _ in range(4)]
    people = enter_people_born_apart(
        50, name="ESSAI", first_names="Camille", born=datetime.date(1990, 1, 1), entered_at=datetime.date(2026, 11, 2)
    )
    TeamMember.objects.bulk_create(
        TeamMember(pathway=person.pathway, user=member.user, structure=member.structure)
        for position, member in enumerate(members)
        for person in people[position % 2 :: 2]
    )
    referent = members[0]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_teammember")
    estimated = _estimated_rows(
        "SELECT 1 FROM pathway_teammember WHERE user_id = %s AND structure_id = %s",
        [referent.user_id, referent.structure_id],
    )
    # Taken as independent, the two conditions would give 1,000 × 2.5 % × 10 % = 2 or 3 rows.
    assert estimated >= 15
