"""The demo consortium: an Essonne SPIE with its partners and about thirty professionals.

Idempotent: structures are found by name, users by email; a second run changes nothing.
"""

import random

from django.db import transaction
from stdnum import luhn
from stdnum.fr import siret as siret_number

from accounts.models import Membership, Role, Structure, User
from relais.text import fold
from territory.models import Commune, Epci

DEMO_PASSWORD = "Relais-demo-2026!"
DEMO_DOMAIN = "demo.relais.test"

K = Structure.Kind

# The whole département, said rather than implied by an empty zone.
ALL = "departement"

# name, kind, commune (INSEE), zone (ALL, or EPCI SIRENs and commune INSEE codes), SIREN shared by agencies of
# one organisation
STRUCTURES = [
    ("Département de l'Essonne – Direction de l'insertion", K.DEPARTEMENT, "91228", ALL, "229100011"),
    ("Maison des solidarités d'Évry-Courcouronnes", K.MAISON_SOLIDARITES, "91228", ["200059228"], "229100011"),
    ("Maison des solidarités de Massy", K.MAISON_SOLIDARITES, "91377", ["200056232"], "229100011"),
    ("Maison des solidarités d'Étampes", K.MAISON_SOLIDARITES, "91223", ["200017846", "249100595"], "229100011"),
    ("France Travail Évry-Courcouronnes", K.FRANCE_TRAVAIL, "91228", ["200059228"], "130005481"),
    ("France Travail Massy", K.FRANCE_TRAVAIL, "91377", ["200056232"], "130005481"),
    ("France Travail Corbeil-Essonnes", K.FRANCE_TRAVAIL, "91174", ["200059228", "200058477"], "130005481"),
    ("Mission locale Centre Essonne", K.MISSION_LOCALE, "91228", ["200059228", "200057859"], None),
    ("Mission locale Nord Essonne", K.MISSION_LOCALE, "91377", ["200056232", "200054781"], None),
    ("Cap emploi Essonne", K.CAP_EMPLOI, "91228", ALL, None),
    ("CCAS d'Évry-Courcouronnes", K.CCAS, "91228", ["91228"], None),
    ("CCAS de Grigny", K.CCAS, "91286", ["91286"], None),
    ("Tremplin Emploi 91", K.ASSOCIATION, "91228", ["200059228"], None),
    ("Mobilité Solidaire Essonne", K.ASSOCIATION, "91174", ALL, None),
    ("Lire et Écrire en Essonne", K.ASSOCIATION, "91477", ["200056232"], None),
    ("Logement d'Abord 91", K.ASSOCIATION, "91549", ["200057859"], None),
    ("Grand Paris Sud – Service emploi", K.EPCI, "91228", ["200059228"], None),
    ("Paris-Saclay – Maison de l'emploi", K.EPCI, "91477", ["200056232"], None),
]

P, A = Role.PROFESSIONAL, Role.STRUCTURE_ADMIN

# The logins the README lists: email, first name, last name, structure, role, job, orientation manager, coordinator
NAMED_USERS = [
    # The coordinator pilots the consortium: she does not orient, nor read the carnets of the département.
    ("coordination", "Claire", "Moreau", 0, A, "Coordinatrice du SPIE", False, True),
    ("orientation", "Olivier", "Lambert", 0, P, "Chargé d'orientation RSA", True, False),
    ("ts.evry", "Sophie", "Martin", 1, P, "Travailleuse sociale", False, False),
    ("conseiller.evry", "Karim", "Benali", 4, P, "Conseiller France Travail", False, False),
    ("conseiller.massy", "Julie", "Lefèvre", 5, P, "Conseillère France Travail", False, False),
    ("ml.evry", "Thomas", "Nguyen", 7, P, "Conseiller mission locale", False, False),
    ("admin.asso", "Nadia", "Haddad", 12, A, "Directrice", False, False),
]

FIRST_NAMES = [
    "Amandine",
    "Bruno",
    "Céline",
    "David",
    "Émilie",
    "Farid",
    "Gaëlle",
    "Hugo",
    "Inès",
    "Jérôme",
    "Laëtitia",
    "Mamadou",
    "Nathalie",
    "Pascal",
    "Rachida",
    "Sébastien",
    "Valérie",
    "Yann",
    "Zoé",
    "Éric",
    "Fatou",
    "Grégoire",
    "Hélène",
]
LAST_NAMES = [
    "Bernard",
    "Dubois",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Diallo",
    "Traoré",
    "Rousseau",
    "Blanc",
]


def _siret(siren, index):
    """A valid SIRET: the SIREN (9 digits), a NIC of 4 digits and the Luhn key over the 14 digits."""
    body = f"{siren}{index:04d}"
    return body + luhn.calc_check_digit(body)


def _siren(rng):
    body = f"{rng.randint(30000000, 89999999)}"
    return body + luhn.calc_check_digit(body)


@transaction.atomic
def seed_consortium():
    """Create the demo structures and professionals. Returns the named logins."""
    rng = random.Random(91)
    structures = []
    for index, (name, kind, commune_code, zone, siren) in enumerate(STRUCTURES):
        commune = Commune.objects.get(code=commune_code)
        valid_siret = _siret(siren or _siren(rng), index + 10)
        structure, created = Structure.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "siret": valid_siret,
                "address": f"{rng.randint(1, 80)} rue de la République",
                "commune": commune,
                "email": f"contact.{index + 1}@{DEMO_DOMAIN}",
                "phone": f"+331{rng.randint(60000000, 69999999)}",
                "is_validated": True,
                "covers_departement": zone == ALL,
            },
        )
        if created and zone != ALL:
            structure.zone_epcis.set(Epci.objects.filter(siren__in=zone))
            structure.zone_communes.set(Commune.objects.filter(code__in=zone))
        if not siret_number.is_valid(structure.siret):
            # Seeded by an earlier version, whose SIRETs had 13 digits: no form could save the structure.
            structure.siret = valid_siret
            structure.save(update_fields=["siret"])
        structures.append(structure)

    logins = []
    for local, first, last, structure_index, role, job, orients, coordinates in NAMED_USERS:
        email = f"{local}@{DEMO_DOMAIN}"
        membership = _member(email, first, last, structures[structure_index], role, job, orients, coordinates)
        # The logins the README lists have the capabilities it says, even in an older demo database.
        if (membership.is_orientation_manager, membership.is_coordinator) != (orients, coordinates):
            membership.is_orientation_manager, membership.is_coordinator = orients, coordinates
            membership.save(update_fields=["is_orientation_manager", "is_coordinator"])
        logins.append((email, structures[structure_index].name, job))

    # Every structure has an admin and a few professionals: about thirty professionals in all.
    names = iter(zip(FIRST_NAMES, LAST_NAMES, strict=True))
    for index, structure in enumerate(structures):
        if index in {0, 12}:
            continue
        first, last = next(names, ("Alex", "Martin"))
        role = A if index % 2 == 0 or index in {1, 4, 5, 7} else P
        title = "Responsable" if role == A else "Conseiller"
        _member(f"{_slug(first)}.{_slug(last)}@{DEMO_DOMAIN}", first, last, structure, role, title, False, False)
        if structure.kind in {K.FRANCE_TRAVAIL, K.MAISON_SOLIDARITES, K.MISSION_LOCALE}:
            first, last = next(names, ("Camille", "Petit"))
            _member(f"{_slug(first)}.{_slug(last)}@{DEMO_DOMAIN}", first, last, structure, P, "Référent", False, False)
    # The coordinator also acts for an agency: one login, several structures.
    _member(
        f"coordination@{DEMO_DOMAIN}", "Claire", "Moreau", structures[4], P, "Référente partenariats", False, False
    )
    return logins


def _slug(value):
    return fold(value).replace(" ", "-")


def _member(email, first, last, structure, role, job, orients, coordinates):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last)
    membership, _ = Membership.objects.get_or_create(
        user=user,
        structure=structure,
        defaults={
            "role": role,
            "job_title": job,
            "is_orientation_manager": orients,
            "is_coordinator": coordinates,
        },
    )
    return membership
