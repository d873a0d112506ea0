"""Consistency of the domain, found through the app registry so that a new table cannot be forgotten.

Every foreign key or many-to-many to ``Person`` says how its rows follow a merge (and its undo), the person's data
export and the retention purge (``people.merge.register``). A merge then an undo leaves every row where it was.
"""

import pytest
from django.apps import apps
from django.db import models

from entry.models import Commission, Notification
from offer import actions as offer_actions
from offer.models import Referral
from pathway import actions as pathway_actions
from pathway import timeline
from pathway.models import AccessRequest, TeamMember, TimelineEvent
from people.merge import Export, Retention, merge_persons, registered, relation_key, undo_merge
from people.models import Person, PersonMerge
from tests.entry.factories import DiagnosticFactory, OrientationFactory
from tests.factories import MembershipFactory
from tests.offer.factories import ServiceFactory
from tests.people.factories import PersonFactory


def relations_to_person():
    """(model, field name) of every foreign key, one-to-one or many-to-many pointing at Person."""
    found = []
    for model in apps.get_models(include_auto_created=False):
        for field in model._meta.get_fields(include_hidden=False):
            kinds = (models.ForeignKey, models.OneToOneField, models.ManyToManyField)
            if isinstance(field, kinds) and not field.auto_created and field.related_model is Person:
                found.append((model, field.name))
    return found


def test_the_registry_finds_the_relations():
    keys = {relation_key(model, field) for model, field in relations_to_person()}
    assert {"entry.diagnostic.person", "entry.commission.persons", "pathway.pathway.person"} <= keys


@pytest.mark.parametrize(
    ("model", "field"), relations_to_person(), ids=lambda value: getattr(value, "__name__", value)
)
def test_every_relation_to_a_person_says_how_it_follows_a_merge_an_export_and_a_purge(model, field):
    relation = registered().get(relation_key(model, field))
    assert relation is not None, (
        f"{model._meta.label}.{field} pointe vers une personne : déclarez avec people.merge.register comment ses "
        "lignes suivent une fusion, l'export des données de la personne et la purge de conservation."
    )
    assert relation.export in {Export.INCLUDED, Export.EXCLUDED}
    assert relation.retention in {Retention.DELETED, Retention.ANONYMISED, Retention.KEPT}


def test_no_registration_is_stale():
    keys = {relation_key(model, field) for model, field in relations_to_person()}
    assert set(registered()) <= keys


@pytest.mark.django_db
def test_a_merge_moves_every_row_and_its_undo_puts_every_row_back(structure_a, coordinator):
    member = MembershipFactory(structure=structure_a)
    other_member = MembershipFactory(structure=structure_a)
    survivor = PersonFactory(birth_name="Moreau", followed_by=member)
    merged = PersonFactory(birth_name="Moreau", followed_by=other_member)
    DiagnosticFactory(person=survivor, number=1, structure=structure_a, done_by=member.user)
    diagnostic = DiagnosticFactory(person=merged, number=1, structure=structure_a, done_by=other_member.user)
    OrientationFactory(person=survivor, proposed_by=member.user, proposed_for=structure_a)
    open_proposal = OrientationFactory(person=merged, proposed_by=other_member.user, proposed_for=structure_a)
    notification = Notification.objects.create(
        person=merged, channel="email", recipient="x@exemple.fr", subject="Objet", body="Texte"
    )
    commission = Commission.objects.create(
        title="Séance", held_on="2026-03-12", structure=structure_a, created_by=member.user
    )
    commission.persons.add(merged)
    request = pathway_actions.request_access(merged, by=MembershipFactory(), reason="Je la reçois demain.")
    timeline.register_kind("tests.event", "événement de test")
    event = timeline.record(merged, kind="tests.event", by=other_member, summary="Un événement")
    referral = offer_actions.send_referral(merged, ServiceFactory(), by=other_member)
    before = snapshot(survivor, merged)

    record = merge_persons(survivor=survivor, merged=merged, by=coordinator.memberships.get())

    diagnostic.refresh_from_db()
    assert (diagnostic.person, diagnostic.number) == (survivor, 2)
    open_proposal.refresh_from_db()
    assert (open_proposal.person, open_proposal.status) == (survivor, "cancelled")
    assert Notification.objects.get(pk=notification.pk).person == survivor
    assert list(commission.persons.all()) == [survivor]
    assert AccessRequest.objects.get(pk=request.pk).person == survivor
    assert TimelineEvent.objects.get(pk=event.pk).person == survivor
    assert Referral.objects.get(pk=referral.pk).person == survivor
    assert TeamMember.objects.filter(pathway__person=survivor, user=other_member.user, ended_at=None).exists()
    for model, field in relations_to_person():
        assert relation_key(model, field) in record.moved

    undo_merge(record, by=coordinator.memberships.get())

    assert snapshot(survivor, merged) == before


def snapshot(*persons):
    """Every row pointing at these persons, by relation: what a merge then its undo must leave unchanged."""
    state = {}
    for model, field in relations_to_person():
        if model in (Person, PersonMerge):  # the link and the record of the merge itself
            continue
        if isinstance(model._meta.get_field(field), models.ManyToManyField):
            through = model._meta.get_field(field).remote_field.through
            column = f"{Person._meta.model_name}_id"
            rows = through.objects.filter(**{f"{column}__in": [p.pk for p in persons]})
            state[(model, field)] = sorted(rows.values_list(column, f"{model._meta.model_name}_id"))
        else:
            rows = model.objects.filter(**{f"{field}__in": persons})
            values = ["pk", field] + (["number"] if model._meta.model_name == "diagnostic" else [])
            values += ["status"] if model._meta.model_name in {"orientation", "accessrequest"} else []
            state[(model, field)] = sorted(rows.values_list(*values))
    state["team"] = sorted(
        TeamMember.objects.filter(pathway__person__in=persons, ended_at=None).values_list("pathway_id", "user_id")
    )
    state["merged_into"] = sorted(
        Person.objects.filter(pk__in=[p.pk for p in persons]).values_list("pk", "merged_into")
    )
    return state
