"""The national data·inclusion schema (v1), as the ``data-inclusion-schema`` package defines it.

Every value list of the offer (thématiques and their categories, publics, types, fees, reception modes,
mobilisation modes, who may mobilise, networks) comes from the package: nothing is retyped here. Records that
go out (export) or come in (import) are checked with the package's pydantic models, and their errors are told
in French.
"""

from data_inclusion.schema import v1
from pydantic import ValidationError

Thematique = v1.Thematique
Categorie = v1.Categorie
Public = v1.Public
TypeService = v1.TypeService
Frais = v1.Frais
ModeAccueil = v1.ModeAccueil
ModeMobilisation = v1.ModeMobilisation
PersonneMobilisatrice = v1.PersonneMobilisatrice
ReseauPorteur = v1.ReseauPorteur

SEPARATOR = "--"  # A thématique is ``category--subject``.
ALL_PUBLICS = Public.TOUS_PUBLICS.value
NATIONAL_ZONES = ("france", "99100")


def choices(enum):
    """(value, label) pairs of one of the schema's value lists, in the package's order."""
    return [(member.value, member.label) for member in enum]


def labels(enum):
    return {member.value: member.label for member in enum}


def category_of(thematique):
    """The category of a thématique value (``mobilite--preparer-un-permis`` → ``mobilite``)."""
    return str(thematique).split(SEPARATOR, 1)[0]


def grouped_thematiques():
    """The thématiques grouped under their category's label, for a select with option groups."""
    groups = {category.value: (category.label, []) for category in Categorie}
    for thematique in Thematique:
        groups[category_of(thematique.value)][1].append((thematique.value, thematique.label))
    return [group for group in groups.values() if group[1]]


THEMATIQUE_LABELS = labels(Thematique)
CATEGORY_LABELS = labels(Categorie)
PUBLIC_LABELS = labels(Public)
TYPE_LABELS = labels(TypeService)
FEE_LABELS = labels(Frais)
RECEPTION_LABELS = labels(ModeAccueil)
MOBILISATION_LABELS = labels(ModeMobilisation)
MOBILISABLE_BY_LABELS = labels(PersonneMobilisatrice)
NETWORK_LABELS = labels(ReseauPorteur)


def thematique_label(value):
    """The label of a thématique or of a whole category."""
    return THEMATIQUE_LABELS.get(value) or CATEGORY_LABELS.get(value, value)


# Field names of the schema, in French, for the messages.
FIELD_LABELS = {
    "source": "source",
    "id": "identifiant",
    "structure_id": "identifiant de la structure",
    "nom": "nom",
    "description": "description",
    "date_maj": "date de mise à jour",
    "type": "type de service",
    "thematiques": "thématiques",
    "frais": "frais",
    "frais_precisions": "précisions sur les frais",
    "publics": "publics",
    "publics_precisions": "précisions sur les publics",
    "conditions_acces": "conditions d'accès",
    "commune": "commune",
    "code_postal": "code postal",
    "code_insee": "code INSEE",
    "adresse": "adresse",
    "complement_adresse": "complément d'adresse",
    "longitude": "longitude",
    "latitude": "latitude",
    "telephone": "téléphone",
    "courriel": "adresse électronique",
    "modes_accueil": "modes d'accueil",
    "zone_eligibilite": "zone d'éligibilité",
    "contact_nom_prenom": "contact",
    "lien_mobilisation": "lien de mobilisation",
    "lien_source": "lien vers la source",
    "modes_mobilisation": "modes de mobilisation",
    "mobilisable_par": "mobilisable par",
    "mobilisation_precisions": "précisions sur la mobilisation",
    "volume_horaire_hebdomadaire": "volume horaire hebdomadaire",
    "nombre_semaines": "nombre de semaines",
    "horaires_accueil": "horaires d'accueil",
    "siret": "SIRET",
    "site_web": "site web",
    "accessibilite_lieu": "accessibilité du lieu",
    "reseaux_porteurs": "réseaux porteurs",
}


def _message(error):
    kind, context, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "enum":
        return f"valeur inconnue « {value} »"
    if kind in {"string_too_short", "too_short"}:
        return f"trop court (au moins {context.get('min_length')})"
    if kind in {"string_too_long", "too_long"}:
        return f"trop long (au plus {context.get('max_length')})"
    if kind == "string_pattern_mismatch":
        return f"format invalide « {value} »"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"doit valoir au moins {context.get('ge', context.get('gt'))}"
    if kind == "value_error":
        reason = str(context.get("error") or error.get("msg", ""))
        if "email" in reason.lower() or "@" in reason:
            return f"adresse électronique invalide « {value} »"
        # The schema's own validators speak French already.
        return reason.removeprefix("Value error, ")
    if kind.startswith("url"):
        return f"adresse web invalide « {value} »"
    if kind.startswith(("date", "float", "int", "string_type", "list_type", "set_type", "literal")):
        return f"valeur invalide « {value} »"
    return f"valeur invalide « {value} »"


def french_errors(error):
    """The errors of a pydantic ``ValidationError`` as French sentences: « thématiques : valeur inconnue « x » »."""
    messages = []
    for item in error.errors():
        location = [part for part in item["loc"] if isinstance(part, str)]
        field = FIELD_LABELS.get(location[0], location[0]) if location else "enregistrement"
        message = f"{field} : {_message(item)}"
        if message not in messages:
            messages.append(message)
    return messages


def validate(model, record):
    """``(instance, [])`` when ``record`` (a dict) is valid for the schema's ``model``; ``(None, errors)`` else."""
    if not isinstance(record, dict):
        return None, ["un objet JSON est attendu"]
    try:
        return model.model_validate(record), []
    except ValidationError as error:
        return None, french_errors(error)


def validate_service(record):
    return validate(v1.Service, record)


def validate_structure(record):
    return validate(v1.Structure, record)
