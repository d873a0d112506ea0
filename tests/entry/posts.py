"""What a professional types in the entry forms, as POST data, and how the answer reads."""

import html
import re

from django.utils import timezone

from entry.referential import load_referential

REFERENTIAL = load_referential()
THEMES = [theme["key"] for theme in REFERENTIAL["barriers"]]


def person_data(**overrides):
    """A complete, valid new-person form: everything typed, so that a test can check it is all kept."""
    data = {
        "birth_name": "Moreau",
        "usage_name": "",
        "first_names": "Camille Andrée",
        "birth_date": "1990-05-17",
        "sex": "F",
        "nir": "",
        "caf_number": "1234567",
        "france_travail_id": "",
        "email": "camille.moreau@exemple.fr",
        "phone": "06 12 34 56 78",
        "address": "12 rue des Lilas",
        "commune": "91228",
        "household_role": "applicant",
        "rsa_since": "2025-11-02",
        "entry_date": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def diagnostic_data(situation=None, comments="", **themes):
    """The diagnostic form: ``themes`` maps a theme to a level or to (level, [situations], comment).

    Themes not named stay « non abordé », as the form shows them first.
    """
    situation = (
        {"recent_activity": "worked_last_24_months", "aspiration": "quick_return_to_work"}
        if situation is None
        else situation
    )
    data = {f"q_{key}": value for key, value in situation.items()}
    data["comments"] = comments
    for theme in THEMES:
        answer = themes.get(theme, "non_aborde")
        level, situations, comment = (answer, [], "") if isinstance(answer, str) else answer
        data[f"level_{theme}"] = level
        data[f"situations_{theme}"] = situations
        data[f"comment_{theme}"] = comment
    return data


def field_group(response, field):
    """The DSFR group of a form field (label, input, error), or "" when the page has no such field."""
    body = response.content.decode()
    label = body.find(f'for="id_{field}"')
    if label == -1:
        return ""
    start = body.rfind('<div class="fr-', 0, label)
    end = body.find(f'id="id_{field}-desc-error"', label)
    end = body.find("</div>", end if end != -1 else label)
    return body[start:end]


def in_error(response, field):
    """The error message next to ``field``, when its group is marked in error."""
    group = field_group(response, field)
    if "-group--error" not in group.split(">", 1)[0]:
        return ""
    errors = re.findall(r'<li class="fr-error-text">\s*(.*?)\s*</li>', group, re.DOTALL)
    return " ".join(_unescape(error) for error in errors)


def checked(response, name, value):
    """Whether the radio or checkbox ``name`` = ``value`` is ticked on the page."""
    for tag in re.findall(r"<input[^>]*>", response.content.decode()):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"Pas de case {name}={value} sur la page")


def selected(response, name):
    """The value of the selected option of the select ``name``."""
    body = response.content.decode()
    select = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', body, re.DOTALL)
    assert select, f"Pas de liste {name} sur la page"
    option = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(0))
    return option.group(1) if option else ""


def _unescape(text):
    return html.unescape(re.sub(r"\s+", " ", text))
