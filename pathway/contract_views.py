"""The contrat d'engagement's pages: drafted and signed with the person, printed for them, amended, followed.

Every page that shows a person's data writes the access log. Bad input is refused next to its field with what was
typed kept; an edit that crossed someone else's shows the saved state and keeps the input (``Conflict``).

The latest diagnostic suggests the grounds for a lower activity target or a later social review, and the themes
to start from: it is read here, in the page, never in the pathway's domain modules (entry sits above pathway).
"""

from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.journal import log_access, log_access_many
from audit.models import AccessLog
from entry.access import can_see_sensitive
from entry.models import Diagnostic
from pathway import contract_actions as actions
from pathway import referential
from pathway.access import (
    can_draft_contract,
    can_follow_contract_actions,
    can_see_contract_grounds,
    can_view_person,
    pathways_lacking_contract,
    persons_visible_to,
)
from pathway.contract_forms import (
    CONTRACT_MONTHS,
    ActionForm,
    ActionStatusForm,
    EndForm,
    ObjectiveEditForm,
    ObjectiveForm,
    RenewForm,
    ReviewExtendForm,
    ReviewHeldForm,
    SignForm,
    TermsForm,
)
from pathway.contract_models import (
    LEGACY_CONTRACT_DUE_ON,
    Action,
    EngagementContract,
    HoursGround,
    Objective,
    ReviewExtensionGround,
    SocialReview,
    contract_differences,
)
from pathway.models import PathwayType
from relais.actions import Conflict

PAGE_SIZE = 25
STRONG = ("fort", "moyen")


# Reading what the page needs


def _membership(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _person(request, public_id):
    """The person, if within the need-to-know of the current structure (404 otherwise: nothing is confirmed)."""
    queryset = persons_visible_to(_membership(request)).select_related(
        "pathway", "pathway__referent", "pathway__referent_structure"
    )
    person = get_object_or_404(queryset, public_id=public_id)
    if getattr(person, "pathway", None) is None:
        raise Http404
    return person


def _items():
    """Objectives with their actions, in order, in two queries."""
    return Prefetch(
        "objectives",
        queryset=Objective.objects.prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("updated_by"))
        ).select_related("updated_by"),
    )


def _contract(request, contract_id, *, with_items=False):
    """The contract, if its person is within the need-to-know (404 otherwise)."""
    membership = _membership(request)
    queryset = EngagementContract.objects.select_related(
        "pathway",
        "pathway__person",
        "pathway__person__commune",
        "pathway__referent",
        "pathway__referent_structure",
        "previous",
        "signature_recorded_by",
        "updated_by",
    )
    if with_items:
        queryset = queryset.prefetch_related(_items())
    contract = get_object_or_404(queryset, public_id=contract_id)
    if not can_view_person(membership, contract.pathway.person):
        raise Http404
    return contract


def _draftable(request, contract):
    if not can_draft_contract(request.membership, contract.pathway):
        raise PermissionDenied
    return contract


def _context(request, contract, **extra):
    pathway = contract.pathway
    return {
        "contract": contract,
        "pathway": pathway,
        "person": pathway.person,
        "can_draft": can_draft_contract(request.membership, pathway),
        "grounds_visible": can_see_contract_grounds(request.membership, pathway),
        "version_label": f"Version {contract.number}",
        **extra,
    }


def _add_problems(form, error):
    for name, message in error.problems.items():
        form.add_error(name if name in form.fields else None, message)


def _redisplayed(form_class, request, current, **kwargs):
    """After a conflict: the user's input kept, against the version now saved (submitting again applies it)."""
    data = request.POST.copy()
    data["lock_version"] = str(current.lock_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# What the latest diagnostic suggests


@dataclass
class Hints:
    diagnostic: Diagnostic | None = None
    hours_grounds: list = field(default_factory=list)
    review_grounds: list = field(default_factory=list)
    themes: list = field(default_factory=list)


HEALTH_OBSTACLES = {"health_prevents_immediate_return", "health_prevents_any_work", "health_regular_absences"}
WITHOUT_CHILDCARE = {"child_under_3_without_childcare", "child_over_3_without_childcare"}


def diagnostic_hints(membership, person):
    """The legal grounds and the barrier themes the person's latest diagnostic points to.

    Health and RQTH answers count only for whoever may read them (``entry.access.can_see_sensitive``).
    """
    diagnostic = Diagnostic.objects.filter(person=person).order_by("-number").first()
    if diagnostic is None:
        return Hints()
    situation = dict(diagnostic.answers.get("professional_situation") or {})
    barriers = dict(diagnostic.answers.get("barriers") or {})
    if can_see_sensitive(membership, person, diagnostic):
        situation.update((diagnostic.sensitive_answers or {}).get("professional_situation") or {})
        barriers.update((diagnostic.sensitive_answers or {}).get("barriers") or {})

    def strong(theme):
        return (barriers.get(theme) or {}).get("level") in STRONG

    def ticked(theme):
        return set((barriers.get(theme) or {}).get("situations") or [])

    hours, review = [], []
    if strong("health") or ticked("health") & HEALTH_OBSTACLES:
        hours.append(HoursGround.HEALTH)
        review.append(ReviewExtensionGround.HEALTH)
    disability = situation.get("rqth") in ("yes", "pending") or situation.get("boe") in ("yes", "pending")
    if disability or "mdph_file" in ticked("health"):
        hours.append(HoursGround.DISABILITY)
        review.append(ReviewExtensionGround.DISABILITY)
    family = ticked("family_constraints")
    if "single_parent" in family and family & WITHOUT_CHILDCARE:
        hours.append(HoursGround.SINGLE_PARENT)
    if family & WITHOUT_CHILDCARE:
        review.append(ReviewExtensionGround.CHILDCARE)
    if strong("caring_for_relative") or ticked("caring_for_relative"):
        hours.append(HoursGround.CARING_FOR_RELATIVE)
        review.append(ReviewExtensionGround.CARING_FOR_RELATIVE)
    if strong("housing"):
        review.append(ReviewExtensionGround.HOUSING)
    return Hints(
        diagnostic=diagnostic,
        hours_grounds=hours,
        review_grounds=review,
        themes=[theme for theme in barriers if strong(theme)],
    )


# The person's contracts


def contract_home(request, public_id):
    """The person's contract: the one in force, the one in preparation, every version, the social review."""
    person = _person(request, public_id)
    pathway = person.pathway
    membership = request.membership
    log_access(request, person, detail="contrat d'engagement")
    versions = pathway.contracts.select_related("signature_recorded_by", "created_by").order_by("-number")
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    open_contracts = {c.status: c for c in pathway.contracts.filter(status__in=["draft", "signed"])}
    return render(
        request,
        "pathway/contract/home.html",
        {
            "person": person,
            "pathway": pathway,
            "page": page,
            "draft": open_contracts.get(EngagementContract.Status.DRAFT),
            "in_force": open_contracts.get(EngagementContract.Status.SIGNED),
            "review": SocialReview.objects.filter(pathway=pathway, held_on__isnull=True).first(),
            "is_social": pathway.pathway_type == PathwayType.SOCIAL,
            "can_draft": can_draft_contract(membership, pathway),
        },
    )


def contract_create(request, public_id):
    person = _person(request, public_id)
    pathway = person.pathway
    membership = request.membership
    if not can_draft_contract(membership, pathway):
        raise PermissionDenied
    current = pathway.contracts.filter(status__in=["draft", "signed"]).order_by("status").first()
    if current is not None:
        messages.info(
            request,
            "Un contrat est déjà en préparation : le voici."
            if current.is_draft
            else "Un contrat est en vigueur : modifiez-le par un avenant ou renouvelez-le.",
        )
        return redirect("pathway:contract_detail", contract_id=current.public_id)
    hints = diagnostic_hints(membership, person)
    form = TermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contract = actions.draft_contract(
                pathway,
                by=membership,
                starts_on=data["starts_on"],
                review_on=data["review_on"],
                weekly_hours=data["weekly_hours"],
                hours_ground=data["hours_ground"],
                hours_reason=data["hours_reason"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Le contrat est en préparation : ajoutez ses objectifs avec la personne.")
            return redirect("pathway:contract_detail", contract_id=contract.public_id)
    log_access(request, person, detail="rédaction du contrat d'engagement")
    return render(
        request,
        "pathway/contract/terms_form.html",
        {"person": person, "pathway": pathway, "form": form, "hints": hints, "contract": None},
    )


def contract_detail(request, contract_id):
    contract = _contract(request, contract_id, with_items=True)
    pathway = contract.pathway
    membership = request.membership
    log_access(request, pathway.person, detail=f"contrat d'engagement, version {contract.number}")
    following = contract.status in ("draft", "signed") and can_follow_contract_actions(membership, pathway)
    newer = None
    if contract.is_in_force:
        newer = pathway.contracts.filter(status=EngagementContract.Status.DRAFT).first()
    return render(
        request,
        "pathway/contract/detail.html",
        _context(
            request,
            contract,
            can_follow=following,
            newer=newer,
            statuses=Action.Status.choices,
            review=SocialReview.objects.filter(pathway=pathway, contract=contract).first(),
            renew_defaults=None,
        ),
    )


def contract_edit(request, contract_id):
    """The draft's dates and activity target."""
    contract = _draftable(request, _contract(request, contract_id))
    if not contract.is_draft:
        messages.info(request, actions.DRAFT_ONLY)
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    due = list(Action.objects.filter(objective__contract=contract).values_list("due_on", flat=True))
    initial = {
        "starts_on": contract.starts_on,
        "review_on": contract.review_on,
        "weekly_hours": contract.weekly_hours,
        "hours_ground": contract.hours_ground,
        "hours_reason": contract.hours_reason,
        "lock_version": contract.lock_version,
    }
    form = TermsForm(request.POST or None, initial=initial, actions_due=due)
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_contract_terms(
                contract,
                by=request.membership,
                expected_version=data["lock_version"],
                starts_on=data["starts_on"],
                review_on=data["review_on"],
                weekly_hours=data["weekly_hours"],
                hours_ground=data["hours_ground"],
                hours_reason=data["hours_reason"],
            )
        except Conflict as error:
            current = EngagementContract.objects.select_related("updated_by").get(pk=contract.pk)
            form = _redisplayed(TermsForm, request, current, actions_due=due)
            form.add_error(None, str(error))
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Les dates et l'objectif d'activité sont enregistrés.")
            return redirect("pathway:contract_detail", contract_id=contract.public_id)
    log_access(request, contract.pathway.person, detail="modification du contrat d'engagement")
    return render(
        request,
        "pathway/contract/terms_form.html",
        {
            **_context(request, contract),
            "form": form,
            "current": current,
            "hints": diagnostic_hints(request.membership, contract.pathway.person),
        },
    )


# Objectives


def objective_add(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id))
    if not contract.is_draft:
        messages.info(request, actions.DRAFT_ONLY)
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    hints = diagnostic_hints(request.membership, contract.pathway.person)
    form = ObjectiveForm(request.POST or None, version=contract.referential_version, first_themes=hints.themes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objective = actions.add_objective(
                contract,
                by=request.membership,
                referential_key=data["referential_key"],
                label=data["label"],
                theme=data["theme"],
                details=data["details"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"Objectif « {objective.label} » ajouté : précisez maintenant ses actions.")
            return redirect("pathway:action_add", contract_id=contract.public_id, objective_id=objective.public_id)
    log_access(request, contract.pathway.person, detail="objectif du contrat d'engagement")
    themes = dict(referential.themes(contract.referential_version))
    return render(
        request,
        "pathway/contract/objective_form.html",
        {
            **_context(request, contract),
            "form": form,
            "objective": None,
            "title": "Ajouter un objectif",
            "hint_themes": [themes[key] for key in hints.themes if key in themes],
            "hints": hints,
        },
    )


def _objective(contract, objective_id):
    return get_object_or_404(Objective.objects.select_related("updated_by"), contract=contract, public_id=objective_id)


@dataclass
class EditPage:
    """What an edit page shows around its form: the template, the title, the objective the row belongs to (the
    page returns to it), what the access log says was read, and what else the template needs."""

    template: str
    title: str
    objective: Objective
    detail: str
    extra: dict = field(default_factory=dict)


def _edit_versioned(request, contract, row, *, reload, form_class, fields, update, saved, page, form_kwargs=None):
    """The edit page of a row that two members may edit at once (an objective, an action): the form starts from the
    saved values and the version shown; the action refuses an edit that crossed someone else's, and the page then
    shows the saved state with the input kept (``Conflict``). A signed contract is amended, not edited."""
    if not contract.is_draft:
        messages.info(request, actions.DRAFT_ONLY)
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    initial = {name: getattr(row, name) for name in fields} | {"lock_version": row.lock_version}
    form_kwargs = form_kwargs or {}
    form = form_class(request.POST or None, initial=initial, **form_kwargs)
    current = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update(
                row,
                by=request.membership,
                expected_version=data["lock_version"],
                **{name: data[name] for name in fields},
            )
        except Conflict as error:
            current = reload()
            form = _redisplayed(form_class, request, current, **form_kwargs)
            form.add_error(None, str(error))
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, saved)
            return redirect(
                reverse("pathway:contract_detail", args=[contract.public_id]) + f"#objectif-{page.objective.public_id}"
            )
    log_access(request, contract.pathway.person, detail=page.detail)
    return render(
        request,
        page.template,
        {
            **_context(request, contract),
            "form": form,
            "objective": page.objective,
            "current": current,
            "title": page.title,
            **page.extra,
        },
    )


def objective_edit(request, contract_id, objective_id):
    contract = _draftable(request, _contract(request, contract_id))
    objective = _objective(contract, objective_id)
    return _edit_versioned(
        request,
        contract,
        objective,
        reload=lambda: _objective(contract, objective_id),
        form_class=ObjectiveEditForm,
        fields=("label", "details"),
        update=actions.update_objective,
        saved="L'objectif est enregistré.",
        page=EditPage(
            template="pathway/contract/objective_form.html",
            title="Modifier l'objectif",
            objective=objective,
            detail="objectif du contrat d'engagement",
        ),
    )


def _posted_version(request):
    """The version of the row the page showed: a POST without one (or with a malformed one) is no page's."""
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        raise BadRequest("Version de la ligne manquante ou invalide.") from None


@require_POST
def objective_remove(request, contract_id, objective_id):
    contract = _draftable(request, _contract(request, contract_id))
    objective = _objective(contract, objective_id)
    try:
        actions.remove_objective(objective, by=request.membership, expected_version=_posted_version(request))
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'objectif « {objective.label} » et ses actions sont retirés du contrat.")
    return redirect("pathway:contract_detail", contract_id=contract.public_id)


# Actions


def _offered(contract, objective):
    if not objective.referential_key:
        return []
    known = referential.objectives(contract.referential_version).get(objective.referential_key)
    return list(known.actions) if known else []


def action_add(request, contract_id, objective_id):
    contract = _draftable(request, _contract(request, contract_id))
    objective = _objective(contract, objective_id)
    if not contract.is_draft:
        messages.info(request, actions.DRAFT_ONLY)
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    form = ActionForm(
        request.POST or None,
        contract=contract,
        offered=_offered(contract, objective),
        initial={"due_on": min(contract.review_on, timezone.localdate() + relativedelta(months=1))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = actions.add_action(
                objective,
                by=request.membership,
                referential_key=data.get("referential_key", ""),
                label=data["label"],
                who=data["who"],
                partner=data["partner"],
                due_on=data["due_on"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, f"Action « {action.label} » ajoutée.")
            if "encore" in request.POST:
                return redirect("pathway:action_add", contract_id=contract.public_id, objective_id=objective.public_id)
            return redirect(
                reverse("pathway:contract_detail", args=[contract.public_id]) + f"#objectif-{objective.public_id}"
            )
    log_access(request, contract.pathway.person, detail="action du contrat d'engagement")
    return render(
        request,
        "pathway/contract/action_form.html",
        {
            **_context(request, contract),
            "form": form,
            "objective": objective,
            "action": None,
            "title": "Ajouter une action",
        },
    )


def _action(contract, action_id):
    return get_object_or_404(
        Action.objects.select_related("objective", "updated_by"), objective__contract=contract, public_id=action_id
    )


def action_edit(request, contract_id, action_id):
    contract = _draftable(request, _contract(request, contract_id))
    action = _action(contract, action_id)
    return _edit_versioned(
        request,
        contract,
        action,
        reload=lambda: _action(contract, action_id),
        form_class=ActionForm,
        fields=("label", "who", "partner", "due_on"),
        update=actions.update_action,
        saved="L'action est enregistrée.",
        page=EditPage(
            template="pathway/contract/action_form.html",
            title="Modifier l'action",
            objective=action.objective,
            detail="action du contrat d'engagement",
            extra={"action": action},
        ),
        form_kwargs={"contract": contract},
    )


@require_POST
def action_remove(request, contract_id, action_id):
    contract = _draftable(request, _contract(request, contract_id))
    action = _action(contract, action_id)
    try:
        actions.remove_action(action, by=request.membership, expected_version=_posted_version(request))
    except actions.ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"L'action « {action.label} » est retirée du contrat.")
    return redirect("pathway:contract_detail", contract_id=contract.public_id)


@require_POST
def action_status(request, contract_id, action_id):
    """Where an action stands. With htmx, only the action's line is redrawn."""
    contract = _contract(request, contract_id)
    if not can_follow_contract_actions(request.membership, contract.pathway):
        raise PermissionDenied
    action = _action(contract, action_id)
    form = ActionStatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            action = actions.set_action_status(
                action,
                by=request.membership,
                expected_version=form.cleaned_data["lock_version"],
                status=form.cleaned_data["status"],
            )
        except actions.ActionError as refusal:
            error = str(refusal)
            action = _action(contract, action_id)
    else:
        error = "Choisissez l'état de l'action."
    if request.htmx:
        return render(
            request,
            "pathway/contract/_action_status.html",
            {
                "contract": contract,
                "action": action,
                "statuses": Action.Status.choices,
                "error": error,
                "saved": not error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Action « {action.label} » : {action.get_status_display()}.")
    return redirect(reverse("pathway:contract_detail", args=[contract.public_id]) + f"#action-{action.public_id}")


# States of the contract


def contract_sign(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id, with_items=True))
    if not contract.is_draft:
        messages.info(request, "Ce contrat est déjà signé.")
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.sign_contract(
                contract,
                by=request.membership,
                signed_on=form.cleaned_data["signed_on"],
                agreement_mode=form.cleaned_data["agreement_mode"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request, "Le contrat est signé. Imprimez-le pour en remettre un exemplaire à la personne."
            )
            return redirect("pathway:contract_detail", contract_id=contract.public_id)
    log_access(request, contract.pathway.person, detail="signature du contrat d'engagement")
    return render(
        request,
        "pathway/contract/sign.html",
        {
            **_context(request, contract),
            "form": form,
            "title": "Enregistrer la signature",
            "submit_label": "Le contrat est signé",
        },
    )


@require_POST
def contract_amend(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id))
    try:
        new = actions.amend_contract(contract, by=request.membership)
    except actions.ContractError as error:
        messages.error(request, str(error))
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    messages.success(
        request,
        f"Avenant en préparation (version {new.number}) : le contrat signé reste en vigueur jusqu'à sa signature.",
    )
    return redirect("pathway:contract_detail", contract_id=new.public_id)


def _in_force_or_back(request, contract):
    if contract.is_in_force:
        return None
    messages.info(request, "Seul le contrat en vigueur peut être renouvelé ou terminé.")
    return redirect("pathway:contract_detail", contract_id=contract.public_id)


def contract_renew(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id))
    if back := _in_force_or_back(request, contract):
        return back
    starts_on = max(contract.review_on, timezone.localdate())
    form = RenewForm(
        request.POST or None,
        initial={"starts_on": starts_on, "review_on": starts_on + relativedelta(months=CONTRACT_MONTHS)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = actions.renew_contract(
                contract,
                by=request.membership,
                starts_on=form.cleaned_data["starts_on"],
                review_on=form.cleaned_data["review_on"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(
                request,
                f"Nouveau contrat en préparation (version {new.number}) : les objectifs encore ouverts et les actions "
                "non terminées sont repris.",
            )
            return redirect("pathway:contract_detail", contract_id=new.public_id)
    log_access(request, contract.pathway.person, detail="renouvellement du contrat d'engagement")
    return render(
        request,
        "pathway/contract/renew.html",
        {
            **_context(request, contract),
            "form": form,
            "title": "Renouveler le contrat",
            "submit_label": "Préparer le nouveau contrat",
        },
    )


def contract_end(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id))
    if back := _in_force_or_back(request, contract):
        return back
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_contract(
                contract,
                by=request.membership,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            messages.success(request, "Le contrat est terminé ; l'équipe en est informée.")
            return redirect("pathway:contract_detail", contract_id=contract.public_id)
    log_access(request, contract.pathway.person, detail="fin du contrat d'engagement")
    return render(
        request,
        "pathway/contract/end.html",
        {
            **_context(request, contract),
            "form": form,
            "title": "Terminer le contrat",
            "submit_label": "Terminer le contrat",
        },
    )


@require_POST
def contract_discard(request, contract_id):
    contract = _draftable(request, _contract(request, contract_id))
    person = contract.pathway.person
    try:
        actions.discard_draft(contract, by=request.membership)
    except actions.ContractError as error:
        messages.error(request, str(error))
        return redirect("pathway:contract_detail", contract_id=contract.public_id)
    messages.success(request, "Le brouillon est abandonné.")
    return redirect("pathway:contract_home", public_id=person.public_id)


# Reading a contract


def contract_print(request, contract_id):
    """The contract as the person reads it, in plain French, ready to print."""
    contract = _contract(request, contract_id, with_items=True)
    pathway = contract.pathway
    log_access(
        request,
        pathway.person,
        action=AccessLog.Action.PRINT,
        detail=f"contrat d'engagement, version {contract.number}",
    )
    return render(
        request,
        "pathway/contract/print.html",
        _context(
            request,
            contract,
            review=SocialReview.objects.filter(pathway=pathway, contract=contract).first(),
            today=timezone.localdate(),
        ),
    )


def contract_diff(request, contract_id):
    """What changed from the previous version."""
    contract = _contract(request, contract_id, with_items=True)
    if contract.previous_id is None:
        raise Http404
    previous = EngagementContract.objects.prefetch_related(_items()).get(pk=contract.previous_id)
    log_access(
        request, contract.pathway.person, detail=f"différences du contrat d'engagement, version {contract.number}"
    )
    hidden = not can_see_contract_grounds(request.membership, contract.pathway)
    return render(
        request,
        "pathway/contract/diff.html",
        _context(
            request,
            contract,
            previous=previous,
            differences=contract_differences(previous, contract, hide_sensitive=hidden),
        ),
    )


def contract_worklist(request):
    """People accompanied before 1 January 2025 whose contract is not signed: due by 1 January 2027."""
    membership = _membership(request)
    pathways = (
        pathways_lacking_contract(membership)
        .select_related("person", "referent", "referent_structure")
        .prefetch_related(
            Prefetch(
                "contracts",
                queryset=EngagementContract.objects.filter(status=EngagementContract.Status.DRAFT),
                to_attr="drafts",
            )
        )
        .order_by("entered_at", "pk")
    )
    page = Paginator(pathways, PAGE_SIZE).get_page(request.GET.get("page"))
    log_access_many(request, [pathway.person for pathway in page.object_list], detail="contrats à régulariser")
    return render(
        request,
        "pathway/contract/worklist.html",
        {
            "page": page,
            "due_on": LEGACY_CONTRACT_DUE_ON,
            "days_left": (LEGACY_CONTRACT_DUE_ON - timezone.localdate()).days,
        },
    )


# The social pathway's joint review


def social_review(request, public_id):
    """The joint review with France Travail: when it is due, its extension to twelve months, that it took place."""
    person = _person(request, public_id)
    pathway = person.pathway
    membership = request.membership
    review = SocialReview.objects.filter(pathway=pathway, held_on__isnull=True).first()
    can_draft = can_draft_contract(membership, pathway)
    if request.method == "POST" and not can_draft:
        raise PermissionDenied
    posted = request.POST.get("formulaire") if request.method == "POST" else None
    extend = ReviewExtendForm(request.POST if posted == "report" else None, prefix="report")
    held = ReviewHeldForm(request.POST if posted == "tenue" else None, prefix="tenue")
    if posted and review is None:
        messages.error(request, "Aucune revue n'est attendue : elle est prévue à la signature du contrat.")
        return redirect("pathway:social_review", public_id=person.public_id)
    form = extend if posted == "report" else held if posted == "tenue" else None
    if form is not None and form.is_valid():
        try:
            if form is extend:
                actions.extend_social_review(
                    review, by=membership, ground=form.cleaned_data["ground"], reason=form.cleaned_data["reason"]
                )
                messages.success(request, "La revue est reportée à douze mois.")
            else:
                actions.record_social_review(
                    review, by=membership, held_on=form.cleaned_data["held_on"], outcome=form.cleaned_data["outcome"]
                )
                messages.success(request, "La revue est enregistrée.")
        except actions.ContractError as error:
            _add_problems(form, error)
        else:
            return redirect("pathway:social_review", public_id=person.public_id)
    log_access(request, person, detail="revue du parcours social")
    past = SocialReview.objects.filter(pathway=pathway, held_on__isnull=False).select_related("recorded_by")
    return render(
        request,
        "pathway/contract/social_review.html",
        {
            "person": person,
            "pathway": pathway,
            "review": review,
            "past": Paginator(past.order_by("-held_on"), PAGE_SIZE).get_page(request.GET.get("page")),
            "extend_form": extend,
            "held_form": held,
            "can_draft": can_draft,
            "grounds_visible": can_see_contract_grounds(membership, pathway),
            "hints": diagnostic_hints(membership, person) if can_draft else Hints(),
            "is_social": pathway.pathway_type == PathwayType.SOCIAL,
        },
    )
