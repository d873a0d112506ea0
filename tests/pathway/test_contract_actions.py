"""The contract's actions, as every caller (page, import, API) uses them: access, states, refusals, history."""

import datetime

import pytest
from django.core import mail

from audit.models import ChangeLog
from pathway import contract_actions as actions
from pathway.contract_models import Action, EngagementContract, SocialReview
from pathway.models import TimelineEvent
from relais.actions import SYSTEM, Conflict, Forbidden
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_the_referent_drafts_and_signs_and_the_timeline_and_history_say_so(
    pathway, referent, colleague, today, django_capture_on_commit_callbacks
):
    contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 180 * DAY)
    assert contract.status == "draft" and contract.number == 1 and contract.weekly_hours == 15
    objective = actions.add_objective(contract, by=colleague, referential_key="find_accommodation")
    assert objective.theme == "housing" and objective.label  # The referential's label and theme come with it.
    actions.add_action(objective, by=colleague, label="Dossier de logement social", who="together", due_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="paper")
    contract.refresh_from_db()
    assert contract.status == "signed" and contract.signed_on == today and contract.agreement_mode == "paper"
    kinds = list(TimelineEvent.objects.filter(person=pathway.person).values_list("kind", flat=True))
    assert "pathway.contract_drafted" in kinds and "pathway.contract_signed" in kinds
    signed_event = TimelineEvent.objects.get(person=pathway.person, kind="pathway.contract_signed")
    assert signed_event.actor == referent.user and signed_event.obj_id == str(contract.public_id)
    assert ChangeLog.objects.filter(object_id=str(contract.public_id), action="update").exists()
    # The référent is the only one in the team and signed it; the person has no email: nobody to tell.
    assert mail.outbox == []


def test_the_person_is_told_after_the_commit_and_the_team_too(
    pathway, referent, draft, colleague, today, django_capture_on_commit_callbacks
):
    from pathway.models import TeamMember

    pathway.person.email = "camille@exemple.fr"
    pathway.person.save()
    TeamMember.objects.create(pathway=pathway, user=colleague.user, structure=colleague.structure)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.sign_contract(draft, by=referent, signed_on=today, agreement_mode="in_person")
        assert mail.outbox == []  # Nothing is sent inside the transaction.
    # Telling the people, and computing the person's rupture alerts again (a signed contract lifts one).
    assert sorted(callback.func.__name__ for callback in callbacks) == ["_recompute_after_commit", "_tell_signed"]
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["camille@exemple.fr", "collegue.a@exemple.fr"]
    person_mail = next(message for message in mail.outbox if "camille@exemple.fr" in message.to)
    assert person_mail.subject == "Votre contrat d'engagement"  # No name in a subject.
    assert pathway.person.birth_name not in person_mail.subject


def test_nobody_is_told_of_a_signature_that_was_rolled_back(
    pathway, referent, draft, today, django_capture_on_commit_callbacks
):
    from django.db import transaction

    pathway.person.email = "camille@exemple.fr"
    pathway.person.save()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.sign_contract(draft, by=referent, signed_on=today, agreement_mode="in_person")
        raise RuntimeError
    assert callbacks == [] and mail.outbox == []
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_only_the_organisme_referent_drafts(pathway, outsider, colleague, today):
    with pytest.raises(Forbidden):
        actions.draft_contract(pathway, by=outsider, starts_on=today, review_on=today + 90 * DAY)
    contract = actions.draft_contract(pathway, by=colleague, starts_on=today, review_on=today + 90 * DAY)
    with pytest.raises(Forbidden):
        actions.add_objective(contract, by=outsider, label="S'inscrire à une formation")
    with pytest.raises(Forbidden):
        actions.sign_contract(contract, by=outsider, signed_on=today, agreement_mode="paper")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekly_hours": 36}, "weekly_hours", "entre 0 et 35 heures"),
        ({"weekly_hours": 10}, "hours_ground", "motif prévu par la loi"),
        ({"weekly_hours": 10, "hours_ground": "health"}, "hours_reason", "Expliquez"),
        ({"review_on": "start"}, "review_on", "postérieure à la date de début"),
    ],
)
def test_bad_terms_are_refused_with_the_reason(pathway, referent, today, changes, field, message):
    terms = {"starts_on": today, "review_on": today + 90 * DAY, **changes}
    if terms["review_on"] == "start":
        terms["review_on"] = today
    with pytest.raises(actions.ContractError) as refused:
        actions.draft_contract(pathway, by=referent, **terms)
    assert message in refused.value.problems[field]
    assert not EngagementContract.objects.filter(pathway=pathway).exists()


def test_a_reduced_target_needs_a_legal_ground_and_a_written_reason(pathway, referent, today):
    contract = actions.draft_contract(
        pathway,
        by=referent,
        starts_on=today,
        review_on=today + 90 * DAY,
        weekly_hours=0,
        hours_ground="caring_for_relative",
        hours_reason="S'occupe de sa mère chaque jour.",
    )
    assert contract.weekly_hours == 0 and contract.hours_ground == "caring_for_relative"
    # The ground's value never reaches the change history: only that it changed.
    created = ChangeLog.objects.get(object_id=str(contract.public_id), action="create")
    assert created.changes["hours_ground"] == ["•••", "•••"]


def test_an_action_due_before_the_contract_starts_is_refused(draft, referent, today):
    objective = draft.objectives.get()
    with pytest.raises(actions.ContractError) as refused:
        actions.add_action(objective, by=referent, label="Atelier CV", who="person", due_on=today - DAY)
    assert "ne peut pas précéder le début du contrat" in refused.value.problems["due_on"]
    # Nor may the start move after an action's due date.
    with pytest.raises(actions.ContractError) as refused:
        actions.update_contract_terms(
            draft,
            by=referent,
            expected_version=draft.lock_version,
            starts_on=today + 60 * DAY,
            review_on=today + 200 * DAY,
            weekly_hours=15,
        )
    assert "1 action du contrat est prévue avant cette date" in refused.value.problems["starts_on"]


def test_a_partner_action_names_the_partner(draft, referent, today):
    objective = draft.objectives.get()
    with pytest.raises(actions.ContractError) as refused:
        actions.add_action(objective, by=referent, label="Atelier mobilité", who="partner", due_on=today)
    assert "partner" in refused.value.problems
    action = actions.add_action(
        objective, by=referent, label="Atelier mobilité", who="partner", partner="Mobilité Solidaire", due_on=today
    )
    assert action.who_display == "Mobilité Solidaire"


def test_a_contract_needs_an_objective_and_an_action_to_be_signed(pathway, referent, today):
    contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
    with pytest.raises(actions.ContractError) as refused:
        actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="paper")
    assert "au moins un objectif et une action" in str(refused.value)
    with pytest.raises(actions.ContractError) as refused:
        actions.sign_contract(contract, by=referent, signed_on=today + DAY, agreement_mode="carrier pigeon")
    assert set(refused.value.problems) >= {"signed_on", "agreement_mode"}


def test_a_signed_contract_is_changed_by_amendment_only_and_the_history_is_kept(signed, referent, today):
    objective = signed.objectives.get()
    with pytest.raises(actions.ContractError) as refused:
        actions.add_objective(signed, by=referent, label="Trouver une formation")
    assert "avenant" in str(refused.value)
    amendment = actions.amend_contract(signed, by=referent)
    assert (amendment.number, amendment.origin, amendment.status) == (2, "amendment", "draft")
    signed.refresh_from_db()
    assert signed.status == "signed"  # In force until the amendment is signed.
    copied = amendment.objectives.get()
    assert copied.copied_from == objective and copied.actions.get().copied_from == objective.actions.get()
    with pytest.raises(actions.ContractError):
        actions.amend_contract(signed, by=referent)  # One version in preparation at a time.
    actions.add_objective(amendment, by=referent, label="Trouver une formation qualifiante")
    actions.add_action(amendment.objectives.last(), by=referent, label="Réunion d'information", due_on=today)
    actions.sign_contract(amendment, by=referent, signed_on=today, agreement_mode="link")
    signed.refresh_from_db()
    assert signed.status == "superseded" and signed.ended_on == today
    assert list(EngagementContract.objects.filter(pathway=signed.pathway).values_list("number", "status")) == [
        (2, "signed"),
        (1, "superseded"),
    ]


def test_renewal_carries_open_objectives_and_unfinished_actions(signed, referent, today):
    objective = signed.objectives.get()
    done = objective.actions.get()
    actions.set_action_status(done, by=referent, expected_version=done.lock_version, status="done")
    renewal = actions.renew_contract(
        signed, by=referent, starts_on=signed.review_on, review_on=signed.review_on + 90 * DAY
    )
    assert renewal.origin == "renewal" and renewal.previous == signed
    assert not renewal.objectives.exists()  # Its only action is done: the objective stays behind.
    actions.add_objective(renewal, by=referent, label="Consolider l'emploi")
    actions.add_action(renewal.objectives.get(), by=referent, label="Point à un mois", due_on=renewal.starts_on)
    actions.sign_contract(renewal, by=referent, signed_on=today, agreement_mode="paper")
    signed.refresh_from_db()
    assert signed.status == "renewed"


def test_ending_and_discarding(signed, referent, today, pathway):
    with pytest.raises(actions.ContractError) as refused:
        actions.end_contract(signed, by=referent, ended_on=today + DAY, reason="")
    assert set(refused.value.problems) == {"ended_on", "reason"}
    actions.end_contract(signed, by=referent, ended_on=today, reason="Emploi durable")
    signed.refresh_from_db()
    assert signed.status == "ended" and signed.end_reason == "Emploi durable"
    again = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
    assert again.number == 2
    actions.discard_draft(again, by=referent)
    assert not EngagementContract.objects.filter(pk=again.pk).exists()
    assert TimelineEvent.objects.filter(person=pathway.person, kind="pathway.contract_draft_discarded").exists()


def test_the_team_follows_the_actions_of_a_signed_contract(signed, referent, outsider, pathway):
    from pathway.models import TeamMember

    action = Action.objects.get(objective__contract=signed)
    with pytest.raises(Forbidden):
        actions.set_action_status(action, by=outsider, expected_version=action.lock_version, status="in_progress")
    TeamMember.objects.create(pathway=pathway, user=outsider.user, structure=outsider.structure)
    action = actions.set_action_status(action, by=outsider, expected_version=action.lock_version, status="in_progress")
    assert action.status == "in_progress"
    event = TimelineEvent.objects.get(person=pathway.person, kind="pathway.contract_action_status")
    assert event.summary.endswith(": en cours") and event.actor_structure == outsider.structure


def test_two_editors_of_one_action_the_second_is_told_and_nothing_is_overwritten(draft, referent, colleague, today):
    action = Action.objects.get(objective__contract=draft)
    seen_by_both = action.lock_version
    actions.update_action(
        action, by=referent, expected_version=seen_by_both, label="Inscription au code", who="person", due_on=today
    )
    with pytest.raises(Conflict) as refused:
        actions.update_action(
            action, by=colleague, expected_version=seen_by_both, label="Autre chose", who="referent", due_on=today
        )
    assert referent.user.get_full_name() in str(refused.value) and "vos saisies sont conservées" in str(refused.value)
    action.refresh_from_db()
    assert action.label == "Inscription au code" and action.who == "person"


def test_two_editors_of_one_objective(draft, referent, colleague):
    objective = draft.objectives.get()
    version = objective.lock_version
    actions.update_objective(objective, by=referent, expected_version=version, label="Passer le code", details="")
    with pytest.raises(Conflict):
        actions.update_objective(objective, by=colleague, expected_version=version, label="Autre", details="")
    with pytest.raises(Conflict):
        actions.remove_objective(objective, by=colleague, expected_version=version)
    objective.refresh_from_db()
    assert objective.label == "Passer le code"


def test_a_social_pathway_is_reviewed_six_months_after_signature_twelve_with_a_ground(accompany, referent, today):
    pathway = accompany(referent, pathway_type="social")
    contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
    objective = actions.add_objective(contract, by=referent, referential_key="find_accommodation")
    actions.add_action(objective, by=referent, label="Demande SIAO", due_on=today)
    actions.sign_contract(contract, by=referent, signed_on=today - 10 * DAY, agreement_mode="paper")
    review = SocialReview.objects.get(pathway=pathway, held_on__isnull=True)
    assert review.counted_from == today - 10 * DAY
    assert review.due_on == SocialReview.due_after(today - 10 * DAY, extended=False)
    with pytest.raises(actions.ContractError) as refused:
        actions.extend_social_review(review, by=referent, ground="moon", reason="")
    assert set(refused.value.problems) == {"ground", "reason"}
    actions.extend_social_review(review, by=referent, ground="housing", reason="Relogement en cours, DALO déposé.")
    review.refresh_from_db()
    assert (
        review.due_on.year * 12 + review.due_on.month - (review.counted_from.year * 12 + review.counted_from.month)
        == 12
    )
    # An amendment signed later restarts the delay, and keeps the extension.
    amendment = actions.amend_contract(contract, by=referent)
    actions.sign_contract(amendment, by=referent, signed_on=today, agreement_mode="in_person")
    review.refresh_from_db()
    assert review.counted_from == today and review.due_on == SocialReview.due_after(today, extended=True)
    actions.record_social_review(review, by=referent, held_on=today, outcome="Maintien en parcours social.")
    assert not SocialReview.objects.filter(pathway=pathway, held_on__isnull=True).exists()


def test_trusted_code_acts_as_system(pathway, today):
    contract = actions.draft_contract(pathway, by=SYSTEM, starts_on=today, review_on=today + 90 * DAY)
    assert contract.created_by == pathway.referent
