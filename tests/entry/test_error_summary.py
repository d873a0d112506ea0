"""After a failed submit, an error summary at the top takes focus, links to each field, and the title says so."""

import html
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def summary(response):
    body = response.content.decode()
    match = re.search(
        r'<div class="fr-alert fr-alert--error[^"]*"[^>]*id="erreurs-du-formulaire".*?</div>', body, re.S
    )
    return match.group(0) if match else ""


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_the_decision_form_in_error_has_a_summary_that_takes_focus(
    login, orientation_manager, followed, membership_a, propose
):
    propose(followed, membership_a)

    response = login(orientation_manager).post(
        reverse("entry:decide", args=[followed.public_id]), {"decision_reason": ""}
    )

    found = summary(response)
    assert 'tabindex="-1"' in found and "autofocus" in found
    assert '<a href="#id_pathway_type_0">Parcours décidé : ' in found  # radio buttons: their first option
    assert '<a href="#id_referent_structure">Organisme référent : ' in found
    assert title(response).startswith("Erreur : Décider l'orientation")


def test_the_reason_of_a_decision_is_not_called_optional(login, orientation_manager, followed, membership_a, propose):
    propose(followed, membership_a)

    response = login(orientation_manager).get(reverse("entry:decide", args=[followed.public_id]))

    body = html.unescape(response.content.decode())
    assert "Motif de la décision" in body
    assert "Obligatoire si la décision diffère de l'orientation proposée." in body
    assert not re.search(r"Motif de la décision\s*\(Optionnel\)", body)
    assert "Sauf mention contraire, tous les champs sont obligatoires." in body


def test_a_page_without_errors_has_neither_summary_nor_error_title(
    login, orientation_manager, followed, membership_a, propose
):
    propose(followed, membership_a)

    response = login(orientation_manager).get(reverse("entry:decide", args=[followed.public_id]))

    assert summary(response) == ""
    assert not title(response).startswith("Erreur")


def test_the_person_form_in_error_links_to_its_fields(login, professional_a):
    response = login(professional_a).post(reverse("entry:person_create"), {"birth_name": ""})

    found = summary(response)
    assert '<a href="#id_birth_name">' in found
    assert title(response).startswith("Erreur : Nouvelle personne")


def test_date_fields_say_their_format(login, professional_a):
    body = login(professional_a).get(reverse("entry:person_create")).content.decode()

    assert re.search(r'id="id_birth_date_helptext">Format attendu : jj/mm/aaaa<', body)
    assert re.search(r'id="id_entry_date_helptext">Format attendu : jj/mm/aaaa\. Le jour où', body)
    assert re.search(r'id="id_rsa_informed_on_helptext">Format attendu : jj/mm/aaaa\. Date du flux CAF', body)


def test_a_stored_phone_number_is_edited_in_national_format(login, professional_a, followed):
    followed.phone = "+33612345678"
    followed.save()

    body = login(professional_a).get(reverse("entry:person_edit", args=[followed.public_id])).content.decode()

    assert re.search(r'<input type="tel" name="phone" value="06 12 34 56 78"', body)
