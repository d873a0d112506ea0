"""The contract's pages as professionals use them: what they see, what they may do, what is refused and kept."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLog
from pathway import contract_actions as actions
from pathway.contract_models import Action, EngagementContract, Objective
from pathway.models import TeamMember
from tests.entry.factories import DiagnosticFactory
from tests.factories import MembershipFactory
from tests.pages import field_error, input_value, text
from tests.pathway.contract_fixtures import *  # noqa: F403  (the contract's fixtures)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def terms(today, **changes):
    data = {
        "starts_on": today.isoformat(),
        "review_on": (today + 180 * DAY).isoformat(),
        "weekly_hours": "15",
        "hours_ground": "",
        "hours_reason": "",
    }
    return {**data, **changes}


def test_the_person_page_offers_the_referent_to_draft_the_contract(client, pathway, referent, orientation_manager):
    person_url = reverse("entry:person_detail", args=[pathway.person.public_id])
    client.force_login(referent.user)
    page = text(client.get(person_url))
    assert "Contrat d'engagement" in page and "Rédiger le contrat d'engagement" in page
    client.force_login(orientation_manager)
    page = text(client.get(person_url))
    assert "Aucun contrat en vigueur" in page and "Rédiger le contrat d'engagement" not in page


def test_drafting_refuses_bad_terms_next_to_the_field_and_keeps_the_input(client, pathway, referent, today):
    client.force_login(referent.user)
    url = reverse("pathway:contract_create", args=[pathway.person.public_id])
    response = client.post(url, terms(today, weekly_hours="40", hours_reason="Reprise à temps partiel"))
    assert response.status_code == 200
    assert "entre 0 et 35 heures" in field_error(response, "weekly_hours")
    assert input_value(response, "weekly_hours") == "40"
    assert "Reprise à temps partiel" in response.content.decode()
    assert "Rien n'est enregistré" in text(response)
    response = client.post(url, terms(today, review_on=(today - DAY).isoformat()))
    assert "postérieure à la date de début" in field_error(response, "review_on")
    response = client.post(url, terms(today, weekly_hours="8"))
    assert "motif prévu par la loi" in field_error(response, "hours_ground")
    assert "Expliquez" in field_error(response, "hours_reason")
    assert not EngagementContract.objects.exists()
    response = client.post(
        url, terms(today, weekly_hours="8", hours_ground="single_parent", hours_reason="Pas de crèche avant mars.")
    )
    contract = EngagementContract.objects.get()
    assert response.url == reverse("pathway:contract_detail", args=[contract.public_id])
    assert (contract.weekly_hours, contract.hours_ground) == (8, "single_parent")


def test_the_diagnostic_suggests_the_grounds_health_only_to_who_may_read_it(
    client, pathway, referent, colleague, structure_b
):
    DiagnosticFactory(
        person=pathway.person,
        structure=structure_b,
        answers={"barriers": {"caring_for_relative": {"level": "fort", "situations": ["family_carer"]}}},
        sensitive_answers={"barriers": {"health": {"level": "fort", "situations": []}}},
    )
    url = reverse("pathway:contract_create", args=[pathway.person.public_id])
    client.force_login(referent.user)  # The référent reads the diagnostic's health answers.
    page = text(client.get(url))
    assert "relève : état de santé ; aidant d'un proche" in page
    client.force_login(colleague.user)  # A colleague of the organisme référent does not.
    page = text(client.get(url))
    assert "relève : aidant d'un proche." in page and "état de santé ;" not in page


def test_objectives_from_the_referential_the_diagnostic_themes_first_then_actions(client, pathway, referent, today):
    DiagnosticFactory(
        person=pathway.person,
        structure=referent.structure,
        answers={"barriers": {"housing": {"level": "fort", "situations": ["no_accommodation"]}}},
    )
    contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 180 * DAY)
    client.force_login(referent.user)
    url = reverse("pathway:objective_add", args=[contract.public_id])
    page = client.get(url).content.decode()
    assert page.index("Logement (frein relevé au diagnostic)") < page.index('label="Mobilité"')
    response = client.post(url, {"referential_key": "", "label": ""})
    assert "Choisissez un objectif du référentiel" in field_error(response, "referential_key")
    response = client.post(url, {"referential_key": "find_accommodation", "label": "", "details": "Urgent"})
    objective = Objective.objects.get(contract=contract)
    assert objective.theme == "housing"
    add_action = reverse("pathway:action_add", args=[contract.public_id, objective.public_id])
    assert response.url == add_action
    response = client.post(
        add_action,
        {"referential_key": "", "label": "Appeler le 115", "who": "person", "due_on": (today - DAY).isoformat()},
    )
    assert "ne peut pas précéder le début du contrat" in field_error(response, "due_on")
    assert input_value(response, "label") == "Appeler le 115"
    response = client.post(
        add_action, {"label": "Appeler le 115", "who": "person", "due_on": today.isoformat(), "encore": "1"}
    )
    assert response.url == add_action  # « Enregistrer et ajouter une autre action ».
    assert objective.actions.get().label == "Appeler le 115"


def test_the_second_editor_of_an_objective_sees_the_saved_version_and_keeps_what_they_typed(
    client, draft, referent, colleague
):
    objective = draft.objectives.get()
    url = reverse("pathway:objective_edit", args=[draft.public_id, objective.public_id])
    version = objective.lock_version
    client.force_login(referent.user)
    client.post(url, {"label": "Passer le code de la route", "details": "", "lock_version": version})
    client.force_login(colleague.user)
    response = client.post(url, {"label": "Passer le permis B", "details": "En 2027", "lock_version": version})
    assert response.status_code == 200
    page = text(response)
    assert f"{referent.user.get_full_name()} a modifié cet objectif" in page
    assert "Version enregistrée par" in page and "Passer le code de la route" in page
    assert input_value(response, "label") == "Passer le permis B"
    objective.refresh_from_db()
    assert objective.label == "Passer le code de la route"
    # Submitting again, knowingly, applies the second editor's input.
    response = client.post(
        url,
        {"label": "Passer le permis B", "details": "En 2027", "lock_version": input_value(response, "lock_version")},
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.label == "Passer le permis B"


def test_the_second_editor_of_an_action_is_told_too(client, draft, referent, colleague, today):
    action = Action.objects.get(objective__contract=draft)
    url = reverse("pathway:action_edit", args=[draft.public_id, action.public_id])
    data = {
        "label": "Code en ligne",
        "who": "person",
        "due_on": today.isoformat(),
        "lock_version": action.lock_version,
    }
    client.force_login(referent.user)
    assert client.post(url, data).status_code == 302
    client.force_login(colleague.user)
    response = client.post(url, {**data, "label": "Auto-école solidaire", "who": "partner", "partner": "Garage"})
    assert "a modifié cette action" in text(response)
    assert input_value(response, "partner") == "Garage"
    action.refresh_from_db()
    assert action.label == "Code en ligne"


def test_signing_printing_and_the_access_log(client, draft, referent, today):
    client.force_login(referent.user)
    sign = reverse("pathway:contract_sign", args=[draft.public_id])
    response = client.post(sign, {"signed_on": (today + DAY).isoformat(), "agreement_mode": ""})
    assert "dans le futur" in field_error(response, "signed_on")
    assert 'id="id_agreement_mode-desc-error"' in response.content.decode()
    assert "Indiquez comment la personne a donné son accord" in text(response)
    response = client.post(sign, {"signed_on": today.isoformat(), "agreement_mode": "paper"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "signed"
    printed = client.get(reverse("pathway:contract_print", args=[draft.public_id]))
    page = text(printed)
    assert "Vous consacrez 15 heures par semaine" in page
    assert "Vous avez donné votre accord le" in page and "signé sur papier" in page
    assert "Obtenir le permis de conduire" in page and "Vous" in page
    assert AccessLog.objects.filter(
        object_id=str(draft.pathway.person.public_id), action=AccessLog.Action.PRINT, user=referent.user
    ).exists()


def test_a_health_ground_stays_with_the_organisme_referent(client, pathway, referent, outsider, today):
    contract = actions.draft_contract(
        pathway,
        by=referent,
        starts_on=today,
        review_on=today + 90 * DAY,
        weekly_hours=5,
        hours_ground="health",
        hours_reason="Traitement lourd jusqu'en juin.",
    )
    TeamMember.objects.create(pathway=pathway, user=outsider.user, structure=outsider.structure)
    client.force_login(referent.user)
    page = text(client.get(reverse("pathway:contract_detail", args=[contract.public_id])))
    assert "état de santé" in page and "Traitement lourd" in page
    client.force_login(outsider.user)  # An intervenant of the team, from another structure.
    for name in ["pathway:contract_detail", "pathway:contract_print"]:
        page = text(client.get(reverse(name, args=[contract.public_id])))
        assert "5 heures par semaine" in page
        assert "état de santé" not in page and "Traitement lourd" not in page


def test_differences_between_versions(client, signed, referent, today):
    amendment = actions.amend_contract(signed, by=referent)
    action = Action.objects.get(objective__contract=amendment)
    actions.update_action(
        action,
        by=referent,
        expected_version=action.lock_version,
        label=action.label,
        who="together",
        due_on=today + 60 * DAY,
    )
    actions.add_objective(amendment, by=referent, label="Trouver une formation qualifiante")
    client.force_login(referent.user)
    page = text(client.get(reverse("pathway:contract_diff", args=[amendment.public_id])))
    assert "objectif ajouté Trouver une formation qualifiante" in page
    assert "qui la mène « la personne » devient « la personne et le référent »" in page
    assert f"échéance « {(today + 30 * DAY):%d/%m/%Y} » devient « {(today + 60 * DAY):%d/%m/%Y} »" in page
    assert client.get(reverse("pathway:contract_diff", args=[signed.public_id])).status_code == 404


def test_action_status_with_htmx_redraws_the_line(client, signed, referent):
    action = Action.objects.get(objective__contract=signed)
    client.force_login(referent.user)
    url = reverse("pathway:action_status", args=[signed.public_id, action.public_id])
    response = client.post(url, {"status": "done", "lock_version": action.lock_version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "État enregistré : réalisée" in text(response)
    assert "<html" not in response.content.decode()
    # The same form posted again from a stale page: told, not overwritten.
    response = client.post(url, {"status": "abandoned", "lock_version": action.lock_version}, HTTP_HX_REQUEST="true")
    assert "a modifié cette action" in text(response)
    action.refresh_from_db()
    assert action.status == "done"


def test_the_worklist_lists_people_accompanied_before_2025_without_a_signed_contract(
    client, accompany, referent, today
):
    legacy = accompany(referent, entered_at=datetime.date(2024, 3, 1))
    drafted = accompany(referent, entered_at=datetime.date(2024, 6, 1))
    actions.draft_contract(drafted, by=referent, starts_on=today, review_on=today + 90 * DAY)
    settled = accompany(referent, entered_at=datetime.date(2024, 9, 1))
    contract = actions.draft_contract(settled, by=referent, starts_on=today, review_on=today + 90 * DAY)
    objective = actions.add_objective(contract, by=referent, label="Reprendre un emploi")
    actions.add_action(objective, by=referent, label="Candidatures", due_on=today)
    actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="paper")
    recent = accompany(referent)
    client.force_login(referent.user)
    response = client.get(reverse("pathway:contract_worklist"))
    page = text(response)
    assert legacy.person.full_name in page and drafted.person.full_name in page
    assert "en préparation (version 1)" in page
    assert settled.person.full_name not in page and recent.person.full_name not in page
    assert page.index(legacy.person.full_name) < page.index(drafted.person.full_name)
    # Outside the need-to-know, nobody is listed.
    other = MembershipFactory()
    client.force_login(other.user)
    assert legacy.person.full_name not in text(client.get(reverse("pathway:contract_worklist")))


def test_the_social_review_page(client, accompany, referent, today):
    pathway = accompany(referent, pathway_type="social")
    contract = actions.draft_contract(pathway, by=referent, starts_on=today, review_on=today + 90 * DAY)
    objective = actions.add_objective(contract, by=referent, referential_key="find_accommodation")
    actions.add_action(objective, by=referent, label="Demande SIAO", due_on=today)
    actions.sign_contract(contract, by=referent, signed_on=today, agreement_mode="paper")
    client.force_login(referent.user)
    url = reverse("pathway:social_review", args=[pathway.person.public_id])
    response = client.post(url, {"formulaire": "report", "report-ground": "housing", "report-reason": ""})
    assert "Ce champ est obligatoire" in field_error(response, "report-reason")
    response = client.post(
        url, {"formulaire": "report", "report-ground": "housing", "report-reason": "Relogement en cours."}
    )
    assert response.status_code == 302
    page = text(client.get(url))
    assert "douze mois – motif : conditions de logement" in page
    assert "Porter le délai à douze mois" not in page


def test_renewing_and_ending_from_the_pages(client, signed, referent, today):
    client.force_login(referent.user)
    renew = reverse("pathway:contract_renew", args=[signed.public_id])
    assert input_value(client.get(renew), "starts_on") == max(signed.review_on, today).isoformat()
    response = client.post(
        renew, {"starts_on": signed.review_on.isoformat(), "review_on": signed.review_on.isoformat()}
    )
    assert "postérieure à la date de début" in field_error(response, "review_on")
    response = client.post(
        renew, {"starts_on": signed.review_on.isoformat(), "review_on": (signed.review_on + 90 * DAY).isoformat()}
    )
    renewal = EngagementContract.objects.get(pathway=signed.pathway, status="draft")
    assert response.url == reverse("pathway:contract_detail", args=[renewal.public_id])
    assert renewal.origin == "renewal" and renewal.objectives.count() == 1  # Its action is still planned.
    end = reverse("pathway:contract_end", args=[signed.public_id])
    response = client.post(end, {"ended_on": today.isoformat(), "reason": ""})
    assert field_error(response, "reason")
    response = client.post(end, {"ended_on": today.isoformat(), "reason": "Déménagement hors du département"})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.status == "ended"
    # The renewal prepared before stays a draft, to sign or give up.
    page = text(client.get(reverse("pathway:contract_home", args=[signed.pathway.person.public_id])))
    assert "En préparation : version 2 (renouvellement)" in page and "Aucun contrat en vigueur" not in page
