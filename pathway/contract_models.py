"""The contrat d'engagement (Code du travail art. L5411-6) and the social pathway's joint review.

A contract belongs to a pathway. It is drafted by the organisme référent with the person: objectives (from the
shipped referential, linked to the diagnostic's themes, or free), actions under each objective, a weekly activity
target, a start and a review date. Its states: *draft → signed → ended*, or replaced when a newer version is
signed (*superseded* by an amendment, *renewed* by a new contract). Each version is a row: amending a signed
contract copies it into a new draft, and the signed one stays in force until the new version is signed.

A social pathway is reviewed jointly with France Travail six months after the contract is signed or revised,
twelve for the grounds the law gives (CASF art. L262-31, D262-65-2-1): ``SocialReview``.
"""

import uuid
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from pathway import referential

WEEKLY_HOURS_DEFAULT = 15  # Code du travail art. L5411-6-1: 15 hours a week at least, lowered or waived
WEEKLY_HOURS_MAX = 35
# People accompanied before this day need their contract by the next one (loi 2023-1196 pour le plein emploi).
LEGACY_ACCOMPANIED_BEFORE = date(2025, 1, 1)
LEGACY_CONTRACT_DUE_ON = date(2027, 1, 1)
SOCIAL_REVIEW_MONTHS = 6  # CASF art. L262-31
SOCIAL_REVIEW_EXTENDED_MONTHS = 12  # CASF art. D262-65-2-1

__all__ = [
    "LEGACY_ACCOMPANIED_BEFORE",
    "LEGACY_CONTRACT_DUE_ON",
    "WEEKLY_HOURS_DEFAULT",
    "WEEKLY_HOURS_MAX",
    "Action",
    "AgreementMode",
    "EngagementContract",
    "HoursGround",
    "Objective",
    "ReviewExtensionGround",
    "SocialReview",
    "contract_differences",
    "due_on_problem",
    "terms_problems",
]


class HoursGround(models.TextChoices):
    """The grounds on which the 15 hours may be lowered or waived."""

    HEALTH = "health", "état de santé"
    DISABILITY = "disability", "situation de handicap"
    INVALIDITY = "invalidity", "invalidité"
    SINGLE_PARENT = "single_parent", "parent isolé sans solution de garde pour un enfant de moins de 12 ans"
    CARING_FOR_RELATIVE = "caring_for_relative", "aidant d'un proche"


class ReviewExtensionGround(models.TextChoices):
    """The difficulties that carry the social review to twelve months (CASF art. D262-65-2-1)."""

    HEALTH = "health", "état de santé"
    DISABILITY = "disability", "situation de handicap"
    INVALIDITY = "invalidity", "invalidité"
    HOUSING = "housing", "conditions de logement"
    CHILDCARE = "childcare", "garde d'enfants"
    CARING_FOR_RELATIVE = "caring_for_relative", "proche aidant"


# Health data (RGPD art. 9): the ground and its explanation are shown to the organisme référent only.
SENSITIVE_GROUNDS = {"health", "disability", "invalidity"}


class AgreementMode(models.TextChoices):
    PAPER = "paper", "signé sur papier"
    IN_PERSON = "in_person", "accord donné en rendez-vous"
    LINK = "link", "accord donné par un lien"


def terms_problems(*, starts_on, review_on, weekly_hours, hours_ground, hours_reason, actions_due=()):
    """What is wrong with a contract's terms, as {field: French message}. Used by the actions and the forms.

    ``actions_due`` are the due dates of the contract's actions: none may fall before the start.
    """
    problems = {}
    if weekly_hours is None or not 0 <= weekly_hours <= WEEKLY_HOURS_MAX:
        problems["weekly_hours"] = (
            f"L'objectif d'activité doit être compris entre 0 et {WEEKLY_HOURS_MAX} heures par semaine."
        )
    elif weekly_hours < WEEKLY_HOURS_DEFAULT:
        if hours_ground not in HoursGround.values:
            problems["hours_ground"] = (
                f"Un objectif inférieur à {WEEKLY_HOURS_DEFAULT} heures demande un motif prévu par la loi."
            )
        if not (hours_reason or "").strip():
            problems["hours_reason"] = "Expliquez pourquoi l'objectif d'activité est réduit ou supprimé."
    if starts_on and review_on and review_on <= starts_on:
        problems["review_on"] = "La date de révision doit être postérieure à la date de début du contrat."
    early = sorted(due for due in actions_due if starts_on and due and due < starts_on)
    if early and "starts_on" not in problems:
        problems["starts_on"] = (
            f"{len(early)} action{'s' if len(early) > 1 else ''} du contrat "
            f"{'sont prévues' if len(early) > 1 else 'est prévue'} avant cette date (le {early[0]:%d/%m/%Y}) : "
            "changez d'abord leur échéance."
        )
    return problems


def due_on_problem(due_on, contract):
    """An action's due date: not before the contract starts. Returns the French message, or ""."""
    if due_on is None:
        return "Indiquez l'échéance de l'action."
    if due_on < contract.starts_on:
        return (
            f"L'échéance ne peut pas précéder le début du contrat ({contract.starts_on:%d/%m/%Y}) : "
            "choisissez une date à partir de celle-ci."
        )
    return ""


class EngagementContract(models.Model):
    """One version of a person's contrat d'engagement."""

    class Status(models.TextChoices):
        DRAFT = "draft", "brouillon"
        SIGNED = "signed", "signé, en vigueur"
        SUPERSEDED = "superseded", "remplacé par un avenant"
        RENEWED = "renewed", "renouvelé"
        ENDED = "ended", "terminé"

    class Origin(models.TextChoices):
        FIRST = "first", "premier contrat"
        AMENDMENT = "amendment", "avenant"
        RENEWAL = "renewal", "renouvellement"

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    pathway = models.ForeignKey("pathway.Pathway", on_delete=models.CASCADE, related_name="contracts")
    number = models.PositiveIntegerField("version")
    origin = models.CharField("origine", max_length=10, choices=Origin.choices, default=Origin.FIRST)
    previous = models.ForeignKey(
        "self",
        verbose_name="version précédente",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField("date de début")
    review_on = models.DateField("date de révision")
    weekly_hours = models.PositiveSmallIntegerField("objectif d'activité (heures par semaine)")
    hours_ground = models.CharField(
        "motif de réduction de l'objectif d'activité", max_length=30, choices=HoursGround.choices, blank=True
    )
    hours_reason = models.TextField("explication de la réduction", blank=True)
    referential_version = models.PositiveSmallIntegerField("version du référentiel des objectifs", default=1)
    signed_on = models.DateField("signé le", null=True, blank=True)
    agreement_mode = models.CharField(
        "accord de la personne", max_length=10, choices=AgreementMode.choices, blank=True
    )
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField("terminé le", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_for = models.ForeignKey("accounts.Structure", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    lock_version = models.PositiveIntegerField("version d'édition", default=1)

    class Meta:
        verbose_name = "contrat d'engagement"
        verbose_name_plural = "contrats d'engagement"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "number"], name="contract_unique_number"),
            models.UniqueConstraint(fields=["pathway"], condition=Q(status="draft"), name="contract_one_draft"),
            models.UniqueConstraint(fields=["pathway"], condition=Q(status="signed"), name="contract_one_in_force"),
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=0) & Q(weekly_hours__lte=WEEKLY_HOURS_MAX),
                name="contract_weekly_hours_0_35",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gte=WEEKLY_HOURS_DEFAULT) | (~Q(hours_ground="") & ~Q(hours_reason="")),
                name="contract_reduced_hours_have_a_ground",
            ),
            models.CheckConstraint(
                condition=Q(review_on__gt=models.F("starts_on")), name="contract_review_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(signed_on__isnull=False) & ~Q(agreement_mode="")),
                name="contract_signed_has_a_signature",
            ),
        ]
        indexes = [models.Index(fields=["pathway", "status"]), models.Index(fields=["status", "review_on"])]

    def __str__(self):
        return f"Contrat d'engagement, version {self.number} ({self.get_status_display()})"

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_in_force(self):
        return self.status == self.Status.SIGNED

    @property
    def is_reduced(self):
        return self.weekly_hours < WEEKLY_HOURS_DEFAULT

    @property
    def has_sensitive_ground(self):
        return self.hours_ground in SENSITIVE_GROUNDS


class Objective(models.Model):
    """An objective of a contract: from the referential (its key and theme kept) or free."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    contract = models.ForeignKey(EngagementContract, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    theme = models.CharField("thème", max_length=40, blank=True)
    referential_key = models.CharField("objectif du référentiel", max_length=60, blank=True)
    label = models.CharField("objectif", max_length=255)
    details = models.TextField("précisions", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="repris de"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    lock_version = models.PositiveIntegerField("version d'édition", default=1)

    class Meta:
        verbose_name = "objectif du contrat"
        verbose_name_plural = "objectifs du contrat"
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    @property
    def theme_label(self):
        return referential.theme_label(self.theme) if self.theme else ""


class Action(models.Model):
    """An action under an objective: who carries it, by when, where it stands."""

    class Status(models.TextChoices):
        PLANNED = "planned", "prévue"
        IN_PROGRESS = "in_progress", "en cours"
        DONE = "done", "réalisée"
        ABANDONED = "abandoned", "abandonnée"

    class Who(models.TextChoices):
        PERSON = "person", "la personne"
        REFERENT = "referent", "le référent"
        TOGETHER = "together", "la personne et le référent"
        PARTNER = "partner", "un partenaire"

    # The same, as the person reads it in their contract.
    WHO_FOR_PERSON = {
        "person": "vous",
        "referent": "votre référent",
        "together": "vous et votre référent",
        "partner": "un partenaire",
    }

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    referential_key = models.CharField("action du référentiel", max_length=60, blank=True)
    label = models.CharField("action", max_length=255)
    who = models.CharField("qui la mène", max_length=10, choices=Who.choices, default=Who.PERSON)
    partner = models.CharField("partenaire", max_length=200, blank=True)
    due_on = models.DateField("échéance")
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.PLANNED)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="reprise de"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    lock_version = models.PositiveIntegerField("version d'édition", default=1)

    class Meta:
        verbose_name = "action du contrat"
        verbose_name_plural = "actions du contrat"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(who="partner") | ~Q(partner=""), name="contract_action_partner_named")
        ]

    def __str__(self):
        return self.label

    @property
    def who_display(self):
        return self.partner if self.who == self.Who.PARTNER else self.get_who_display()

    @property
    def who_for_person(self):
        return self.partner if self.who == self.Who.PARTNER else self.WHO_FOR_PERSON[self.who]


class SocialReview(models.Model):
    """The joint review, with France Travail, of a person in a social pathway: due six months after the contract
    is signed or revised, twelve with a ground of CASF art. D262-65-2-1. One open review per pathway."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    pathway = models.ForeignKey("pathway.Pathway", on_delete=models.CASCADE, related_name="social_reviews")
    contract = models.ForeignKey(
        EngagementContract,
        verbose_name="contrat signé ou révisé",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counted_from = models.DateField("délai compté à partir du")
    due_on = models.DateField("revue attendue avant le")
    extension_ground = models.CharField(
        "motif de report à douze mois", max_length=30, choices=ReviewExtensionGround.choices, blank=True
    )
    extension_reason = models.TextField("explication du report", blank=True)
    held_on = models.DateField("revue tenue le", null=True, blank=True)
    outcome = models.TextField("conclusions de la revue", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "revue du parcours social"
        verbose_name_plural = "revues du parcours social"
        ordering = ["-due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(held_on__isnull=True), name="social_review_one_open"
            ),
            models.CheckConstraint(
                condition=Q(extension_ground="") | ~Q(extension_reason=""), name="social_review_extension_explained"
            ),
        ]
        indexes = [models.Index(fields=["held_on", "due_on"])]

    def __str__(self):
        return f"Revue du parcours social attendue avant le {self.due_on:%d/%m/%Y}"

    @property
    def is_extended(self):
        return bool(self.extension_ground)

    @property
    def has_sensitive_ground(self):
        return self.extension_ground in SENSITIVE_GROUNDS

    @staticmethod
    def due_after(counted_from, *, extended):
        months = SOCIAL_REVIEW_EXTENDED_MONTHS if extended else SOCIAL_REVIEW_MONTHS
        return counted_from + relativedelta(months=months)


# Differences between two versions of a contract


TERMS_COMPARED = [
    ("starts_on", "Date de début"),
    ("review_on", "Date de révision"),
    ("weekly_hours", "Objectif d'activité (heures par semaine)"),
    ("hours_ground", "Motif de réduction"),
    ("hours_reason", "Explication de la réduction"),
]
OBJECTIVE_COMPARED = [("label", "Objectif"), ("details", "Précisions")]
ACTION_COMPARED = [("label", "Action"), ("who_display", "Qui la mène"), ("due_on", "Échéance"), ("status", "État")]


def _shown(obj, name):
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display is not None else getattr(obj, name)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _changes(old, new, fields, hidden=()):
    return [
        {
            "label": label,
            "old": "•••" if name in hidden else _shown(old, name),
            "new": "•••" if name in hidden else _shown(new, name),
        }
        for name, label in fields
        if _shown(old, name) != _shown(new, name)
    ]


def contract_differences(previous, current, *, hide_sensitive=False):
    """What changed from ``previous`` to ``current`` (two versions of one contract), for the person and the team.

    Objectives and actions are matched through ``copied_from``: an item of ``current`` not copied from
    ``previous`` was added; an item of ``previous`` nothing was copied from was removed. Reads the objectives and
    actions prefetched on both contracts.
    """
    hidden = {"hours_ground", "hours_reason"} if hide_sensitive else set()
    terms = _changes(previous, current, TERMS_COMPARED, hidden)
    old_objectives = {objective.pk: objective for objective in previous.objectives.all()}
    kept, objectives = set(), []
    for objective in current.objectives.all():
        before = old_objectives.get(objective.copied_from_id)
        if before is None:
            objectives.append({"kind": "added", "objective": objective, "changes": [], "actions": []})
            continue
        kept.add(before.pk)
        old_actions = {action.pk: action for action in before.actions.all()}
        kept_actions, actions = set(), []
        for action in objective.actions.all():
            was = old_actions.get(action.copied_from_id)
            if was is None:
                actions.append({"kind": "added", "action": action, "changes": []})
                continue
            kept_actions.add(was.pk)
            changes = _changes(was, action, ACTION_COMPARED)
            if changes:
                actions.append({"kind": "changed", "action": action, "changes": changes})
        actions += [
            {"kind": "removed", "action": action, "changes": []}
            for pk, action in old_actions.items()
            if pk not in kept_actions
        ]
        changes = _changes(before, objective, OBJECTIVE_COMPARED)
        if changes or actions:
            objectives.append({"kind": "changed", "objective": objective, "changes": changes, "actions": actions})
    objectives += [
        {"kind": "removed", "objective": objective, "changes": [], "actions": []}
        for pk, objective in old_objectives.items()
        if pk not in kept
    ]
    return {"terms": terms, "objectives": objectives, "empty": not terms and not objectives}
