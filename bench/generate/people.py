"""The people accompanied: 150,000 people across the département, each with a pathway, a team and, for most,
a diagnostic and an orientation.

Everything is written with ``bulk_create`` by batches: ``Person.save()`` does not run, so the matching keys
it computes (searched name, folded last names, phonetic keys, and the variants of each last name) are computed
here with the very same functions. The NIR is set with ``Person.set_nir``: the real keyed hash and the real encryption.

What is drawn:

- names from ``identities`` (common and rare surnames, every origin, double names), first names of the
  person's generation, several of them for about 30 %; a usage name for about 20 % of women;
- birth dates from 1960 to 2008; the commune weighted by its population; about 60 % on RSA (with a CAF
  number, some partners sharing the applicant's); a valid NIR for about 70 %, agreeing with sex and birth;
- the pathway: about 30 % just entered (RSA due dates six weeks after entry, some already passed), 20 %
  oriented, 50 % accompanied by a référent, a professional of the organisme référent;
- the team: the professional who entered the person, and the référent;
- a diagnostic for about 70 % (answers in the referential's shape, the orientation rules' proposal) and an
  orientation for each diagnosed person: proposed while in « entered », notified afterwards.
"""

import time
from bisect import bisect
from datetime import date, datetime, timedelta
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, Structure
from bench.database import BENCH_DOMAIN
from bench.generate import names
from bench.generate.identities import NameDrawer, birthplace, nir
from entry.demo import _answers as diagnostic_answers
from entry.models import Diagnostic, Orientation
from entry.proposal import PersonFacts, propose_orientation
from entry.referential import split_sensitive
from entry.referential_store import current_referential
from pathway.models import EntrySource, Pathway, PathwayType, ReferentHistory, TeamMember, orientation_due_on
from people.models import NameVariant, Person, format_dossier_number
from people.publics import YOUNG_AGE_LIMIT
from relais.text import fold
from territory.models import Commune

LABEL = "Personnes accompagnées"
BATCH = 5_000
K = Structure.Kind
S = Pathway.Status
P = PathwayType

FIRST_BIRTH = date(1960, 1, 1)
LAST_BIRTH = date(2008, 12, 31)
FEMALE = 0.52
USAGE_NAME = 0.20
WITH_NIR = 0.70
RSA_FROM_25 = 0.69  # About 60 % of everyone: RSA is for people of 25 or more, with few exceptions.
RSA_UNDER_25 = 0.05
PARTNER = 0.12  # An RSA person who is the partner of the previous applicant: same CAF number and address.
JOBSEEKER = 0.45
RQTH = 0.06
STATUSES = ((S.ENTERED, 0.30), (S.ORIENTED, 0.20), (S.ACCOMPANIED, 0.50))
DIAGNOSED = {S.ENTERED: 1 / 3, S.ORIENTED: 0.86, S.ACCOMPANIED: 0.86}  # About 70 % of everyone.
AS_PROPOSED = 0.85  # Decisions that follow the proposal.
LATE_CONTRACT_ACCOMPANIED = 0.15

# Who enters a person: the kind of their structure (weights), when one covers the person's commune.
ENTERING = {K.MAISON_SOLIDARITES: 30, K.FRANCE_TRAVAIL: 30, K.CCAS: 15, K.SIAE: 5, K.ASSOCIATION: 5, K.OTHER: 3}
# The organisme référent by decided pathway; the young go to the missions locales, RQTH partly to Cap emploi.
REFERENT_KINDS = {
    P.PROFESSIONAL: {K.FRANCE_TRAVAIL: 1},
    P.SOCIO_PROFESSIONAL: {K.MAISON_SOLIDARITES: 45, K.FRANCE_TRAVAIL: 20, K.ASSOCIATION: 15, K.SIAE: 10, K.OTHER: 10},
    P.SOCIAL: {K.MAISON_SOLIDARITES: 85, K.CCAS: 15},
}
UNDIAGNOSED_PATHWAYS = ((P.PROFESSIONAL, 40), (P.SOCIO_PROFESSIONAL, 45), (P.SOCIAL, 15))
DIFFERENT_DECISION = "Décision de l'équipe pluridisciplinaire, au vu de l'entretien avec la personne."
FRANCE_TRAVAIL_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _bench_people():
    return Person.objects.filter(created_by__email__endswith=f"@{BENCH_DOMAIN}")


def is_generated(scale):
    return scale.people == 0 or _bench_people().exists()


def counts(scale):
    people = _bench_people()
    pathways = Pathway.objects.filter(person__in=people)
    return {
        "personnes": people.count(),
        "avec NIR": people.exclude(nir_digest="").count(),
        "au RSA": people.filter(rsa_since__isnull=False).count(),
        "entrées": pathways.filter(status=S.ENTERED).count(),
        "orientées": pathways.filter(status=S.ORIENTED).count(),
        "accompagnées": pathways.filter(status=S.ACCOMPANIED).count(),
        "diagnostics": Diagnostic.objects.filter(person__in=people).count(),
        "orientations": Orientation.objects.filter(person__in=people).count(),
        "membres d'équipe": TeamMember.objects.filter(pathway__person__in=people).count(),
    }


class _Picker:
    """Weighted draws with cumulative weights computed once."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))

    def __call__(self, rng):
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class _Territory:
    """The département's communes and, for each, the structures that cover it, by kind, with active members."""

    def __init__(self, departement):
        self.communes = list(Commune.objects.filter(departement_id=departement).order_by("code"))
        if not self.communes:
            raise ValueError(f"Le territoire du département {departement} n'est pas chargé.")
        self.commune = _Picker(self.communes, [max(commune.population, 50) for commune in self.communes])
        self.codes = [commune.code for commune in self.communes]
        members = {}
        for user_id, structure_id in (
            Membership.objects.filter(
                is_active=True,
                structure__is_validated=True,
                user__is_active=True,
                user__email__endswith=f"@{BENCH_DOMAIN}",
            )
            .order_by("pk")
            .values_list("user_id", "structure_id")
        ):
            members.setdefault(structure_id, []).append(user_id)
        self.members = members
        structures = list(
            Structure.objects.filter(pk__in=members).prefetch_related("zone_communes", "zone_epcis").order_by("pk")
        )
        self.by_kind = {}
        self.covering = {commune.code: {} for commune in self.communes}
        for structure in structures:
            self.by_kind.setdefault(structure.kind, []).append(structure.pk)
            zone_communes = {commune.code for commune in structure.zone_communes.all()}
            zone_epcis = {epci.siren for epci in structure.zone_epcis.all()}
            for commune in self.communes:
                if structure.covers_departement or (commune.code in zone_communes or commune.epci_id in zone_epcis):
                    self.covering[commune.code].setdefault(structure.kind, []).append(structure.pk)
        if not self.by_kind.get(K.MAISON_SOLIDARITES) or not self.by_kind.get(K.FRANCE_TRAVAIL):
            raise ValueError("Il faut des maisons des solidarités et des agences France Travail avec des membres.")
        deciders = Membership.objects.filter(
            is_active=True,
            is_orientation_manager=True,
            structure__kind__in=[K.DEPARTEMENT, K.MAISON_SOLIDARITES],
            user__email__endswith=f"@{BENCH_DOMAIN}",
        )
        self.deciders = list(deciders.order_by("pk").values_list("user_id", flat=True))
        if not self.deciders:
            raise ValueError("Aucun chargé d'orientation au Département : générez d'abord les structures.")

    def structure(self, rng, commune, weights):
        """A structure of one of the weighted kinds covering ``commune`` (anywhere when none covers it)."""
        covering = self.covering[commune.code]
        kinds = [(kind, weight) for kind, weight in weights.items() if covering.get(kind)]
        if kinds:
            kind = rng.choices([kind for kind, _ in kinds], weights=[weight for _, weight in kinds])[0]
            return rng.choice(covering[kind])
        kinds = [kind for kind in weights if self.by_kind.get(kind)] or [K.MAISON_SOLIDARITES]
        return rng.choice(self.by_kind[rng.choice(kinds)])

    def member(self, rng, structure_id):
        return rng.choice(self.members[structure_id])


class _Identifiers:
    """NIR, CAF numbers and France Travail identifiers, each drawn once."""

    def __init__(self):
        self.nir_bodies, self.caf, self.france_travail = set(), set(), set()

    def nir(self, rng, sex, birth_date, place):
        while True:
            value = nir(rng, sex, birth_date, place, rng.randint(1, 999))
            if value[:13] not in self.nir_bodies:
                self.nir_bodies.add(value[:13])
                return value

    def caf_number(self, rng):
        while True:
            value = f"{rng.randint(1_000_000, 9_999_999)}"
            if value not in self.caf:
                self.caf.add(value)
                return value

    def france_travail_id(self, rng):
        while True:
            value = f"{rng.randint(1_000_000, 9_999_999)}{rng.choice(FRANCE_TRAVAIL_LETTERS)}"
            if value not in self.france_travail:
                self.france_travail.add(value)
                return value


def _age(birth_date, today):
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


class _Generator:
    def __init__(self, rng, scale):
        self.rng = rng
        self.scale = scale
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.territory = _Territory(scale.departement)
        self.drawer = NameDrawer(rng)
        self.identifiers = _Identifiers()
        self.referential = current_referential()
        self.status = _Picker([status for status, _ in STATUSES], [share for _, share in STATUSES])
        self.undiagnosed_pathway = _Picker(*zip(*UNDIAGNOSED_PATHWAYS, strict=True))
        self.essonne_places = [code for code in self.territory.codes if code.startswith(scale.departement)]
        self.household = None  # The last RSA applicant: (CAF number, commune, address).
        self.encryption_seconds = 0.0
        self.index = 0

    def at(self, day):
        """An aware datetime during the working day ``day``."""
        moment = datetime(day.year, day.month, day.day, self.rng.randint(8, 17), self.rng.randint(0, 59))
        return min(timezone.make_aware(moment), self.now)

    # --- One person ----------------------------------------------------------------------------------

    def person(self):
        rng, today = self.rng, self.today
        self.index += 1
        sex = "F" if rng.random() < FEMALE else "M"
        birth_date = FIRST_BIRTH + timedelta(days=rng.randrange((LAST_BIRTH - FIRST_BIRTH).days + 1))
        age = _age(birth_date, today)
        birth_name, origin = self.drawer.surname()
        usage_name = ""
        if sex == "F" and age >= 20 and rng.random() < USAGE_NAME / 0.95:
            husband, _ = self.drawer.single_surname()
            usage_name = f"{birth_name}-{husband}" if rng.random() < 0.15 else husband
        first_names = self.drawer.first_names(sex, birth_date.year, origin)
        commune = self.territory.commune(rng)
        address = names.address(rng)
        rsa = rng.random() < (RSA_FROM_25 if age >= 25 else RSA_UNDER_25)
        caf_number, household_role = "", ""
        if rsa:
            if self.household and rng.random() < PARTNER:
                caf_number, commune, address = self.household
                household_role = Person.HouseholdRole.PARTNER
                self.household = None
            else:
                caf_number = self.identifiers.caf_number(rng)
                household_role = Person.HouseholdRole.APPLICANT
                self.household = (caf_number, commune, address)
        jobseeker = rng.random() < JOBSEEKER
        status = self.status(rng)
        # Entered lately, most of them (some after the six weeks of the RSA); followed for up to two years and a half.
        days_ago = min(int(rng.expovariate(1 / 35)), 200) if status == S.ENTERED else rng.randint(45, 900)
        entry_date = today - timedelta(days=days_ago)
        person = Person(
            birth_name=birth_name,
            usage_name=usage_name,
            first_names=first_names,
            birth_date=birth_date,
            sex=sex,
            caf_number=caf_number,
            france_travail_id=self.identifiers.france_travail_id(rng) if jobseeker and rng.random() < 0.8 else "",
            email=f"{fold(first_names).split()[0]}.{self.index}@exemple.fr" if rng.random() < 0.55 else "",
            phone=f"+336{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.8 else "",
            address=address,
            commune=commune,
            household_role=household_role,
            rsa_since=entry_date - timedelta(days=rng.randint(0, 30)) if rsa else None,
            jobseeker_registered=jobseeker,
            rqth=rng.random() < RQTH,
            departement=self.scale.departement,
            dossier_number=format_dossier_number(self.scale.departement, 2025, self.index),
        )
        # Pathway facts, kept beside the person until the pathway row is built.
        person.bench_entry_date = entry_date
        person.bench_entry_source = (
            EntrySource.CAF
            if rsa and rng.random() < 0.5
            else EntrySource.FRANCE_TRAVAIL
            if jobseeker and rng.random() < 0.1
            else EntrySource.PROFESSIONAL
        )
        # What Person.save() computes, computed the same way (the name variants are written by batch).
        person.set_matching_keys()
        if rng.random() < WITH_NIR:
            place = birthplace(rng, origin, self.essonne_places)
            started = time.perf_counter()
            person.set_nir(self.identifiers.nir(rng, sex, birth_date, place))
            self.encryption_seconds += time.perf_counter() - started
        creator_kinds = dict(ENTERING)
        if age < YOUNG_AGE_LIMIT:
            creator_kinds[K.MISSION_LOCALE] = 150
        if person.rqth:
            creator_kinds[K.CAP_EMPLOI] = 40
        structure_id = self.territory.structure(rng, commune, creator_kinds)
        person.created_for_id = structure_id
        person.created_by_id = self.territory.member(rng, structure_id)
        return person, status, days_ago, age

    # --- Its pathway, team, diagnostic and orientation -----------------------------------------------

    def follow_up(self, person, status, days_ago, age, rows):
        rng = self.rng
        entry_date = person.bench_entry_date
        pathway = Pathway(
            person_id=person.pk,
            status=status,
            entered_at=entry_date,
            entry_source=person.bench_entry_source,
            orientation_due_on=orientation_due_on(person, entry_date),
            departement=person.departement,
        )
        rows["pathways"].append(pathway)
        creator = TeamMember(
            pathway=pathway,
            user_id=person.created_by_id,
            structure_id=person.created_for_id,
            started_at=self.at(entry_date),
        )
        rows["team"].append(creator)

        diagnosed = rng.random() < DIAGNOSED[status]
        decided_on = entry_date + timedelta(days=rng.randint(10, 40))
        diagnostic = proposal = None
        if diagnosed:
            answers = diagnostic_answers(rng, self.referential)
            proposal = propose_orientation(
                answers,
                PersonFacts(age=age, is_rsa=person.rsa_since is not None, has_rqth=person.rqth),
                referential=self.referential,
            )
            common, sensitive = split_sensitive(self.referential, answers)
            if status == S.ENTERED:
                done_on = entry_date + timedelta(days=rng.randint(0, days_ago))
            else:
                done_on = decided_on - timedelta(days=rng.randint(1, 8))
            diagnostic = Diagnostic(
                person_id=person.pk,
                number=1,
                referential_version=self.referential["version"],
                answers=common,
                sensitive_answers=sensitive,
                done_at=self.at(done_on),
                done_by_id=person.created_by_id,
                structure_id=person.created_for_id,
                proposed_pathway=proposal.pathway,
                proposal_reasons=[*proposal.reasons, *(f"À savoir : {note}" for note in proposal.notes)],
                proposal_sensitive=proposal.sensitive,
            )
            rows["diagnostics"].append(diagnostic)
        if status == S.ENTERED:
            if diagnostic is not None:
                rows["orientations"].append(self._orientation(person, diagnostic, proposal))
            return

        if proposal is not None and rng.random() < AS_PROPOSED:
            pathway_type = proposal.pathway
        elif proposal is not None:
            pathway_type = rng.choice([p for p in P.values if p != proposal.pathway])
        else:
            pathway_type = self.undiagnosed_pathway(rng)
        referent_kinds = dict(REFERENT_KINDS[pathway_type])
        if age < YOUNG_AGE_LIMIT:
            referent_kinds = {K.MISSION_LOCALE: 1}
        elif person.rqth and pathway_type == P.PROFESSIONAL and rng.random() < 0.6:
            referent_kinds = {K.CAP_EMPLOI: 1}
        referent_structure = self.territory.structure(rng, person.commune, referent_kinds)
        oriented_at = self.at(decided_on)
        pathway.pathway_type = pathway_type
        pathway.referent_structure_id = referent_structure
        pathway.oriented_at = oriented_at
        decider = rng.choice(self.territory.deciders)
        if status == S.ORIENTED or rng.random() < LATE_CONTRACT_ACCOMPANIED:
            pathway.contract_due_on = decided_on + timedelta(days=30)
        if status == S.ACCOMPANIED:
            referent = self.territory.member(rng, referent_structure)
            pathway.referent_id = referent
            designated = self.at(min(decided_on + timedelta(days=rng.randint(3, 30)), self.today))
            if referent == person.created_by_id:  # One active team membership per person and professional.
                creator.role = TeamMember.Role.REFERENT
                creator.structure_id = referent_structure
            else:
                rows["team"].append(
                    TeamMember(
                        pathway=pathway,
                        user_id=referent,
                        structure_id=referent_structure,
                        role=TeamMember.Role.REFERENT,
                        started_at=designated,
                    )
                )
            rows["referents"].append(
                ReferentHistory(
                    pathway=pathway,
                    user_id=referent,
                    structure_id=referent_structure,
                    designated_by_id=decider,
                    started_at=designated,
                )
            )
        if diagnostic is not None:
            orientation = self._orientation(person, diagnostic, proposal)
            orientation.status = Orientation.Status.NOTIFIED
            orientation.pathway_type = pathway_type
            orientation.referent_structure_id = referent_structure
            orientation.referent_id = pathway.referent_id
            orientation.decision_reason = DIFFERENT_DECISION if pathway_type != proposal.pathway else ""
            orientation.decided_by_id = decider
            orientation.decided_at = oriented_at
            orientation.notified_at = min(oriented_at + timedelta(days=1), self.now)
            rows["orientations"].append(orientation)

    @staticmethod
    def _orientation(person, diagnostic, proposal):
        return Orientation(
            person_id=person.pk,
            diagnostic=diagnostic,
            proposed_pathway=proposal.pathway,
            proposal_reasons=diagnostic.proposal_reasons,
            proposal_sensitive=proposal.sensitive,
            proposed_by_id=diagnostic.done_by_id,
            proposed_for_id=diagnostic.structure_id,
            proposed_at=diagnostic.done_at,
        )

    # --- Batches --------------------------------------------------------------------------------------

    def batch(self, size):
        drawn = [self.person() for _ in range(size)]
        Person.objects.bulk_create([person for person, *_ in drawn], batch_size=size)
        names = {name for person, *_ in drawn for name in (person.birth_name, person.usage_name) if name}
        NameVariant.objects.bulk_create(NameVariant.rows(*names), batch_size=size, ignore_conflicts=True)
        rows = {"pathways": [], "team": [], "referents": [], "diagnostics": [], "orientations": []}
        for person, status, days_ago, age in drawn:
            self.follow_up(person, status, days_ago, age, rows)
        # The rows below point at pathways and diagnostics saved just before: bulk_create takes their new ids.
        Pathway.objects.bulk_create(rows["pathways"], batch_size=size)
        TeamMember.objects.bulk_create(rows["team"], batch_size=size)
        ReferentHistory.objects.bulk_create(rows["referents"], batch_size=size)
        Diagnostic.objects.bulk_create(rows["diagnostics"], batch_size=size)
        Orientation.objects.bulk_create(rows["orientations"], batch_size=size)


def generate(rng, scale, report=print):
    _generate(rng, scale, report)
    # Fresh statistics, as a live database has: the planner's choices are then those of production. The pathways'
    # visibility map too (autovacuum's work on a database in service): the worklist's counters read their partial
    # indexes alone.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE pathway_pathway")


@transaction.atomic
def _generate(rng, scale, report):
    generator = _Generator(rng, scale)
    started = time.perf_counter()
    done = 0
    while done < scale.people:
        size = min(BATCH, scale.people - done)
        generator.batch(size)
        done += size
        if done % (BATCH * 6) == 0 or done == scale.people:
            report(f"  {done:,} personnes en {time.perf_counter() - started:.0f} s".replace(",", "\u202f"))
    report(f"  dont chiffrement et empreinte des NIR : {generator.encryption_seconds:.1f} s")
