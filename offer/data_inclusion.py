"""Relais services and structures as data·inclusion v1 records, and back.

``service_record`` and ``structure_record`` build what the export writes and what every change of a service is
checked against (the package's pydantic models); ``service_fields`` and ``structure_fields`` read an imported
record into model fields.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from email_validator import EmailNotValidError, validate_email
from stdnum.fr import siret as siret_number

from accounts.models import Structure
from offer import schema

# The network a Relais structure belongs to, for the export's « réseaux porteurs ».
NETWORKS = {
    Structure.Kind.DEPARTEMENT: schema.ReseauPorteur.DEPARTEMENTS,
    Structure.Kind.MAISON_SOLIDARITES: schema.ReseauPorteur.MAISONS_DES_SOLIDARITES,
    Structure.Kind.FRANCE_TRAVAIL: schema.ReseauPorteur.FRANCE_TRAVAIL,
    Structure.Kind.MISSION_LOCALE: schema.ReseauPorteur.MISSION_LOCALE,
    Structure.Kind.CAP_EMPLOI: schema.ReseauPorteur.CAP_EMPLOI_RESEAU_CHEOPS,
    Structure.Kind.CCAS: schema.ReseauPorteur.CCAS_CIAS,
    Structure.Kind.EPCI: schema.ReseauPorteur.COMMUNES,
}


def relais_source():
    """The producer name of this deployment in data·inclusion: ``relais-91``."""
    return f"relais-{settings.RELAIS_DEPARTEMENT}"


def record_id(obj, source=None):
    return f"{source or relais_source()}--{obj.public_id}"


def _text(value):
    value = (value or "").strip()
    return value or None


def _email(value):
    """An address the schema accepts, or None: a reserved domain (``.test``, the demo's) is left out."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return value


def _siret(value):
    """A valid SIRET (14 digits, Luhn key), or None: the schema takes nothing else."""
    return value if value and siret_number.is_valid(value) else None


def _date_maj(moment):
    return timezone.localdate(moment).isoformat() if moment else timezone.localdate().isoformat()


def access_conditions_text(service):
    """The schema has one field for prerequisites and documents: both, the documents announced."""
    parts = [service.access_conditions.strip()]
    if service.documents.strip():
        parts.append(f"Justificatifs à fournir : {service.documents.strip()}")
    return "\n\n".join(part for part in parts if part)


def service_record(service, source=None):
    """``service`` (a Relais service) as a data·inclusion v1 service record (plain JSON values)."""
    source = source or relais_source()
    commune = service.commune if service.commune_id else None
    return {
        "source": source,
        "structure_id": record_id(service.structure, source) if service.structure_id else None,
        "id": record_id(service, source),
        "nom": service.name,
        "description": service.description,
        "lien_source": None,
        "date_maj": _date_maj(service.updated_at),
        "type": service.kind or None,
        "thematiques": sorted(service.thematiques) or None,
        "frais": service.fees or None,
        "frais_precisions": _text(service.fees_details),
        "publics": sorted(service.publics) or None,
        "publics_precisions": _text(service.publics_details),
        "conditions_acces": _text(access_conditions_text(service)),
        "commune": commune.name if commune else _text(service.commune_name),
        "code_postal": service.postcode or None,
        "code_insee": commune.code if commune else (service.commune_code or None),
        "adresse": _text(service.address),
        "complement_adresse": _text(service.address_complement),
        "longitude": None,
        "latitude": None,
        "telephone": _text(service.phone),
        "courriel": _text(service.email),
        "modes_accueil": sorted(service.reception_modes) or None,
        "zone_eligibilite": list(service.zone) or None,
        "contact_nom_prenom": _text(service.contact_name),
        "lien_mobilisation": _text(service.mobilisation_link),
        "modes_mobilisation": sorted(service.mobilisation_modes) or None,
        "mobilisable_par": sorted(service.mobilisable_by) or None,
        "mobilisation_precisions": _text(service.mobilisation_details),
        "volume_horaire_hebdomadaire": float(service.weekly_hours) if service.weekly_hours is not None else None,
        "nombre_semaines": service.weeks,
        "horaires_accueil": _text(service.opening_hours),
    }


def structure_record(structure, source=None, updated_at=None):
    """A Relais structure as a data·inclusion v1 structure record."""
    commune = structure.commune
    network = NETWORKS.get(structure.kind)
    postcodes = [postcode.code for postcode in commune.postcodes.all()] if commune else []
    return {
        "source": source or relais_source(),
        "id": record_id(structure, source),
        "nom": structure.name,
        "date_maj": _date_maj(updated_at or structure.created_at),
        "description": None,
        "lien_source": None,
        "siret": _siret(structure.siret),
        "commune": commune.name if commune else None,
        "code_postal": postcodes[0] if postcodes else None,
        "code_insee": commune.code if commune else None,
        "adresse": _text(structure.address),
        "complement_adresse": None,
        "longitude": None,
        "latitude": None,
        "telephone": _text(structure.phone),
        "courriel": _email(structure.email),
        "site_web": None,
        "horaires_accueil": None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": [network.value] if network else None,
    }


def _values(items):
    return sorted(str(getattr(item, "value", item)) for item in items or [])


def _str(value):
    return "" if value is None else str(value).strip()


def structure_fields(record):
    """A validated ``v1.Structure`` as ExternalStructure fields."""
    return {
        "name": record.nom[:255],
        "siret": record.siret or "",
        "description": _str(record.description),
        "address": _str(record.adresse)[:255],
        "address_complement": _str(record.complement_adresse)[:255],
        "postcode": record.code_postal or "",
        "commune_code": record.code_insee or "",
        "commune_name": _str(record.commune)[:200],
        "email": _str(record.courriel)[:254],
        "phone": _str(record.telephone)[:30],
        "website": _str(record.site_web)[:500],
        "opening_hours": _str(record.horaires_accueil),
        "networks": _values(record.reseaux_porteurs),
        "source_link": _str(record.lien_source)[:500],
        "updated_on": record.date_maj,
    }


def service_fields(record):
    """A validated ``v1.Service`` as Service fields (the imported service's structure is set apart)."""
    return {
        "source_link": _str(record.lien_source)[:500],
        "name": record.nom,
        "description": record.description,
        "kind": record.type.value if record.type else "",
        "thematiques": _values(record.thematiques),
        "publics": _values(record.publics),
        "publics_details": _str(record.publics_precisions),
        "access_conditions": _str(record.conditions_acces),
        "documents": "",
        "fees": record.frais.value if record.frais else "",
        "fees_details": _str(record.frais_precisions),
        "reception_modes": _values(record.modes_accueil),
        "address": _str(record.adresse)[:255],
        "address_complement": _str(record.complement_adresse)[:255],
        "postcode": record.code_postal or "",
        "commune_code": record.code_insee or "",
        "commune_name": _str(record.commune)[:200],
        "opening_hours": _str(record.horaires_accueil),
        "phone": _str(record.telephone)[:30],
        "email": _str(record.courriel)[:254],
        "contact_name": _str(record.contact_nom_prenom)[:150],
        "mobilisation_link": _str(record.lien_mobilisation)[:500],
        "mobilisation_modes": _values(record.modes_mobilisation),
        "mobilisable_by": _values(record.mobilisable_par),
        "mobilisation_details": _str(record.mobilisation_precisions),
        "weekly_hours": (
            Decimal(str(round(record.volume_horaire_hebdomadaire, 2)))
            if record.volume_horaire_hebdomadaire is not None
            else None
        ),
        "weeks": record.nombre_semaines,
        "zone": [str(code) for code in record.zone_eligibilite or []],
        "updated_at": timezone.make_aware(datetime.datetime.combine(record.date_maj, datetime.time(12))),
    }
