"""Every visibility of a note against every role: who reads it in the notes, on the carnet, in a search and on the
timeline; everyone else neither reads it nor learns that it exists."""

import pytest
from django.urls import reverse

from pathway import note_actions, timeline
from pathway.models import Visibility
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text

pytestmark = pytest.mark.django_db

SECRET = "Texte-de-la-note-à-protéger"
ROLES = [
    "author",
    "colleague_in_team",
    "colleague_outside_team",
    "team_member_of_another_structure",
    "referent",
    "colleague_of_the_referent",
    "orientation_manager",
    "coordinator",
    "outsider",
]
# Who sees the carnet at all (the others get a 404 on every page of it).
CARNET = {
    "author",
    "colleague_in_team",
    "team_member_of_another_structure",
    "referent",
    "colleague_of_the_referent",
    "orientation_manager",
}
READERS = {
    Visibility.PERSON: CARNET,
    Visibility.TEAM: CARNET,
    Visibility.STRUCTURE: {"author", "colleague_in_team"},
    Visibility.AUTHOR: {"author"},
}


@pytest.fixture
def world(followed, membership_a, structure_a, structure_b, manager, coordinator, orient):
    """Professional A wrote the note; the person is oriented to a maison des solidarités with a référent."""
    solidarity = StructureFactory(name="Maison des solidarités de Massy")
    referent = MembershipFactory(structure=solidarity)
    orient(followed, solidarity, referent=referent)
    members = {
        "author": membership_a,
        "colleague_in_team": MembershipFactory(structure=structure_a),
        "colleague_outside_team": MembershipFactory(structure=structure_a),
        "team_member_of_another_structure": MembershipFactory(structure=structure_b),
        "referent": referent,
        "colleague_of_the_referent": MembershipFactory(structure=solidarity),
        "orientation_manager": manager,
        "coordinator": coordinator.memberships.get(),
        "outsider": MembershipFactory(structure=StructureFactory(name="CCAS de Corbeil")),
    }
    for key in ("colleague_in_team", "team_member_of_another_structure"):
        followed.pathway.team.create(user=members[key].user, structure=members[key].structure)
    return members


@pytest.mark.parametrize("visibility", list(READERS), ids=lambda value: value.value)
@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_note(world, followed, login, visibility, role):
    note = note_actions.write_note(followed, by=world["author"], text=SECRET, visibility=visibility)
    membership = world[role]
    client = login(membership.user)
    client.post(reverse("accounts:switch_structure"), {"membership": str(membership.public_id)})
    reads = role in READERS[visibility]

    notes = client.get(reverse("pathway:note_list", args=[followed.public_id]))
    carnet = client.get(reverse("entry:person_detail", args=[followed.public_id]))
    search = client.post(reverse("pathway:note_list", args=[followed.public_id]), {"q": "protéger"})
    correct = client.get(reverse("pathway:note_correct", args=[followed.public_id, note.public_id]))

    if role not in CARNET:
        assert {notes.status_code, carnet.status_code, search.status_code, correct.status_code} == {404}
        return
    assert (SECRET in text(notes), SECRET in text(carnet), SECRET in text(search)) == (reads, reads, reads)
    assert correct.status_code == (200 if reads else 404)
    # The timeline (read on a carnet one sees) shows the note's event to its readers only.
    events = timeline.visible_to(membership, followed).filter(obj_id=str(note.public_id))
    assert events.exists() == reads
