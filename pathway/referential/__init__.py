"""The objectives and actions a contrat d'engagement is drafted from, per theme, shipped as versioned JSON.

``objectives-actions-vN.json`` holds themes (the diagnostic's barrier themes, plus employment and training), each
with its objectives, each objective with the actions that serve it::

    {"version": 1, "title": "…", "themes": [
        {"key": "mobility", "label": "Mobilité", "objectives": [
            {"key": "obtain_driving_licence", "label": "Obtenir le permis…", "actions": [{"key": "…", "label": "…"}]}
        ]}
    ]}

The entry app checks the same file against the diagnostic's themes (``entry.referential.load_objectives_actions``).
"""

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENTIAL_DIR = Path(__file__).resolve().parent
OBJECTIVES_FILE = re.compile(r"^objectives-actions-v([1-9][0-9]*)\.json$")


class ObjectivesReferentialError(ValueError):
    """The shipped objectives file cannot be used; ``errors`` lists every problem, in French."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("Référentiel des objectifs invalide :\n- " + "\n- ".join(self.errors))


@dataclass(frozen=True)
class ReferentialObjective:
    key: str
    label: str
    theme: str
    theme_label: str
    actions: tuple  # ((key, label), …)


def available_versions():
    found = (OBJECTIVES_FILE.match(path.name) for path in REFERENTIAL_DIR.iterdir())
    return sorted(int(match.group(1)) for match in found if match)


def latest_version():
    versions = available_versions()
    if not versions:
        raise ObjectivesReferentialError(["Aucun fichier « objectives-actions-vN.json » n'est livré."])
    return versions[-1]


def load_objectives(version=None):
    """The objectives file of ``version`` (the latest when None), as a fresh dict."""
    version = latest_version() if version is None else version
    if version not in available_versions():
        shipped = ", ".join(str(v) for v in available_versions()) or "aucune"
        raise ObjectivesReferentialError([f"La version {version} n'existe pas (versions disponibles : {shipped})."])
    return copy.deepcopy(_read(version))


@lru_cache(maxsize=8)
def _read(version):
    path = REFERENTIAL_DIR / f"objectives-actions-v{version}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ObjectivesReferentialError(
            [f"Le fichier « {path.name} » n'est pas du JSON valide (ligne {error.lineno}, colonne {error.colno})."]
        ) from error
    errors = _problems(data)
    if not errors and data["version"] != version:
        errors = [f"Le fichier « {path.name} » annonce la version {data['version']} au lieu de {version}."]
    if errors:
        raise ObjectivesReferentialError(errors)
    return data


def _problems(data):
    """What would make the file unusable for drafting: missing keys or labels, a key used twice."""
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        return ["Le fichier doit être un objet avec une liste « themes »."]
    errors, seen = [], set()
    for theme in data["themes"]:
        for item in [theme, *theme.get("objectives", [])]:
            key = item.get("key")
            if not isinstance(key, str) or not isinstance(item.get("label"), str) or not item["label"].strip():
                errors.append(f"Élément sans clé ou sans libellé : {item.get('key')!r}.")
            elif key in seen:
                errors.append(f"Clé « {key} » en double.")
            seen.add(key)
    return errors


@lru_cache(maxsize=8)
def objectives(version=None):
    """Every objective of the referential, in the file's order, keyed by its key."""
    data = _read(version or latest_version())
    return {
        objective["key"]: ReferentialObjective(
            key=objective["key"],
            label=objective["label"],
            theme=theme["key"],
            theme_label=theme["label"],
            actions=tuple((action["key"], action["label"]) for action in objective.get("actions", [])),
        )
        for theme in data["themes"]
        for objective in theme["objectives"]
    }


def themes(version=None):
    """(key, label) of the themes, in the file's order."""
    data = _read(version or latest_version())
    return [(theme["key"], theme["label"]) for theme in data["themes"]]


def theme_label(key, version=None):
    return dict(themes(version)).get(key, "")
