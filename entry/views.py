from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.access import is_orientation_manager
from accounts.models import Membership
from audit.journal import log_access, log_access_many, log_search
from audit.models import AccessLog
from entry import access, actions, drafts
from entry.diagnostic_form import DiagnosticForm
from entry.duplicate_views import merged_redirect
from entry.forms import (
    AccessAnswerForm,
    AccessRequestForm,
    ConfirmDuplicateForm,
    DecisionForm,
    OpinionForm,
    PersonForm,
    RefusalForm,
    ReorientationForm,
    SearchForm,
    referent_choices,
)
from entry.models import Diagnostic, DiagnosticDraft, Orientation
from entry.orientation_views import worklist_return
from entry.proposal import propose_orientation
from entry.referent_candidates import candidates_for
from entry.referent_suggestion import suggest_referent_structure
from entry.referential import NOT_ADDRESSED, carry_over, merge_answers, split_sensitive, validate_answers
from entry.referential_store import current_referential, describe_answers, person_facts, referential_version
from pathway import actions as pathway_actions
from pathway import carnet_views
from pathway.access import (
    answerable_access_requests,
    can_answer_access_request,
    can_see_person_sensitive,
    can_view_person,
    followed_by,
    persons_visible_to,
)
from pathway.models import AccessRequest, PathwayType
from people import matching
from people.models import Person
from relais.actions import ActionError
from relais.templatetags.relais_format import accord

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "relais_person_search"


def _membership_or_403(request):
    if request.membership is None:
        raise PermissionDenied
    return request.membership


def _person_for(request, public_id):
    """The person if within the need-to-know of the current structure; 404 otherwise (nothing confirmed)."""
    return carnet_views.visible_person(request, public_id)


def person_list(request):
    """« Personnes »: the search, and below it the people of my caseload.

    The search is posted, never put in the address: names, birth dates and NIR stay out of URLs, browser
    history and server logs. What was typed (but the NIR) is kept in the session to pre-fill a creation.
    """
    membership = _membership_or_403(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        request.session[SEARCH_SESSION_KEY] = {
            "birth_name": data["last_name"],
            "first_names": data["first_names"],
            "birth_date": data["birth_date"].isoformat() if data["birth_date"] else "",
            "caf_number": data["caf_number"],
            "france_travail_id": data["france_travail_id"],
        }
        query = matching.Query(
            last_name=data["last_name"],
            first_names=data["first_names"],
            birth_date=data["birth_date"],
            nir=data["nir"],
            caf_number=data["caf_number"],
            france_travail_id=data["france_travail_id"],
        )
        found = matching.find(query)
        visible = set(
            persons_visible_to(membership, Person.objects.filter(pk__in=[m.person.pk for m in found])).values_list(
                "pk", flat=True
            )
        )
        results = [{"match": match, "visible": match.person.pk in visible} for match in found]
        shown = [match.person for match in found if match.person.pk in visible]
        log_search(
            request,
            label="Recherche de personnes",
            criteria=form.criteria(),
            shown=shown,
            outside=len(found) - len(shown),
        )
    caseload = (
        persons_visible_to(membership)
        .filter(pathway__team__user=request.user, pathway__team__ended_at__isnull=True)
        .select_related("commune", "pathway")
        .order_by("birth_name", "first_names", "pk")
    )
    page = Paginator(caseload, PAGE_SIZE).get_page(request.GET.get("page")) if results is None else None
    if page is not None:
        log_access_many(request, page.object_list, action=AccessLog.Action.VIEW, detail="liste de mes personnes")
    return render(
        request,
        "entry/person_list.html",
        {"form": form, "results": results, "page": page},
    )


def _creation_candidates(found):
    """What the creation warns about, among what ``pathway.actions.creation_matches`` found: the likely duplicates,
    and the people of the same household (not duplicates, shown so that nobody takes a spouse for the person)."""
    return [match for match in found if match.is_likely_duplicate or match.same_household]


def _candidate_rows(matches, visible):
    """Each candidate as a professional may decide from it without opening the record: initials, birth year,
    commune, who follows the person (structures of the référent and the team), the reasons of the match."""
    persons = Person.objects.filter(pk__in=[match.person.pk for match in matches]).select_related(
        "commune", "pathway", "pathway__referent_structure"
    )
    by_pk = {person.pk: person for person in persons}
    rows = []
    for match in matches:
        person = by_pk.get(match.person.pk, match.person)
        rows.append(
            {
                "match": match,
                "person": person,
                "visible": person.pk in visible,
                "followed_by": followed_by(person),
                "strong": match.is_strong,
            }
        )
    return rows


def person_create(request):
    """Create a person, after the search for their record: likely duplicates are shown (to confirm before
    creating); a person known with little doubt cannot be created again, the way forward is the access request."""
    membership = _membership_or_403(request)
    form = PersonForm(request.POST or None, initial=request.session.get(SEARCH_SESSION_KEY, {}))
    # The confirmation is judged only once the candidates have been shown with it.
    confirm = ConfirmDuplicateForm(request.POST if "confirmation_affichee" in request.POST else None)
    candidates, visible = [], set()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # One search: the action refuses a strong match among these same candidates.
        found = pathway_actions.creation_matches(form.identity(), data["nir"])
        candidates = _creation_candidates(found)
        if candidates:
            visible = set(
                persons_visible_to(
                    membership, Person.objects.filter(pk__in=[m.person.pk for m in candidates])
                ).values_list("pk", flat=True)
            )
        shown = [match.person for match in candidates if match.person.pk in visible]
        log_search(
            request,
            label="Recherche de doublons avant une création",
            criteria=form.search_criteria(),
            shown=shown,
            outside=len(candidates) - len(shown),
            shown_detail="doublon possible à la création",
        )
        duplicates = [match for match in candidates if match.is_likely_duplicate]
        if any(match.is_strong for match in duplicates):
            form.add_error(None, _already_known_message(duplicates, visible))
        elif not duplicates or confirm.is_valid():
            try:
                person = pathway_actions.enter_person(
                    by=membership,
                    identity=form.identity(),
                    nir=form.cleaned_data["nir"],
                    entered_at=form.cleaned_data["entry_date"],
                    rsa_informed_on=form.cleaned_data.get("rsa_informed_on"),
                    matches=found,
                )
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                if duplicates:
                    log_access(
                        request,
                        person,
                        action=AccessLog.Action.VIEW,
                        detail=f"création confirmée malgré {len(duplicates)} doublon(s) possible(s)",
                    )
                request.session.pop(SEARCH_SESSION_KEY, None)
                messages.success(
                    request, f"{person} est {accord(person, 'enregistré')}. Vous faites partie de son équipe."
                )
                return redirect("entry:person_detail", public_id=person.public_id)
    duplicates = [match for match in candidates if match.is_likely_duplicate]
    refused = any(match.is_strong for match in duplicates)
    return render(
        request,
        "entry/person_form.html",
        {
            "form": form,
            "confirm": confirm if duplicates and not refused else None,
            "candidates": _candidate_rows(candidates, visible) if candidates else [],
            "refused": refused,
            "access_form": AccessRequestForm(),
            "person": None,
        },
    )


def _already_known_message(duplicates, visible):
    strong = [match for match in duplicates if match.is_strong]
    if any(match.person.pk in visible for match in strong):
        return "Cette personne est déjà connue : ouvrez son dossier ci-dessous plutôt que de la recréer."
    return pathway_actions.ALREADY_KNOWN


def person_detail(request, public_id):
    """The person's page is their carnet (``pathway.carnet_views``), where entry shows its sections. The address
    of a record merged since leads to the one kept, for those who may see it."""
    try:
        return carnet_views.carnet(request, public_id)
    except Http404:
        survivor = merged_redirect(request.membership, public_id)
        if survivor is None:
            raise
        return redirect("entry:person_detail", public_id=survivor.public_id)


def person_edit(request, public_id):
    person = _person_for(request, public_id)
    form = PersonForm(
        request.POST or None,
        instance=person,
        with_sensitive=can_see_person_sensitive(request.membership, person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            pathway_actions.update_person(
                person,
                by=request.membership,
                version=form.cleaned_data.get("version"),
                changes=form.identity(),
                nir=form.cleaned_data["nir"],
                entered_at=form.cleaned_data["entry_date"],
                rsa_informed_on=form.cleaned_data.get("rsa_informed_on"),
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Les informations de la personne sont enregistrées.")
            return redirect("entry:person_detail", public_id=person.public_id)
    log_access(request, person, detail="modification de l'identité")
    return render(request, "entry/person_form.html", {"form": form, "person": person, "candidates": []})


def request_access(request, public_id):
    """Found but outside the need-to-know: only who follows the person, and a request to join the team."""
    membership = _membership_or_403(request)
    person = get_object_or_404(Person.objects.filter(merged_into__isnull=True), public_id=public_id)
    if can_view_person(membership, person):
        return redirect("entry:person_detail", public_id=person.public_id)
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway_actions.request_access(person, by=membership, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Votre demande d'accès est envoyée au référent et aux chargés d'orientation.")
            return redirect("entry:person_list")
    pending = person.access_requests.filter(requested_by=request.user, status=AccessRequest.Status.PENDING).exists()
    return render(
        request,
        "entry/request_access.html",
        {"form": form, "followed_by": followed_by(person), "pending": pending, "person_id": person.public_id},
    )


def access_request_list(request):
    """Requests I may answer: as référent, or as orientation manager for my zone."""
    membership = _membership_or_403(request)
    pending = answerable_access_requests(membership).select_related("person", "requested_by", "structure")
    page = Paginator(pending.order_by("requested_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    log_access_many(request, [item.person for item in page.object_list], detail="demandes d'accès à traiter")
    return render(request, "entry/access_request_list.html", {"page": page})


@require_POST
def answer_access_request(request, public_id):
    membership = _membership_or_403(request)
    access_request = get_object_or_404(AccessRequest.objects.select_related("person"), public_id=public_id)
    person = access_request.person
    if not can_view_person(membership, person) or not can_answer_access_request(membership, person):
        raise Http404
    form = AccessAnswerForm(request.POST)
    form.is_valid()
    grant = request.POST.get("decision") == "accorder"
    try:
        pathway_actions.answer_access_request(
            access_request, by=membership, grant=grant, comment=form.cleaned_data.get("comment", "")
        )
    except ActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Accès accordé : le professionnel rejoint l'équipe." if grant else "Demande refusée."
        )
    target = request.POST.get("next", "")
    # A path of this site only: ``redirect`` would take any other text for the name of a view.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("entry:access_request_list")
    return HttpResponseRedirect(target)


def decide(request, public_id):
    person = _person_for(request, public_id)
    membership = request.membership
    if not access.can_orient(membership, person):
        raise PermissionDenied
    orientation = (
        person.orientations.filter(status=Orientation.Status.PROPOSED)
        .select_related("diagnostic", "opinion_structure", "opinion_by", "refused_orientation__referent_structure")
        .first()
    )
    if orientation is None:
        decided = (
            person.orientations.filter(status__in=[Orientation.Status.DECIDED, Orientation.Status.NOTIFIED])
            .select_related("decided_by")
            .order_by("-decided_at")
            .first()
        )
        if request.method == "POST" and decided is not None:
            # Decided by someone else since this manager opened the form.
            messages.error(request, actions.already_decided(decided))
        else:
            messages.info(request, "Aucune orientation à décider : faites d'abord le diagnostic.")
        return redirect("entry:person_detail", public_id=person.public_id)
    candidates = candidates_for(person.commune)
    suggestions = [
        (label, suggest_referent_structure(candidates, pathway=value, age=person.age))
        for value, label in PathwayType.choices
    ]
    suggested = suggest_referent_structure(candidates, pathway=orientation.proposed_pathway, age=person.age)
    initial = {
        "pathway_type": orientation.proposed_pathway,
        "referent_structure": suggested.key if suggested else None,
    }
    form = DecisionForm(request.POST or None, initial=initial, proposed_pathway=orientation.proposed_pathway)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = actions.decide_orientation(
                orientation,
                by=membership,
                pathway_type=data["pathway_type"],
                referent_structure=data["referent_structure"],
                referent=data["referent"],
                reason=data["decision_reason"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            decided.refresh_from_db()
            if decided.status == Orientation.Status.NOTIFIED:
                messages.success(
                    request, "L'orientation est décidée et notifiée à la personne et à l'organisme référent."
                )
            else:
                messages.warning(
                    request,
                    "L'orientation est décidée. Elle n'a pas pu être envoyée par courriel ou SMS : "
                    "imprimez le courrier.",
                )
            if request.GET.get("depuis") == "liste":
                return redirect(worklist_return(request))
            return redirect("entry:person_detail", public_id=person.public_id)
    log_access(request, person, detail="décision d'orientation")
    return render(
        request,
        "entry/decide.html",
        {
            "person": person,
            "orientation": orientation,
            "form": form,
            "suggestions": suggestions,
            "suggested": suggested,
        },
    )


def referent_options(request):
    """htmx: the members of the chosen organisme référent, as <option> elements of the decision form."""
    if not is_orientation_manager(request.membership):
        raise PermissionDenied
    members = referent_choices(request.GET.get("referent_structure"))
    return render(request, "entry/referent_options.html", {"members": members})


def letter(request, public_id, orientation_id):
    person = _person_for(request, public_id)
    orientation = get_object_or_404(
        person.orientations.select_related("referent_structure", "referent", "decided_by"),
        public_id=orientation_id,
        status__in=[Orientation.Status.DECIDED, Orientation.Status.NOTIFIED],
    )
    if request.method == "POST":
        if not access.can_orient(request.membership, person):
            raise PermissionDenied
        actions.record_letter(orientation, by=request.membership)
        messages.success(request, "Le courrier est enregistré comme notification de l'orientation.")
        return redirect("entry:person_detail", public_id=person.public_id)
    log_access(request, person, action=AccessLog.Action.PRINT, detail="courrier de notification d'orientation")
    decider = orientation.decided_by.memberships.filter(is_orientation_manager=True).select_related("structure")
    return render(
        request,
        "entry/letter.html",
        {
            "person": person,
            "orientation": orientation,
            "today": timezone.localdate(),
            "decider_structure": (decider.first() or request.membership).structure,
        },
    )


def _expired_diagnostic_post(request, public_id):
    """A diagnostic posted after the session expired: kept as its author's draft when the form's token says who
    they are, then the login page, which leads back to the diagnostic and its draft."""
    login_url = redirect_to_login(reverse("entry:diagnostic_edit", args=[public_id]))
    if request.method != "POST":
        return login_url
    author = drafts.read_token(request.POST.get(drafts.TOKEN_FIELD), public_id)
    if author is None:
        return login_url
    membership = (
        Membership.objects.filter(
            user_id=author[0],
            structure_id=author[1],
            is_active=True,
            user__is_active=True,
            structure__is_validated=True,
        )
        .select_related("user", "structure")
        .first()
    )
    person = Person.objects.filter(public_id=public_id, merged_into__isnull=True).first()
    if membership is None or person is None:
        return login_url
    try:
        actions.save_diagnostic_draft(person, by=membership, data=drafts.draft_data(request.POST))
    except ActionError:
        return login_url
    messages.warning(
        request,
        "Votre session avait expiré : le diagnostic n'est pas encore enregistré, mais tout ce que vous aviez saisi "
        "est gardé en brouillon. Reconnectez-vous pour le retrouver et l'enregistrer.",
    )
    return login_url


@login_not_required
def diagnostic_draft(request, public_id):
    """htmx: keep the diagnostic being typed as the professional's draft (every few seconds), or discard it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        response = _expired_diagnostic_post(request, public_id)
        expired = render(request, "entry/draft_status.html", {"expired": True, "login_url": response.url})
        return expired if request.htmx else response
    person = _person_for(request, public_id)
    if request.POST.get("action") == "abandonner":
        actions.discard_diagnostic_draft(person, by=request.membership)
        messages.info(request, "Le brouillon est abandonné : le formulaire repart du dernier diagnostic enregistré.")
        return redirect("entry:diagnostic_edit", public_id=person.public_id)
    draft = actions.save_diagnostic_draft(person, by=request.membership, data=drafts.draft_data(request.POST))
    return render(request, "entry/draft_status.html", {"draft": draft})


@login_not_required
def diagnostic_edit(request, public_id):
    """Run the diagnostic, or update it: a new dated version that starts from the previous answers.

    A professional who may not read the previous version's sensitive answers (health, RQTH) is not offered them:
    the new version carries them over unchanged, with their comments and the structure that wrote them (which
    alone, with the référent, reads them), and the proposal is computed with them, as the rules read them.
    """
    if not request.user.is_authenticated:
        return _expired_diagnostic_post(request, public_id)
    person = _person_for(request, public_id)
    membership = request.membership
    previous = Diagnostic.objects.latest_for(person)
    referential = current_referential()
    sensitive_visible = previous is None or access.can_see_sensitive(membership, person, previous)
    previous_referential = None
    if previous is not None and previous.referential_version != referential["version"]:
        previous_referential = referential_version(previous.referential_version)
    kept = None if sensitive_visible else _kept_sensitive(referential, previous, previous_referential)
    form = DiagnosticForm(
        request.POST or None,
        referential=referential,
        previous=previous,
        previous_referential=previous_referential,
        with_sensitive=sensitive_visible or kept is None,
    )
    draft = DiagnosticDraft.objects.filter(person=person, author=request.user).first()
    if draft is not None and request.method != "POST":
        form.initial.update(drafts.initial_from_draft(form, draft.data))
    if request.method == "POST" and form.is_valid():
        answers = merge_answers(form.answers(), kept["answers"] if kept else {})
        errors = validate_answers(referential, answers)
        for error in errors:
            form.add_error(None, error)
        if not errors:
            common, sensitive = split_sensitive(referential, answers)
            comments, sensitive_comments = form.theme_comments()
            proposal = propose_orientation(answers, person_facts(person), referential=referential)
            actions.record_diagnostic(
                person,
                by=membership,
                answers=common,
                sensitive_answers=sensitive,
                comments=form.cleaned_data["comments"],
                theme_comments=comments,
                sensitive_theme_comments=kept["comments"] if kept else sensitive_comments,
                referential=referential,
                proposal=proposal,
                sensitive_structure_id=kept["structure_id"] if kept else None,
            )
            messages.success(
                request,
                f"Diagnostic enregistré. Orientation proposée : parcours {PathwayType(proposal.pathway).label}.",
            )
            return redirect("entry:person_detail", public_id=person.public_id)
    if request.method == "POST":
        draft = actions.save_diagnostic_draft(person, by=membership, data=drafts.draft_data(request.POST))
    log_access(request, person, detail="diagnostic")
    return render(
        request,
        "entry/diagnostic_form.html",
        {
            "person": person,
            "form": form,
            "previous": previous,
            "referential": referential,
            "sensitive_visible": sensitive_visible,
            "draft": draft,
            "draft_token": drafts.issue_token(membership, person),
            "session_idle_seconds": str(settings.SESSION_COOKIE_AGE),
            "session_warn_seconds": str(
                min(settings.RELAIS_SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2)
            ),
        },
    )


def _kept_sensitive(referential, previous, previous_referential=None):
    """The previous version's sensitive answers, comments and author, when it holds any; None otherwise (a
    professional who may not read them is then free to answer them). Answers of an older referential version are
    carried over to the current one's questions (an RQTH becomes the obligation d'emploi on that ground)."""
    answers = previous.sensitive_answers
    if previous_referential is not None:
        answers = carry_over(answers, previous_referential, referential)
    _, answers = split_sensitive(referential, answers)
    said = any(value not in ("", None, []) for value in answers.get("professional_situation", {}).values()) or any(
        answer.get("level", NOT_ADDRESSED) != NOT_ADDRESSED or answer.get("situations")
        for answer in answers.get("barriers", {}).values()
    )
    if not said and not previous.sensitive_theme_comments:
        return None
    return {
        "answers": answers,
        "comments": dict(previous.sensitive_theme_comments),
        "structure_id": previous.sensitive_author_structure_id,
    }


def diagnostic_history(request, public_id):
    person = _person_for(request, public_id)
    log_access(request, person, detail="historique des diagnostics")
    diagnostics = Paginator(
        person.diagnostics.select_related("done_by", "structure").order_by("-number"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "entry/diagnostic_history.html", {"person": person, "page": diagnostics})


def diagnostic_detail(request, public_id, diagnostic_id):
    person = _person_for(request, public_id)
    diagnostic = get_object_or_404(person.diagnostics.select_related("done_by", "structure"), public_id=diagnostic_id)
    sensitive_visible = access.can_see_sensitive(request.membership, person, diagnostic)
    log_access(request, person, detail=f"diagnostic n° {diagnostic.number}")
    referential = referential_version(diagnostic.referential_version)
    answers = merge_answers(diagnostic.answers, diagnostic.sensitive_answers if sensitive_visible else {})
    comments = {**diagnostic.theme_comments, **(diagnostic.sensitive_theme_comments if sensitive_visible else {})}
    return render(
        request,
        "entry/diagnostic_detail.html",
        {
            "person": person,
            "diagnostic": diagnostic,
            "sensitive_visible": sensitive_visible,
            "reasons_visible": not diagnostic.proposal_sensitive
            or sensitive_visible
            or access.can_orient(request.membership, person),
            "sections": describe_answers(referential, answers, comments, hide_sensitive=not sensitive_visible),
        },
    )


def request_reorientation(request, public_id):
    """The référent asks for a réorientation, with a reason: it goes to the orientation managers' worklist."""
    person = _person_for(request, public_id)
    if not access.can_request_reorientation(request.membership, person):
        raise PermissionDenied
    form = ReorientationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_reorientation(person, by=request.membership, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demande de réorientation est transmise aux chargés d'orientation.")
            return redirect("entry:person_detail", public_id=person.public_id)
    log_access(request, person, detail="demande de réorientation")
    return render(request, "entry/reorientation.html", {"person": person, "form": form})


def give_opinion(request, public_id):
    """The prescriber attaches an opinion (preferred pathway or structure, the person's wish) to the open
    orientation request; the orientation manager reads it next to the proposal."""
    person = _person_for(request, public_id)
    orientation = (
        person.orientations.filter(status=Orientation.Status.PROPOSED)
        .select_related("diagnostic", "opinion_structure")
        .first()
    )
    if not access.can_give_opinion(request.membership, person, orientation):
        raise PermissionDenied
    initial = {
        "pathway": orientation.opinion_pathway,
        "structure": orientation.opinion_structure,
        "wish": orientation.opinion_wish,
        "comment": orientation.opinion_comment,
    }
    form = OpinionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.give_opinion(
                orientation,
                by=request.membership,
                pathway=data["pathway"],
                structure=data["structure"],
                wish=data["wish"],
                comment=data["comment"],
            )
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Votre avis est joint à la demande d'orientation.")
            return redirect("entry:person_detail", public_id=person.public_id)
    log_access(request, person, detail="avis sur l'orientation")
    return render(request, "entry/opinion.html", {"person": person, "orientation": orientation, "form": form})


def refuse_orientation(request, public_id, orientation_id):
    """The organisme référent's admins or orientation managers refuse an orientation to their structure, with a
    reason: the person goes back to the orientation managers' worklist."""
    person = _person_for(request, public_id)
    orientation = get_object_or_404(
        person.orientations.select_related("referent_structure", "decided_by"), public_id=orientation_id
    )
    if not access.can_refuse_orientation(request.membership, orientation):
        raise PermissionDenied
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.refuse_orientation(orientation, by=request.membership, reason=form.cleaned_data["reason"])
        except ActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "L'orientation est refusée : la personne retourne aux chargés d'orientation.")
            return redirect("home")
    log_access(request, person, detail="refus d'orientation")
    return render(request, "entry/refuse.html", {"person": person, "orientation": orientation, "form": form})
