"""About 300 demo people across Essonne, in every state of entry: just entered, diagnosed, overdue,
oriented, accompanied by a référent; about 70 % of them with a valid NIR, as in the département's files (and the
bench). Deterministic and idempotent."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from stdnum.fr import nir as nir_number

from accounts.models import Membership, Structure
from entry import actions
from entry.models import Orientation
from entry.proposal import propose_orientation
from entry.referential import split_sensitive
from entry.referential_store import current_referential, person_facts
from pathway import actions as pathway_actions
from pathway.models import Pathway
from people.identity import nir_hash
from people.models import Person
from territory.models import Commune

DEMO_PEOPLE = 300

FIRST_NAMES_F = [
    "Aïcha",
    "Amélie",
    "Anaïs",
    "Aurélie",
    "Awa",
    "Camille",
    "Chloé",
    "Céline",
    "Fatima",
    "Hélène",
    "Inès",
    "Jessica",
    "Julie",
    "Karima",
    "Laura",
    "Léa",
    "Manon",
    "Marie",
    "Marine",
    "Mélanie",
    "Nadia",
    "Nathalie",
    "Océane",
    "Sandrine",
    "Sarah",
    "Sophie",
    "Stéphanie",
    "Yasmine",
    "Zoé",
    "Élodie",
]
FIRST_NAMES_M = [
    "Adrien",
    "Alexandre",
    "Ali",
    "Antoine",
    "Bilal",
    "Christophe",
    "David",
    "Dylan",
    "Florian",
    "Franck",
    "Hugo",
    "Ibrahima",
    "Jean",
    "Jérémy",
    "Kévin",
    "Lucas",
    "Mamadou",
    "Mathieu",
    "Mehdi",
    "Moussa",
    "Nicolas",
    "Olivier",
    "Patrick",
    "Rémi",
    "Samir",
    "Sébastien",
    "Thomas",
    "Théo",
    "Yanis",
    "Youssef",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefebvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Diallo",
    "Traoré",
    "Camara",
    "Keita",
    "Ben Ali",
    "Benali",
    "Haddad",
    "Nguyen",
    "Da Silva",
    "Ferreira",
    "Dos Santos",
    "Le Gall",
    "Le Roux",
    "N'Diaye",
    "Cissé",
    "Kouassi",
    "Mendy",
    "Yilmaz",
    "Benoît",
    "Saint-Martin",
]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "allée des Tilleuls",
    "place de la Mairie",
    "rue Pasteur",
    "boulevard de l'Europe",
    "rue des Écoles",
    "avenue du Général de Gaulle",
    "rue du Moulin",
]
LEVELS = ["fort", "moyen", "sans_impact", "non_aborde"]
# As in the bench: about 70 % of the people accompanied have a NIR on file.
WITH_NIR = 0.70
# Where people living in Essonne were born, besides their own commune: Paris and the inner suburbs, abroad.
OTHER_BIRTHPLACES = ["75056", "75115", "93066", "94028", "92050", "78646", "99350", "99352", "99341", "99139"]
NAMED_FOLLOWERS = ["ts.evry@demo.relais.test", "conseiller.evry@demo.relais.test", "ml.evry@demo.relais.test"]


def _answers(rng, referential):
    """Plausible answers to ``referential`` (version 2 and later: activity over 24 months, qualifying training,
    obligation d'emploi; version 1's questions still answered when it is the one in use)."""
    offered = {
        question["key"]: [choice["key"] for choice in question.get("choices", [])]
        for question in referential["professional_situation"]
    }
    period = 24 if "worked_last_24_months" in offered["recent_activity"] else 12
    within, before = f"worked_last_{period}_months", f"worked_more_than_{period}_months_ago"
    activity = rng.choice(["currently_working", within, before, "never_worked"])
    levels = [level for level in offered["qualification_level"] if level != "level_7_8"]
    answers = {
        "professional_situation": {
            "recent_activity": activity,
            "qualification_level": rng.choice(levels),
            "aspiration": rng.choice(["quick_return_to_work", "project_to_build", "not_yet"]),
        },
        "barriers": {},
    }
    given = answers["professional_situation"]
    if activity == before:
        given["time_out_of_work"] = (
            "more_than_24_months" if period == 24 else rng.choice(["from_12_to_24_months", "more_than_24_months"])
        )
    elif activity == within:
        given["time_out_of_work"] = rng.choice(
            ["less_than_6_months", "from_6_to_12_months", *(["from_12_to_24_months"] if period == 24 else [])]
        )
    if "boe" in offered and rng.random() < 0.08:
        given["boe"] = "yes"
        given["boe_grounds"] = rng.sample(offered["boe_grounds"], k=1)
    for theme in referential["barriers"]:
        level = rng.choices(LEVELS, weights=[1, 2, 5, 10])[0]
        situations = []
        if level in {"fort", "moyen"}:
            situations = [
                situation["key"] for situation in rng.sample(theme["situations"], k=min(2, len(theme["situations"])))
            ]
        answers["barriers"][theme["key"]] = {"level": level, "situations": situations}
    return answers


class NirDrawer:
    """Valid NIR agreeing with the sex and birth date, each once: the key computed by python-stdnum."""

    def __init__(self, seed, taken=()):
        self.rng = random.Random(seed)
        self.taken = set(taken)  # keyed digests of the NIR already on file

    def draw(self, sex, birth_date, commune_code):
        """A NIR for about 70 % of the people, "" for the others."""
        if self.rng.random() >= WITH_NIR:
            return ""
        place = commune_code if self.rng.random() < 0.45 else self.rng.choice(OTHER_BIRTHPLACES)
        prefix = f"{'1' if sex == 'M' else '2'}{birth_date.year % 100:02d}{birth_date.month:02d}{place}"
        order = self.rng.randint(1, 999)
        while True:
            body = f"{prefix}{order:03d}"
            value = body + nir_number.calc_check_digits(body)
            if nir_hash(value) not in self.taken:
                self.taken.add(nir_hash(value))
                return value
            order = order % 999 + 1


@transaction.atomic
def seed_people():
    """Create the demo people if they are not there yet. Returns how many exist."""
    existing = Person.objects.filter(created_by__email__endswith="@demo.relais.test").count()
    if existing >= DEMO_PEOPLE:
        return existing
    rng = random.Random(2026)
    # Drawn apart, so that the NIR leave every other demo draw as it was.
    nirs = NirDrawer(seed=91, taken=Person.objects.exclude(nir_digest="").values_list("nir_digest", flat=True))
    today = timezone.localdate()
    referential = current_referential()
    communes = list(Commune.objects.filter(departement_id="91").order_by("code"))
    weights = [max(commune.population, 500) for commune in communes]
    entering = list(
        Membership.objects.filter(
            is_active=True,
            structure__kind__in=[
                Structure.Kind.MAISON_SOLIDARITES,
                Structure.Kind.FRANCE_TRAVAIL,
                Structure.Kind.MISSION_LOCALE,
                Structure.Kind.CCAS,
                Structure.Kind.CAP_EMPLOI,
            ],
        )
        .select_related("user", "structure")
        .order_by("pk")
    )
    manager = Membership.objects.select_related("user", "structure").get(
        user__email="orientation@demo.relais.test", is_orientation_manager=True
    )
    referent_structures = list(
        Structure.objects.filter(
            kind__in=[Structure.Kind.FRANCE_TRAVAIL, Structure.Kind.MAISON_SOLIDARITES, Structure.Kind.MISSION_LOCALE]
        ).order_by("name")
    )
    by_email = {membership.user.email: membership for membership in entering}
    named = [by_email[email] for email in NAMED_FOLLOWERS if email in by_email]
    for index in range(existing, DEMO_PEOPLE):
        # A third of the people are followed by the named demo logins, so that their screens show something real.
        creator = named[(index // 3) % len(named)] if named and index % 3 == 0 else entering[index % len(entering)]
        female = rng.random() < 0.52
        young = creator.structure.kind == Structure.Kind.MISSION_LOCALE
        age = rng.randint(18, 25) if young else rng.randint(26, 62)
        birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
        birth_name = rng.choice(LAST_NAMES)
        usage = rng.choice(LAST_NAMES) if female and rng.random() < 0.25 else ""
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        if rng.random() < 0.3:
            first = f"{first} {rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)}"
        state = index % 10  # 0-1 just entered, 2 overdue, 3-4 diagnosed, 5 due soon, 6-7 oriented, 8-9 accompanied
        entered_days_ago = {0: 3, 1: 10, 2: 55, 3: 20, 4: 25, 5: 35, 6: 60, 7: 80, 8: 120, 9: 200}[state]
        entry_date = today - timedelta(days=entered_days_ago + rng.randint(0, 4))
        rsa = not young and rng.random() < 0.7 or state in {2, 5}
        identity = {
            "birth_name": birth_name,
            "usage_name": usage,
            "first_names": first,
            "birth_date": birth,
            "sex": "F" if female else "M",
            "caf_number": f"{rng.randint(1000000, 9999999)}" if rsa else "",
            "email": f"personne{index + 1}@exemple.fr" if rng.random() < 0.6 else "",
            "phone": f"+336{rng.randint(10000000, 99999999)}" if rng.random() < 0.8 else "",
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "commune": rng.choices(communes, weights=weights)[0],
            "household_role": rng.choice(["applicant", "partner"]) if rsa else "",
            "rsa_since": entry_date - timedelta(days=rng.randint(0, 20)) if rsa else None,
            "jobseeker_registered": rng.random() < 0.5,
            "rqth": rng.random() < 0.06,
        }
        person = pathway_actions.enter_person(
            by=creator,
            identity=identity,
            nir=nirs.draw(identity["sex"], birth, identity["commune"].pk),
            entered_at=entry_date,
            entry_source="caf" if rsa and rng.random() < 0.5 else "professional",
        )
        if state in {0, 1, 2}:
            continue
        answers = _answers(rng, referential)
        proposal = propose_orientation(answers, person_facts(person), referential=referential)
        common, sensitive = split_sensitive(referential, answers)
        diagnostic = actions.record_diagnostic(
            person,
            by=creator,
            answers=common,
            sensitive_answers=sensitive,
            comments="",
            theme_comments={},
            sensitive_theme_comments={},
            referential=referential,
            proposal=proposal,
        )
        diagnostic.done_at = timezone.now() - timedelta(days=entered_days_ago - 2)
        diagnostic.save(update_fields=["done_at"])
        if state in {3, 4, 5}:
            continue
        orientation = Orientation.objects.get(person=person, status=Orientation.Status.PROPOSED)
        structure = rng.choice(referent_structures)
        referent = None
        if state in {8, 9}:
            referent = structure.memberships.filter(is_active=True).order_by("pk").first()
        orientation = actions.decide_orientation(
            orientation,
            by=manager,
            pathway_type=proposal.pathway,
            referent_structure=structure,
            referent=referent,
            reason="",
            notify=False,
        )
        actions.record_letter(orientation, by=manager)
        if state == 6:
            # Some contracts are late, so that the worklist shows them.
            pathway = Pathway.objects.get(person=person)
            pathway.contract_due_on = today - timedelta(days=rng.randint(1, 20))
            pathway.save(update_fields=["contract_due_on"])
    return Person.objects.filter(created_by__email__endswith="@demo.relais.test").count()


# A few people entered twice by two partners (an accent dropped, a birth date mistyped by one digit): the
# coordinators' list of probable duplicates has something to examine.
DEMO_DUPLICATES = 4


def _mistyped_day(birth):
    """The birth date with its day one digit away (14 for 15), or None when no such date exists."""
    day = birth.day - 1 if birth.day % 10 else birth.day + 1
    try:
        return birth.replace(day=day)
    except ValueError:
        return None


def seed_duplicates():
    """Enter a few demo people a second time through another partner, then compute the probable duplicates once.
    Idempotent: nothing is done once a computation exists. Returns how many pairs are to examine."""
    from people import duplicates
    from people.models import DuplicateScan
    from relais.text import fold

    if DuplicateScan.objects.exists():
        return duplicates.proposed_pairs().count()
    entering = list(
        Membership.objects.filter(
            is_active=True, user__email__endswith="@demo.relais.test", structure__kind=Structure.Kind.CCAS
        ).select_related("user", "structure")
    )
    originals = Person.objects.filter(
        created_by__email__endswith="@demo.relais.test", merged_into__isnull=True, usage_name=""
    ).order_by("pk")[: DEMO_DUPLICATES * 5 : 5]
    if entering:
        for index, original in enumerate(originals):
            birth = _mistyped_day(original.birth_date)
            if birth is None:
                continue
            try:
                pathway_actions.enter_person(
                    by=entering[index % len(entering)],
                    identity={
                        "birth_name": fold(original.birth_name).upper(),
                        "first_names": original.first_names,
                        "birth_date": birth,
                        "sex": original.sex,
                        "commune": original.commune,
                    },
                    entered_at=timezone.localdate() - timedelta(days=7),
                )
            except pathway_actions.AlreadyKnown:
                continue
    scan = DuplicateScan()
    scan.save()
    duplicates.run_scan(scan)
    return duplicates.proposed_pairs().count()
