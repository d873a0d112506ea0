"""Demo contracts: every accompanied demo person has a contrat d'engagement with objectives and actions.

Most are signed, their actions under way; some are drafts; a few were amended (two versions to compare); a few
people have been accompanied since 2024 and their contract is still a draft (the worklist of contracts to
regularise). Written through the contract's actions, by the référent. Deterministic and idempotent.
"""

import datetime
import random

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from pathway import contract_actions as actions
from pathway import referential
from pathway.models import Pathway, PathwayType

# The themes a contract starts from, by pathway.
THEMES = {
    PathwayType.PROFESSIONAL: ["employment", "training", "mobility", "digital_skills"],
    PathwayType.SOCIO_PROFESSIONAL: ["mobility", "housing", "finances", "employment", "language_literacy"],
    PathwayType.SOCIAL: ["housing", "health", "finances", "administrative_legal", "family_constraints"],
}
REDUCED = [
    ("caring_for_relative", 10, "S'occupe chaque jour de sa mère, dépendante ; relais d'aide à domicile demandé."),
    ("single_parent", 8, "Élève seule deux enfants de 4 et 9 ans ; pas de place en accueil périscolaire avant mars."),
    ("health", 5, "Traitement en cours, à revoir avec le médecin à la révision du contrat."),
]
PARTNERS = ["Mobilité Solidaire Essonne", "Lire et Écrire en Essonne", "Logement d'Abord 91", "Tremplin Emploi 91"]


def _objectives(rng, pathway_type, count):
    by_theme = {}
    for objective in referential.objectives().values():
        by_theme.setdefault(objective.theme, []).append(objective)
    themes = rng.sample(THEMES.get(pathway_type) or THEMES[PathwayType.PROFESSIONAL], k=count)
    return [rng.choice(by_theme[theme]) for theme in themes if theme in by_theme]


def _fill(rng, contract, by, today, count):
    """Objectives from the referential, each with one or two of its actions spread over the contract."""
    span = (contract.review_on - contract.starts_on).days
    present = set(contract.objectives.values_list("referential_key", flat=True))
    for known in _objectives(rng, contract.pathway.pathway_type, count):
        if known.key in present:
            continue
        present.add(known.key)
        objective = actions.add_objective(contract, by=by, referential_key=known.key)
        for key, _label in rng.sample(known.actions, k=min(len(known.actions), rng.randint(1, 2))):
            who = rng.choice(["person", "person", "together", "referent", "partner"])
            actions.add_action(
                objective,
                by=by,
                referential_key=key,
                who=who,
                partner=rng.choice(PARTNERS) if who == "partner" else "",
                due_on=contract.starts_on + datetime.timedelta(days=rng.randint(14, max(15, span - 7))),
            )


def _progress(rng, contract, by, today):
    """Actions past their due date are done (or given up); some others are under way."""
    for objective in contract.objectives.prefetch_related("actions"):
        for action in objective.actions.all():
            if action.due_on < today:
                status = rng.choices(["done", "in_progress", "abandoned"], weights=[6, 3, 1])[0]
            else:
                status = rng.choices(["planned", "in_progress"], weights=[2, 1])[0]
            actions.set_action_status(action, by=by, expected_version=action.lock_version, status=status)


@transaction.atomic
def seed_contracts():
    """A contract for every accompanied demo person who has none yet. Returns how many demo contracts exist."""
    today = timezone.localdate()
    demo = Pathway.objects.filter(
        person__created_by__email__endswith="@demo.relais.test", status=Pathway.Status.ACCOMPANIED
    )
    memberships = {
        (membership.user_id, membership.structure_id): membership
        for membership in Membership.objects.filter(is_active=True).select_related("user", "structure")
    }
    for pathway in demo.filter(contracts__isnull=True).select_related("person").order_by("pk"):
        by = memberships.get((pathway.referent_id, pathway.referent_structure_id))
        if by is None:
            continue
        rng = random.Random(f"contrat-{pathway.person.public_id}")
        story = rng.random()
        if story < 0.1:
            # Accompanied since 2024: the contract is due by 1 January 2027 and still a draft.
            pathway.entered_at = datetime.date(2024, rng.randint(1, 12), rng.randint(1, 28))
            pathway.save(update_fields=["entered_at", "updated_at"])
        if story < 0.1:
            starts_on = today - datetime.timedelta(days=rng.randint(5, 60))
        else:  # A few weeks after entering the pathway.
            starts_on = min(today, pathway.entered_at + datetime.timedelta(days=rng.randint(20, 45)))
        ground, hours, reason = rng.choice(REDUCED) if rng.random() < 0.15 else ("", 15, "")
        contract = actions.draft_contract(
            pathway,
            by=by,
            starts_on=starts_on,
            review_on=starts_on + relativedelta(months=6),
            weekly_hours=hours,
            hours_ground=ground,
            hours_reason=reason,
        )
        _fill(rng, contract, by, today, count=rng.randint(2, 3))
        if story < 0.25:
            continue  # A draft, to finish with the person.
        actions.sign_contract(
            contract, by=by, signed_on=starts_on, agreement_mode=rng.choice(["paper", "paper", "in_person", "link"])
        )
        _progress(rng, contract, by, today)
        if story > 0.85:
            # Amended a few weeks later: one more objective, an action moved.
            amendment = actions.amend_contract(contract, by=by)
            _fill(rng, amendment, by, today, count=1)
            moved = amendment.objectives.first().actions.first()
            if moved is not None:
                actions.update_action(
                    moved,
                    by=by,
                    expected_version=moved.lock_version,
                    label=moved.label,
                    who=moved.who,
                    partner=moved.partner,
                    due_on=max(moved.due_on, today) + datetime.timedelta(days=21),
                )
            actions.sign_contract(
                amendment,
                by=by,
                signed_on=min(today, starts_on + datetime.timedelta(days=rng.randint(20, 40))),
                agreement_mode="in_person",
            )
    return demo.filter(contracts__isnull=False).distinct().count()
