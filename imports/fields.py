"""What a file's columns can hold (Relais fields), and the built-in column mapping profiles.

A profile says, for each Relais field, the headers senders give it. Headers are compared folded (case, accents,
spacing, punctuation, word order and a hint in brackets ignored): « Date de naissance », « DATE_NAISSANCE »,
« naissance date » and « Date de naissance (jj/mm/aaaa) » are one.
"""

import re
from dataclasses import dataclass, field

from pathway.models import EntrySource
from relais.text import fold

# Relais field → French label, in the order a report shows them.
FIELDS = {
    "birth_name": "nom de naissance",
    "usage_name": "nom d'usage",
    "first_names": "prénoms",
    "birth_date": "date de naissance",
    "sex": "sexe",
    "nir": "numéro de sécurité sociale (NIR)",
    "nir_key": "clé du NIR (quand elle est à part)",
    "caf_number": "numéro d'allocataire CAF",
    "household_role": "rôle dans le foyer",
    "france_travail_id": "identifiant France Travail",
    "email": "adresse électronique",
    "phone": "téléphone",
    "address": "adresse",
    "postcode": "code postal",
    "commune_name": "commune",
    "commune_code": "code INSEE de la commune",
    "rsa_since": "date d'ouverture du droit au RSA",
    "entered_at": "date d'entrée",
}
REQUIRED = ("birth_name", "first_names", "birth_date")


_HINT = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z0-9]+")


def header_key(value):
    """« Date de naissance », « DATE_NAISSANCE », « naissance (jj/mm/aaaa) date » → one key: the words, sorted."""
    return "".join(sorted(_WORD.findall(fold(_HINT.sub(" ", str(value))))))


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    entry_source: str
    # Relais field → headers senders give it.
    headers: dict
    # Everyone on the list is registered at France Travail / on RSA, whatever the columns say.
    jobseekers: bool = False
    description: str = ""
    keys: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        keys = {}
        for name, headers in self.headers.items():
            for header in (*headers, name, FIELDS[name]):
                keys.setdefault(header_key(header), name)
        object.__setattr__(self, "keys", keys)

    def field_for(self, header):
        return self.keys.get(header_key(header))


COMMON = {
    "birth_name": ["nom de naissance", "nom naissance", "nom patronymique", "nom de famille"],
    "usage_name": ["nom d'usage", "nom usage", "nom marital", "nom epouse"],
    "first_names": ["prenom", "prenoms", "prénom(s)"],
    "birth_date": ["date de naissance", "date naissance", "né le", "ne(e) le", "dtnai", "datenaiss"],
    "sex": ["sexe", "genre", "civilite"],
    "nir": [
        "nir",
        "numéro de sécurité sociale",
        "n° de sécurité sociale",
        "n° sécurité sociale",
        "numéro ss",
        "n° ss",
        "nss",
        "nir cle",
        "numero insee",
        "n° insee",
    ],
    "nir_key": ["clé", "clé nir", "clé nss", "clé sécurité sociale", "clé insee", "clé ss"],
    "email": ["email", "e-mail", "courriel", "adresse mail", "adresse électronique", "mail"],
    "phone": [
        "téléphone",
        "tel",
        "tél",
        "telephone portable",
        "tel portable",
        "téléphone mobile",
        "tel mobile",
        "portable",
        "mobile",
        "numéro de téléphone",
        "n° de téléphone",
    ],
    "address": ["adresse", "adresse postale", "adresse 1", "adresse ligne 1", "voie", "libellé voie"],
    "postcode": ["code postal", "cp", "code_postal"],
    "commune_name": ["commune", "ville", "localité", "libellé commune", "commune de résidence"],
    "commune_code": ["code insee", "code commune", "insee", "code insee commune", "depcom"],
}

PROFILES = {
    profile.name: profile
    for profile in [
        Profile(
            "rsa",
            "Liste RSA de la CAF ou du Département",
            EntrySource.CAF,
            {
                **COMMON,
                "birth_name": ["nom", *COMMON["birth_name"]],
                "caf_number": [
                    "numéro allocataire",
                    "numéro d'allocataire",
                    "n° allocataire",
                    "n° d'allocataire",
                    "matricule",
                    "matricule caf",
                    "num allocataire",
                    "numéro caf",
                    "n° caf",
                    "numcaf",
                ],
                "household_role": ["rôle", "role", "rôle dans le foyer", "qualité", "role personne"],
                "rsa_since": [
                    "date d'ouverture du droit",
                    "date d'ouverture du droit au rsa",
                    "date ouverture droit",
                    "date ouverture droit rsa",
                    "date ouverture droits",
                    "date d'entrée rsa",
                    "date ouverture rsa",
                    "date de demande",
                    "dtdemrsa",
                ],
            },
            description="Nouveaux bénéficiaires du RSA : chaque personne entre à la date d'ouverture du droit, "
            "l'orientation est attendue dans les six semaines.",
        ),
        Profile(
            "france_travail",
            "Liste de demandeurs d'emploi de France Travail",
            EntrySource.FRANCE_TRAVAIL,
            {
                **COMMON,
                "birth_name": ["nom", *COMMON["birth_name"]],
                "france_travail_id": ["identifiant", "identifiant france travail", "ide", "id fT", "numéro fT"],
                "entered_at": ["date d'inscription", "date inscription", "date inscription de"],
                "caf_number": ["numéro allocataire"],
                "rsa_since": ["date ouverture rsa"],
            },
            jobseekers=True,
            description="Demandeurs d'emploi inscrits : chaque personne entre à sa date d'inscription.",
        ),
        Profile(
            "generic",
            "Liste générique d'un partenaire",
            EntrySource.IMPORT,
            {
                **COMMON,
                "birth_name": ["nom", *COMMON["birth_name"]],
                "caf_number": ["numéro allocataire", "n° allocataire"],
                "household_role": ["rôle dans le foyer"],
                "france_travail_id": ["identifiant france travail"],
                "rsa_since": ["date ouverture rsa", "bénéficiaire du rsa depuis"],
                "entered_at": ["date d'entrée", "date entrée", "date d'orientation"],
            },
            description="Toute liste dont les colonnes portent les noms des champs de Relais.",
        ),
    ]
}
