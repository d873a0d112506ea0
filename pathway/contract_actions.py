"""The contrat d'engagement's actions: one function per change, keyword-only, the actor named (``by=``).

Each checks the access rule itself, locks the contract it changes (always the contract first, then the objective
or action, so that two actions never wait on each other), refuses bad input with a French message naming the
field (``ContractError.problems``), refuses a concurrent edit (``Conflict``: the second editor is told who changed
what, nothing is overwritten), saves through ``save()`` (the change history is written by ``audit.journal.track``),
writes the carnet's timeline and hands emails to ``after_commit``.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.journal import track
from pathway import referential, timeline
from pathway.access import can_draft_contract, can_follow_contract_actions
from pathway.contract_models import (
    WEEKLY_HOURS_DEFAULT,
    Action,
    AgreementMode,
    EngagementContract,
    Objective,
    ReviewExtensionGround,
    SocialReview,
    due_on_problem,
    terms_problems,
)
from pathway.models import Pathway, PathwayType, TeamMember
from relais.actions import SYSTEM, ActionError, Conflict, after_commit, require, require_actor

logger = logging.getLogger(__name__)

DRAFT_ONLY = "Ce contrat est signé : pour changer ses objectifs ou ses actions, faites un avenant."
CLOSED = "Ce contrat n'est plus en vigueur : il ne peut plus être modifié."
NOT_ALLOWED = "Seul l'organisme référent (dont le référent unique) rédige et signe le contrat d'engagement."


class ContractError(ActionError):
    """A refusal; ``problems`` maps form fields (or None) to French messages, so that each shows next to its field."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = {None: problems}
        self.problems = problems
        super().__init__(" ".join(problems.values()))


def register_contract_history():
    """Called from the app's ``ready()``: the change history of the contract's tables, its timeline kinds."""
    track(
        EngagementContract,
        fields=[
            "status",
            "starts_on",
            "review_on",
            "weekly_hours",
            "hours_ground",
            "hours_reason",
            "signed_on",
            "agreement_mode",
            "ended_on",
            "end_reason",
        ],
        sensitive=["hours_ground", "hours_reason"],
        person="pathway__person",
    )
    track(Objective, fields=["theme", "referential_key", "label", "details"], person="contract__pathway__person")
    track(
        Action, fields=["label", "who", "partner", "due_on", "status"], person="objective__contract__pathway__person"
    )
    track(
        SocialReview,
        fields=["due_on", "extension_ground", "extension_reason", "held_on", "outcome"],
        sensitive=["extension_ground", "extension_reason", "outcome"],
        person="pathway__person",
    )
    for kind, label in [
        ("pathway.contract_drafted", "Contrat d'engagement en préparation"),
        ("pathway.contract_signed", "Contrat d'engagement signé"),
        ("pathway.contract_amendment_started", "Avenant au contrat d'engagement"),
        ("pathway.contract_renewal_started", "Renouvellement du contrat d'engagement"),
        ("pathway.contract_draft_discarded", "Brouillon de contrat abandonné"),
        ("pathway.contract_ended", "Fin du contrat d'engagement"),
        ("pathway.contract_action_status", "Avancement d'une action du contrat"),
        ("pathway.social_review_extended", "Revue du parcours social reportée"),
        ("pathway.social_review_held", "Revue du parcours social tenue"),
    ]:
        timeline.register_kind(kind, label)


# Helpers


def _user(by):
    return getattr(by, "user", None)


def _may_draft(by, pathway):
    require_actor(by)
    require(by is SYSTEM or can_draft_contract(by, pathway), NOT_ALLOWED)


def _locked_contract(contract):
    return (
        EngagementContract.objects.select_for_update(of=("self",))
        .select_related("pathway", "pathway__person")
        .get(pk=contract.pk)
    )


def _draft(contract, by):
    """The contract, locked, if it is a draft the actor may change."""
    locked = _locked_contract(contract)
    _may_draft(by, locked.pathway)
    if not locked.is_draft:
        raise ContractError(DRAFT_ONLY if locked.is_in_force else CLOSED)
    return locked


def _check_version(obj, expected_version, what):
    """Optimistic check: ``obj`` (locked) must still be the version the editor started from."""
    if expected_version is None or int(expected_version) == obj.lock_version:
        return
    who = obj.updated_by or "Quelqu'un d'autre"
    when = timezone.localtime(obj.updated_at).strftime("%d/%m/%Y à %H:%M")
    raise Conflict(
        f"{who} a modifié {what} le {when}, pendant que vous le faisiez : rien n'a été écrasé. "
        "La version enregistrée est affichée et vos saisies sont conservées : vérifiez-les, puis enregistrez à "
        "nouveau pour les appliquer."
    )


def _touch(obj, by):
    obj.lock_version += 1
    obj.updated_by = _user(by)


def _record(contract, kind, by, summary):
    timeline.record(contract.pathway.person, kind=kind, by=by, summary=summary, obj=contract)


def _raise_problems(problems):
    if problems:
        raise ContractError(problems)


# The contract's terms


def draft_contract(
    pathway, *, by, starts_on, review_on, weekly_hours=WEEKLY_HOURS_DEFAULT, hours_ground="", hours_reason=""
):
    """Start the person's first contract (or a new one after the last ended), as a draft."""
    _may_draft(by, pathway)
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().select_related("person").get(pk=pathway.pk)
        _may_draft(by, pathway)
        current = pathway.contracts.filter(
            status__in=[EngagementContract.Status.DRAFT, EngagementContract.Status.SIGNED]
        ).first()
        if current is not None and current.is_draft:
            raise ContractError("Un contrat est déjà en préparation : reprenez ce brouillon.")
        if current is not None:
            raise ContractError("Un contrat est en vigueur : modifiez-le par un avenant ou renouvelez-le.")
        _raise_problems(
            terms_problems(
                starts_on=starts_on,
                review_on=review_on,
                weekly_hours=weekly_hours,
                hours_ground=hours_ground,
                hours_reason=hours_reason,
            )
        )
        reduced = weekly_hours < WEEKLY_HOURS_DEFAULT
        contract = EngagementContract(
            pathway=pathway,
            number=(pathway.contracts.aggregate(last=Max("number"))["last"] or 0) + 1,
            starts_on=starts_on,
            review_on=review_on,
            weekly_hours=weekly_hours,
            hours_ground=hours_ground if reduced else "",
            hours_reason=hours_reason.strip() if reduced else "",
            referential_version=referential.latest_version(),
            created_by=_user(by) or pathway.referent,
            created_for=getattr(by, "structure", None) or pathway.referent_structure,
            updated_by=_user(by),
        )
        contract.save()
        _record(
            contract,
            "pathway.contract_drafted",
            by,
            f"Contrat d'engagement en préparation (version {contract.number})",
        )
    return contract


def update_contract_terms(
    contract, *, by, expected_version, starts_on, review_on, weekly_hours, hours_ground="", hours_reason=""
):
    """Change a draft's dates and activity target."""
    with transaction.atomic():
        contract = _draft(contract, by)
        _check_version(contract, expected_version, "les dates et l'objectif d'activité de ce contrat")
        due_dates = Action.objects.filter(objective__contract=contract).values_list("due_on", flat=True)
        _raise_problems(
            terms_problems(
                starts_on=starts_on,
                review_on=review_on,
                weekly_hours=weekly_hours,
                hours_ground=hours_ground,
                hours_reason=hours_reason,
                actions_due=list(due_dates),
            )
        )
        reduced = weekly_hours < WEEKLY_HOURS_DEFAULT
        contract.starts_on, contract.review_on, contract.weekly_hours = starts_on, review_on, weekly_hours
        contract.hours_ground = hours_ground if reduced else ""
        contract.hours_reason = hours_reason.strip() if reduced else ""
        _touch(contract, by)
        contract.save()
    return contract


# Objectives


def add_objective(contract, *, by, referential_key="", label="", theme="", details=""):
    """An objective from the referential (``referential_key``; its theme comes with it) or free (``label``, and a
    theme of the referential if it relates to one)."""
    with transaction.atomic():
        contract = _draft(contract, by)
        if referential_key:
            known = referential.objectives(contract.referential_version).get(referential_key)
            if known is None:
                raise ContractError({"referential_key": "Cet objectif n'existe pas dans le référentiel."})
            if contract.objectives.filter(referential_key=referential_key).exists():
                raise ContractError({"referential_key": "Cet objectif est déjà dans le contrat."})
            label, theme = label.strip() or known.label, known.theme
        else:
            label = label.strip()
            if not label:
                raise ContractError({"label": "Choisissez un objectif du référentiel ou écrivez-en un."})
            if theme and theme not in dict(referential.themes(contract.referential_version)):
                raise ContractError({"theme": "Ce thème n'existe pas dans le référentiel."})
        objective = Objective(
            contract=contract,
            position=contract.objectives.count(),
            theme=theme,
            referential_key=referential_key,
            label=label[:255],
            details=details.strip(),
            updated_by=_user(by),
        )
        objective.save()
    return objective


def _locked_objective(objective, by):
    contract = _draft(objective.contract, by)
    locked = Objective.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=objective.pk)
    locked.contract = contract
    return locked


def update_objective(objective, *, by, expected_version, label, details=""):
    with transaction.atomic():
        objective = _locked_objective(objective, by)
        _check_version(objective, expected_version, "cet objectif")
        if not label.strip():
            raise ContractError({"label": "L'objectif ne peut pas être vide."})
        objective.label, objective.details = label.strip()[:255], details.strip()
        _touch(objective, by)
        objective.save()
    return objective


def remove_objective(objective, *, by, expected_version):
    """Take an objective (and its actions) out of a draft."""
    with transaction.atomic():
        objective = _locked_objective(objective, by)
        _check_version(objective, expected_version, "cet objectif")
        objective.delete()


# Actions


def _action_problems(contract, objective, *, referential_key, label, who, partner, due_on):
    problems = {}
    if referential_key and objective.referential_key:
        offered = dict(referential.objectives(contract.referential_version)[objective.referential_key].actions)
        if referential_key not in offered:
            problems["referential_key"] = "Cette action n'existe pas pour cet objectif dans le référentiel."
    if not label:
        problems["label"] = "Choisissez une action du référentiel ou décrivez-la."
    if who not in Action.Who.values:
        problems["who"] = "Indiquez qui mène l'action."
    elif who == Action.Who.PARTNER and not partner:
        problems["partner"] = "Nommez le partenaire qui mène l'action."
    due_problem = due_on_problem(due_on, contract)
    if due_problem:
        problems["due_on"] = due_problem
    return problems


def add_action(objective, *, by, due_on, who=Action.Who.PERSON, label="", referential_key="", partner=""):
    """An action under ``objective``: from the referential (its label comes with it) or free."""
    with transaction.atomic():
        objective = _locked_objective(objective, by)
        contract = objective.contract
        if referential_key and not label.strip() and objective.referential_key:
            label = dict(referential.objectives(contract.referential_version)[objective.referential_key].actions).get(
                referential_key, ""
            )
        label, partner = label.strip(), partner.strip()
        _raise_problems(
            _action_problems(
                contract,
                objective,
                referential_key=referential_key,
                label=label,
                who=who,
                partner=partner,
                due_on=due_on,
            )
        )
        action = Action(
            objective=objective,
            position=objective.actions.count(),
            referential_key=referential_key,
            label=label[:255],
            who=who,
            partner=partner if who == Action.Who.PARTNER else "",
            due_on=due_on,
            updated_by=_user(by),
        )
        action.save()
    return action


def _locked_action(action, by, *, draft_only=True):
    contract = action.objective.contract
    contract = _draft(contract, by) if draft_only else _locked_contract(contract)
    locked = Action.objects.select_for_update(of=("self",)).select_related("updated_by", "objective").get(pk=action.pk)
    locked.objective.contract = contract
    return locked


def update_action(action, *, by, expected_version, label, who, due_on, partner=""):
    with transaction.atomic():
        action = _locked_action(action, by)
        _check_version(action, expected_version, "cette action")
        label, partner = label.strip(), partner.strip()
        contract = action.objective.contract
        _raise_problems(
            _action_problems(
                contract, action.objective, referential_key="", label=label, who=who, partner=partner, due_on=due_on
            )
        )
        action.label, action.who, action.due_on = label[:255], who, due_on
        action.partner = partner if who == Action.Who.PARTNER else ""
        _touch(action, by)
        action.save()
    return action


def set_action_status(action, *, by, expected_version, status):
    """Where an action stands: the only writer of ``Action.status``. On a signed contract, the team follows the
    actions' progress; each change lands on the timeline."""
    require_actor(by)
    with transaction.atomic():
        action = _locked_action(action, by, draft_only=False)
        contract = action.objective.contract
        require(by is SYSTEM or can_follow_contract_actions(by, contract.pathway))
        if contract.status not in (EngagementContract.Status.DRAFT, EngagementContract.Status.SIGNED):
            raise ContractError(CLOSED)
        _check_version(action, expected_version, "cette action")
        if status not in Action.Status.values:
            raise ContractError({"status": "Choisissez l'état de l'action."})
        if status == action.status:
            return action
        action.status = status
        _touch(action, by)
        action.save()
        if contract.is_in_force:
            _record(
                contract,
                "pathway.contract_action_status",
                by,
                f"Action « {action.label} » : {action.get_status_display()}",
            )
    return action


def remove_action(action, *, by, expected_version):
    with transaction.atomic():
        action = _locked_action(action, by)
        _check_version(action, expected_version, "cette action")
        action.delete()


# States of the contract


def sign_contract(contract, *, by, signed_on, agreement_mode):
    """The person agreed: the draft comes into force, the version it amends or renews is replaced, and in a social
    pathway the joint review with France Travail is due six months later (CASF art. L262-31)."""
    today = timezone.localdate()
    with transaction.atomic():
        Pathway.objects.select_for_update().get(pk=contract.pathway_id)
        contract = _draft(contract, by)
        problems = {}
        if signed_on is None:
            problems["signed_on"] = "Indiquez la date de la signature."
        elif signed_on > today:
            problems["signed_on"] = "La date de signature ne peut pas être dans le futur."
        elif contract.previous is not None and contract.previous.signed_on and signed_on < contract.previous.signed_on:
            problems["signed_on"] = (
                f"La version précédente a été signée le {contract.previous.signed_on:%d/%m/%Y} : "
                "celle-ci ne peut pas l'être avant."
            )
        if agreement_mode not in AgreementMode.values:
            problems["agreement_mode"] = "Indiquez comment la personne a donné son accord."
        actions = Action.objects.filter(objective__contract=contract)
        if not contract.objectives.exists() or not actions.exists():
            problems[None] = "Le contrat doit comporter au moins un objectif et une action avant d'être signé."
        _raise_problems(problems)
        previous = contract.previous
        if previous is not None and previous.status == EngagementContract.Status.SIGNED:
            previous = EngagementContract.objects.select_for_update().get(pk=previous.pk)
            previous.status = (
                EngagementContract.Status.RENEWED
                if contract.origin == EngagementContract.Origin.RENEWAL
                else EngagementContract.Status.SUPERSEDED
            )
            previous.ended_on = signed_on
            previous.end_reason = f"remplacé par la version {contract.number}"
            previous.save()
        contract.status = EngagementContract.Status.SIGNED
        contract.signed_on, contract.agreement_mode = signed_on, agreement_mode
        contract.signature_recorded_by = _user(by)
        _touch(contract, by)
        contract.save()
        summary = (
            f"Contrat d'engagement signé le {signed_on:%d/%m/%Y} (version {contract.number}, "
            f"{contract.get_agreement_mode_display()})"
        )
        review = _schedule_social_review(contract)
        if review is not None:
            summary += f" ; revue du parcours social attendue avant le {review.due_on:%d/%m/%Y}"
        _record(contract, "pathway.contract_signed", by, summary)
        after_commit(_tell_signed, contract.pk, getattr(_user(by), "pk", None))
    return contract


def _schedule_social_review(contract):
    """A social pathway: the joint review is due six months (twelve if extended) after this signature."""
    pathway = contract.pathway
    if pathway.pathway_type != PathwayType.SOCIAL:
        return None
    review = SocialReview.objects.select_for_update().filter(pathway=pathway, held_on__isnull=True).first()
    if review is None:
        review = SocialReview(pathway=pathway)
    review.contract = contract
    review.counted_from = contract.signed_on
    review.due_on = SocialReview.due_after(contract.signed_on, extended=review.is_extended)
    review.save()
    return review


def _copy(contract, *, by, origin, starts_on, review_on, unfinished_only):
    """A new draft version from ``contract``, its objectives and actions copied (``copied_from`` kept)."""
    new = EngagementContract(
        pathway=contract.pathway,
        number=(contract.pathway.contracts.aggregate(last=Max("number"))["last"] or 0) + 1,
        origin=origin,
        previous=contract,
        starts_on=starts_on,
        review_on=review_on,
        weekly_hours=contract.weekly_hours,
        hours_ground=contract.hours_ground,
        hours_reason=contract.hours_reason,
        referential_version=contract.referential_version,
        created_by=_user(by) or contract.created_by,
        created_for=getattr(by, "structure", None) or contract.created_for,
        updated_by=_user(by),
    )
    new.save()
    finished = {Action.Status.DONE, Action.Status.ABANDONED}
    for objective in contract.objectives.prefetch_related("actions"):
        actions = [a for a in objective.actions.all() if not (unfinished_only and a.status in finished)]
        if unfinished_only and objective.actions.all() and not actions:
            continue  # Reached or given up: it stays in the previous contract.
        copy = Objective(
            contract=new,
            position=objective.position,
            theme=objective.theme,
            referential_key=objective.referential_key,
            label=objective.label,
            details=objective.details,
            copied_from=objective,
            updated_by=_user(by),
        )
        copy.save()
        for action in actions:
            Action(
                objective=copy,
                position=action.position,
                referential_key=action.referential_key,
                label=action.label,
                who=action.who,
                partner=action.partner,
                due_on=max(action.due_on, starts_on),
                status=action.status,
                copied_from=action,
                updated_by=_user(by),
            ).save()
    return new


def _signed(contract, by):
    """The contract in force, locked (inside the caller's transaction), with no new version in preparation."""
    Pathway.objects.select_for_update().get(pk=contract.pathway_id)
    locked = _locked_contract(contract)
    _may_draft(by, locked.pathway)
    if not locked.is_in_force:
        raise ContractError("Seul le contrat en vigueur peut être modifié par avenant, renouvelé ou terminé.")
    if locked.pathway.contracts.filter(status=EngagementContract.Status.DRAFT).exists():
        raise ContractError("Une nouvelle version est déjà en préparation : reprenez ce brouillon.")
    return locked


def amend_contract(contract, *, by):
    """Start an amendment: a new draft version, copied from the contract in force (which stays in force until the
    amendment is signed)."""
    with transaction.atomic():
        contract = _signed(contract, by)
        new = _copy(
            contract,
            by=by,
            origin=EngagementContract.Origin.AMENDMENT,
            starts_on=contract.starts_on,
            review_on=contract.review_on,
            unfinished_only=False,
        )
        _record(
            new,
            "pathway.contract_amendment_started",
            by,
            f"Avenant au contrat d'engagement en préparation (version {new.number})",
        )
    return new


def renew_contract(contract, *, by, starts_on, review_on):
    """Start the next contract at the review: objectives still open and unfinished actions carry over (an action
    due before the new start is due on it)."""
    with transaction.atomic():
        contract = _signed(contract, by)
        problems = {}
        if starts_on is None:
            problems["starts_on"] = "Indiquez la date de début du nouveau contrat."
        elif starts_on < contract.starts_on:
            problems["starts_on"] = "Le nouveau contrat ne peut pas commencer avant le contrat en vigueur."
        if review_on is None:
            problems["review_on"] = "Indiquez la date de révision du nouveau contrat."
        elif starts_on is not None and review_on <= starts_on:
            problems["review_on"] = "La date de révision doit être postérieure à la date de début du contrat."
        _raise_problems(problems)
        new = _copy(
            contract,
            by=by,
            origin=EngagementContract.Origin.RENEWAL,
            starts_on=starts_on,
            review_on=review_on,
            unfinished_only=True,
        )
        _record(
            new,
            "pathway.contract_renewal_started",
            by,
            f"Renouvellement du contrat d'engagement en préparation (version {new.number})",
        )
    return new


def discard_draft(contract, *, by):
    """Give up a draft (a first contract never signed, an amendment or renewal not pursued)."""
    with transaction.atomic():
        contract = _draft(contract, by)
        number = contract.number
        _record(contract, "pathway.contract_draft_discarded", by, f"Brouillon de contrat abandonné (version {number})")
        contract.delete()


def end_contract(contract, *, by, ended_on, reason):
    """End the contract in force (exit from the pathway, réorientation, the person's request…); the team is told."""
    today = timezone.localdate()
    with transaction.atomic():
        Pathway.objects.select_for_update().get(pk=contract.pathway_id)
        contract = _locked_contract(contract)
        _may_draft(by, contract.pathway)
        if not contract.is_in_force:
            raise ContractError("Seul le contrat en vigueur peut être terminé ; un brouillon s'abandonne.")
        problems = {}
        if ended_on is None:
            problems["ended_on"] = "Indiquez la date de fin."
        elif ended_on > today:
            problems["ended_on"] = "La date de fin ne peut pas être dans le futur."
        elif ended_on < contract.signed_on:
            problems["ended_on"] = f"Le contrat a été signé le {contract.signed_on:%d/%m/%Y} : il ne peut finir avant."
        if not (reason or "").strip():
            problems["reason"] = "Indiquez pourquoi le contrat prend fin."
        _raise_problems(problems)
        contract.status = EngagementContract.Status.ENDED
        contract.ended_on, contract.end_reason = ended_on, reason.strip()[:255]
        _touch(contract, by)
        contract.save()
        _record(contract, "pathway.contract_ended", by, f"Contrat d'engagement terminé le {ended_on:%d/%m/%Y}")
        after_commit(_tell_ended, contract.pk, getattr(_user(by), "pk", None))
    return contract


# The social pathway's joint review


def _open_review(review, by):
    """The review, locked (inside the caller's transaction), if still to be held."""
    Pathway.objects.select_for_update().get(pk=review.pathway_id)
    locked = SocialReview.objects.select_for_update().select_related("pathway", "pathway__person").get(pk=review.pk)
    _may_draft(by, locked.pathway)
    if locked.held_on is not None:
        raise ContractError("Cette revue a déjà eu lieu.")
    return locked


def extend_social_review(review, *, by, ground, reason):
    """Carry the review to twelve months, for a difficulty the law names (CASF art. D262-65-2-1)."""
    with transaction.atomic():
        review = _open_review(review, by)
        problems = {}
        if ground not in ReviewExtensionGround.values:
            problems["ground"] = "Choisissez le motif du report parmi ceux prévus par la loi."
        if not (reason or "").strip():
            problems["reason"] = "Expliquez pourquoi l'accompagnement social doit durer plus de six mois."
        _raise_problems(problems)
        review.extension_ground, review.extension_reason = ground, reason.strip()
        review.due_on = SocialReview.due_after(review.counted_from, extended=True)
        review.save()
        timeline.record(
            review.pathway.person,
            kind="pathway.social_review_extended",
            by=by,
            summary=f"Revue du parcours social reportée au {review.due_on:%d/%m/%Y} (douze mois)",
            obj=review,
        )
    return review


def record_social_review(review, *, by, held_on, outcome=""):
    """The joint review with France Travail took place; the next one counts from the next signature or revision."""
    today = timezone.localdate()
    with transaction.atomic():
        review = _open_review(review, by)
        if held_on is None:
            raise ContractError({"held_on": "Indiquez la date de la revue."})
        if held_on > today:
            raise ContractError({"held_on": "La date de la revue ne peut pas être dans le futur."})
        if held_on < review.counted_from:
            raise ContractError(
                {"held_on": f"Le délai court depuis le {review.counted_from:%d/%m/%Y} : la revue ne peut le précéder."}
            )
        review.held_on, review.outcome, review.recorded_by = held_on, (outcome or "").strip(), _user(by)
        review.save()
        timeline.record(
            review.pathway.person,
            kind="pathway.social_review_held",
            by=by,
            summary=f"Revue du parcours social tenue le {held_on:%d/%m/%Y} avec France Travail",
            obj=review,
        )
    return review


# Who is told (after the commit)


def _send(subject, template, context, recipients):
    if not recipients:
        return
    try:
        send_mail(subject, render_to_string(template, context), None, recipients)
    except (OSError, smtplib.SMTPException):
        # The change stands; the message is logged without its recipients (no personal data in logs).
        logger.exception("Échec de l'envoi d'un message sur un contrat d'engagement")


def _team_emails(contract, actor_id):
    members = TeamMember.objects.filter(pathway_id=contract.pathway_id, ended_at__isnull=True).exclude(
        user_id=actor_id
    )
    return sorted({member.user.email for member in members.select_related("user") if member.user.email})


def _tell_signed(contract_id, actor_id):
    """The person receives word that their contract is signed; the rest of the team, that it is in force."""
    contract = EngagementContract.objects.select_related("pathway__person", "pathway__referent_structure").get(
        pk=contract_id
    )
    person = contract.pathway.person
    context = {
        "contract": contract,
        "structure": contract.pathway.referent_structure,
        "url": settings.SITE_URL + reverse("pathway:contract_detail", args=[contract.public_id]),
    }
    if person.email:
        _send("Votre contrat d'engagement", "pathway/contract/emails/signed_person.txt", context, [person.email])
    _send(
        "Contrat d'engagement signé",
        "pathway/contract/emails/signed_team.txt",
        context,
        _team_emails(contract, actor_id),
    )


def _tell_ended(contract_id, actor_id):
    contract = EngagementContract.objects.select_related("pathway").get(pk=contract_id)
    context = {
        "contract": contract,
        "url": settings.SITE_URL + reverse("pathway:contract_detail", args=[contract.public_id]),
    }
    _send(
        "Fin d'un contrat d'engagement",
        "pathway/contract/emails/ended_team.txt",
        context,
        _team_emails(contract, actor_id),
    )
