"""Rows as partners' files really hold them: identifiers that contradict the identity, placeholders, children of
the household, names too long, a commune that contradicts its code, headers named in other words; and decisions on
rows set aside twice."""

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from imports import values as clean
from imports.actions import decide_row
from imports.engine import Engine, get_profile
from imports.models import ImportRow, ImportRun
from people.models import Person
from relais.actions import SYSTEM
from tests.factories import MembershipFactory
from tests.imports.helpers import RSA_HEADERS, csv_bytes, rsa_row, run_import
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(departement):
    return MembershipFactory(structure=departement, orientation_manager=True, user__email="import@exemple.fr")


def report(run):
    return [(row.line, row.outcome, row.reason) for row in run.rows.order_by("line")]


def test_a_nir_that_contradicts_the_sex_or_birth_date_is_refused_rather_than_matched(importer):
    hakim_nir = make_nir("M", datetime.date(1977, 6, 5))
    first = run_import(
        csv_bytes(
            [
                rsa_row(NOM="MARI", PRENOMS="Hakim", SEXE="M", DATE_NAISSANCE="05/06/1977", NIR=hakim_nir),
                # His spouse, given his NIR by mistake: not him, and not created either.
                rsa_row(ROLE="CJT", NOM="EPOUSE", PRENOMS="Samia", DATE_NAISSANCE="09/09/1984", NIR=hakim_nir),
            ]
        ),
        membership=importer,
    )
    assert report(first) == [
        (2, "created", ""),
        (
            3,
            "rejected",
            "Le premier chiffre du NIR ne correspond pas au sexe indiqué. L'année de naissance du NIR "
            "ne correspond pas à la date de naissance. Le mois de naissance du NIR ne correspond pas à la date de "
            "naissance.",
        ),
    ]
    later = run_import(
        csv_bytes([rsa_row(NOM="AUTRE", PRENOMS="Zoé", DATE_NAISSANCE="01/01/1999", NIR=hakim_nir, TELEPHONE="")]),
        membership=importer,
    )
    assert [outcome for _, outcome, _ in report(later)] == ["rejected"]
    hakim = Person.objects.get()
    assert (hakim.birth_name, hakim.first_names, hakim.phone) == ("MARI", "Hakim", "+33612345678")


def test_a_list_without_the_rsa_date_never_moves_the_date_on_file(importer, monkeypatch):
    run_import(csv_bytes([rsa_row()]), membership=importer)
    headers = [header for header in RSA_HEADERS if header != "DATE_OUVERTURE_DROIT"]
    row = rsa_row()
    without_date = [value for header, value in zip(RSA_HEADERS, row, strict=True) if header != "DATE_OUVERTURE_DROIT"]
    again = run_import(csv_bytes([without_date], headers=headers), membership=importer)
    assert report(again) == [(2, "unchanged", "")]
    # The next day, the same list again: still nothing changed.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr("imports.engine.timezone.localdate", lambda: tomorrow)
    third = run_import(csv_bytes([without_date], headers=headers), membership=importer)
    assert report(third) == [(2, "unchanged", "")]
    assert Person.objects.get().rsa_since == datetime.date(2026, 11, 2)


def test_a_newcomer_without_the_rsa_date_is_on_the_rsa_from_the_day_of_the_list(importer):
    headers = ["NOM", "PRENOMS", "DATE_NAISSANCE", "CODE_POSTAL"]
    run = run_import(csv_bytes([["LEBLANC", "Anna", "03/04/1992", "91000"]], headers=headers), membership=importer)
    assert report(run) == [(2, "created", "")]
    assert Person.objects.get().rsa_since == timezone.localdate()


def test_the_more_explicit_header_wins_and_a_plain_name_is_the_usage_name(importer):
    headers = ["NOM", "NOM_NAISSANCE", "Prénom(s)", "Date de naissance (jj/mm/aaaa)", "CP", "Matricule CAF", "Mobile"]
    run = run_import(
        csv_bytes([["DURAND", "LEFÈVRE", "Hélène", "12/05/1980", "91000", "0934567", "0611223344"]], headers=headers),
        membership=importer,
    )
    assert report(run) == [(2, "created", "")]
    assert run.ignored_columns == []
    person = Person.objects.get()
    assert (person.birth_name, person.usage_name, person.first_names) == ("LEFÈVRE", "DURAND", "Hélène")
    assert (person.caf_number, person.phone) == ("0934567", "+33611223344")


def test_children_and_people_under_the_minimum_age_are_left_out_with_their_reason(importer):
    today = timezone.localdate()
    young = today.replace(year=today.year - settings.RELAIS_MINIMUM_AGE + 1, day=min(today.day, 28))
    run = run_import(
        csv_bytes(
            [
                rsa_row(),
                rsa_row(ROLE="ENF", PRENOMS="Lina", DATE_NAISSANCE="01/01/2010"),
                rsa_row(PRENOMS="Jade", DATE_NAISSANCE=young.strftime("%d/%m/%Y"), ROLE="CJT"),
            ]
        ),
        membership=importer,
    )
    lines = report(run)
    assert lines[0] == (2, "created", "")
    assert lines[1] == (
        3,
        "rejected",
        "Ligne d'un enfant du foyer : seuls le demandeur et son conjoint entrent dans le parcours.",
    )
    assert lines[2][1] == "rejected" and f"moins de {settings.RELAIS_MINIMUM_AGE} ans" in lines[2][2]
    assert Person.objects.count() == 1


def test_placeholders_in_optional_columns_are_read_as_nothing(importer):
    run = run_import(
        csv_bytes([rsa_row(TELEPHONE="NC", SEXE="Mr", NIR="-", ROLE="Demandeur RSA", PRENOMS="Paul")]),
        membership=importer,
    )
    assert report(run) == [(2, "created", "")]
    person = Person.objects.get()
    assert (person.phone, person.sex, person.nir_digest, person.household_role) == ("", "M", "", "applicant")
    run = run_import(
        csv_bytes([rsa_row(NOM="NA", PRENOMS="Min-jun", TELEPHONE="00 00 00 00 00")]), membership=importer
    )
    assert report(run) == [(2, "created", "")]
    assert Person.objects.filter(birth_name="NA").exists()  # a name is never a placeholder


def test_a_commune_name_that_contradicts_its_code_is_refused(importer):
    run = run_import(
        csv_bytes(
            [
                rsa_row(COMMUNE="Massy"),  # 91000 is Évry-Courcouronnes
                rsa_row(NUM_ALLOCATAIRE="0900002", PRENOMS="Eva", COMMUNE="EVRY"),  # the commune before its merger
                rsa_row(NUM_ALLOCATAIRE="0900003", PRENOMS="Iris", COMMUNE="Évry Cedex"),
            ]
        ),
        membership=importer,
    )
    lines = report(run)
    assert lines[0][1] == "rejected"
    assert lines[0][2] == (
        "La commune « Massy » ne correspond pas au code donné, celui de Évry-Courcouronnes : vérifiez l'un ou l'autre."
    )
    assert [outcome for _, outcome, _ in lines[1:]] == ["created", "created"]


def test_a_value_longer_than_the_record_holds_is_refused_and_a_bad_email_left_out(importer):
    headers = [*RSA_HEADERS, "EMAIL"]
    run = run_import(
        csv_bytes(
            [
                [*rsa_row(NOM="X" * 200), ""],
                [*rsa_row(NUM_ALLOCATAIRE="0900002", PRENOMS="Eva"), "pas un mail"],
                [*rsa_row(NUM_ALLOCATAIRE="0900003", PRENOMS="Iris"), "Iris.Martinez@Exemple.fr"],
            ],
            headers=headers,
        ),
        membership=importer,
    )
    lines = report(run)
    assert lines[0][1] == "rejected" and "200 caractères" in lines[0][2] and "150 au plus" in lines[0][2]
    assert lines[1] == (3, "created", "« pas un mail » n'est pas une adresse électronique valide. Valeur non reprise.")
    assert lines[2][1] == "created"
    assert Person.objects.get(first_names="Iris").email == "iris.martinez@exemple.fr"
    assert Person.objects.get(first_names="Eva").email == ""


def test_a_nul_character_is_refused_with_its_column(importer):
    run = ImportRun(structure=importer.structure, profile_name="rsa", apply=False)
    engine = Engine(run, profile=get_profile("rsa"), by=importer)
    engine.map_columns(RSA_HEADERS)
    row = engine.parse(2, rsa_row(NOM="MART\x00INEZ"))
    assert row.errors == [("NOM", "La cellule contient un caractère nul : le fichier est sans doute abîmé.")]


def test_the_rows_read_before_an_unreadable_line_are_taken_in(importer):
    good = csv_bytes([rsa_row(), rsa_row(NUM_ALLOCATAIRE="0900002", PRENOMS="Eva")])
    broken = good + b'0900003;DEM;QUOTE;Jean;01/01/1980;M;;91000;Evry;;"' + b"x" * (1024 * 1024 + 10) + b"\r\n"
    run = run_import(broken, membership=importer)
    assert run.status == ImportRun.Status.FAILED
    assert "ligne 4" in run.error.lower()
    assert run.created == 2
    assert Person.objects.count() == 2


def test_the_same_row_set_aside_by_two_imports_is_decided_once(importer):
    PersonFactory(birth_name="MARTINES", first_names="Sofia", birth_date=datetime.date(1988, 3, 14))
    content = csv_bytes([rsa_row(NUM_ALLOCATAIRE="")])
    first = run_import(content, membership=importer)
    second = run_import(content, membership=importer)
    one, two = (run.rows.get(outcome=ImportRow.Outcome.SET_ASIDE) for run in (first, second))
    decided = decide_row(one, by=SYSTEM)  # another person: created
    assert decided.outcome == ImportRow.Outcome.CREATED
    again = decide_row(two, by=SYSTEM)  # the same decision on the other import: the person just created
    assert again.outcome == ImportRow.Outcome.UNCHANGED and again.person_id == decided.person_id
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("04/03/65", datetime.date(1965, 3, 4)),
        ("04-03-85", datetime.date(1985, 3, 4)),
        ("04.03.85", datetime.date(1985, 3, 4)),
        ("04/03/1965", datetime.date(1965, 3, 4)),
        ("040365", datetime.date(1965, 3, 4)),
        ("4 mars 65", datetime.date(1965, 3, 4)),
    ],
)
def test_a_birth_date_with_two_digits_for_the_year_is_in_the_past(typed, read):
    assert clean.birth_date(typed) == read


def test_a_year_alone_is_no_birth_date():
    with pytest.raises(clean.Invalid, match="n'est qu'une année"):
        clean.birth_date("1985")


def test_a_caf_number_that_lost_its_leading_zero_gets_it_back_and_names_lose_stray_spaces():
    assert clean.caf_number(912399) == "0912399"
    assert clean.caf_number("912399.0") == "0912399"
    assert clean.caf_number("12345678") == "12345678"
    assert clean.first_names("jean -  pierre  MARIE") == "Jean-Pierre Marie"


def test_resuming_a_run_by_a_malformed_or_finished_identifier_says_so(importer, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes(csv_bytes([rsa_row()]))
    siret = importer.structure.siret
    command = ["import_people", str(path), "--profile", "rsa", "--structure", siret, "--resume"]
    with pytest.raises(CommandError, match="« abc » n'est pas l'identifiant d'un import"):
        call_command(*command, "abc")
    run = run_import(csv_bytes([rsa_row()]), membership=importer)
    with pytest.raises(CommandError, match="Cet import est terminé"):
        call_command(*command, str(run.public_id))


def test_the_same_person_twice_in_a_file_counts_once_and_importing_it_again_changes_nothing(importer):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    rows = [
        rsa_row(NIR=nir),
        rsa_row(NIR=nir),  # the same row twice: the same person, nothing more to say
        rsa_row(NIR=nir, TELEPHONE="06 22 22 22 22"),  # the same person, another phone: which one?
    ]
    expected = (
        "Même personne qu'à la ligne 2 de ce fichier, avec d'autres valeurs (téléphone) : seule la ligne 2 est prise "
        "en compte. Corrigez l'une des deux lignes."
    )
    first = run_import(csv_bytes(rows), membership=importer)
    assert report(first) == [(2, "created", ""), (3, "unchanged", ""), (4, "rejected", expected)]
    again = run_import(csv_bytes(rows), membership=importer)
    assert report(again) == [(2, "unchanged", ""), (3, "unchanged", ""), (4, "rejected", expected)]
    assert Person.objects.get().phone == "+33612345678"


def test_a_nir_on_file_for_someone_born_on_another_date_is_not_matched(importer):
    born = datetime.date(1988, 3, 14)
    nir = make_nir("F", born)
    on_file = PersonFactory(birth_name="MARTINEZ", first_names="Sofia", birth_date=born, nir=nir, phone="")
    # The same NIR (coherent with the row's sex, year and month), another day of birth, no typing error of it.
    run = run_import(
        csv_bytes([rsa_row(NIR=nir, NOM="GARNIER", PRENOMS="Lucie", DATE_NAISSANCE="27/03/1988")]),
        membership=importer,
    )
    assert report(run) == [
        (
            2,
            "rejected",
            "Ce NIR est celui d'une personne connue née à une autre date : la ligne n'est rapprochée de personne. "
            "Vérifiez le NIR et la date de naissance.",
        )
    ]
    on_file.refresh_from_db()
    assert on_file.phone == ""
    typo = run_import(csv_bytes([rsa_row(NIR=nir, DATE_NAISSANCE="15/03/1988")]), membership=importer)
    assert report(typo) == [(2, "updated", "")]  # one digit of the day: the same person


def test_a_row_with_several_errors_names_every_column_at_fault(importer):
    run = run_import(csv_bytes([rsa_row(TELEPHONE="pas un numéro", DATE_NAISSANCE="31/02/1990")]), membership=importer)
    row = run.rows.get()
    assert row.outcome == "rejected" and row.column == "DATE_NAISSANCE, TELEPHONE"


def test_a_commune_name_the_reference_does_not_hold_is_let_be_beside_its_code(importer):
    # A former commune's name, or La Poste's label: not another commune's name, so no contradiction.
    run = run_import(csv_bytes([rsa_row(COMMUNE="Courcouronnes Village")]), membership=importer)
    assert report(run) == [(2, "created", "")]
    assert Person.objects.get().commune_id == "91228"


def test_a_value_met_again_is_judged_the_same_for_each_row(importer):
    """Each value of a column is normalised once per run: a refusal, a placeholder, a commune read again give each
    row its own line, column and reason, and an equal value of another type (1 and « 1 ») is read for what it is."""
    rows = [
        rsa_row(NUM_ALLOCATAIRE="0900001", PRENOMS="Eva", DATE_NAISSANCE="31/02/1990"),
        rsa_row(NUM_ALLOCATAIRE="0900002", PRENOMS="Ana", CODE_POSTAL="99999"),
        rsa_row(NUM_ALLOCATAIRE="0900003", PRENOMS="Ivo", DATE_NAISSANCE="31/02/1990", TELEPHONE="NC"),
        rsa_row(NUM_ALLOCATAIRE="0900004", PRENOMS="Ugo", CODE_POSTAL="99999", TELEPHONE="NC"),
        rsa_row(NUM_ALLOCATAIRE="0900005", PRENOMS="Léo", TELEPHONE="NC"),
    ]
    run = run_import(csv_bytes(rows), membership=importer)
    report = list(run.rows.order_by("line").values_list("line", "outcome", "column", "reason"))
    assert [(line, outcome, column) for line, outcome, column, _ in report] == [
        (2, "rejected", "DATE_NAISSANCE"),
        (3, "rejected", "CODE_POSTAL"),
        (4, "rejected", "DATE_NAISSANCE"),
        (5, "rejected", "CODE_POSTAL"),
        (6, "created", ""),
    ]
    assert report[0][3] == report[2][3] and report[1][3] == report[3][3] and "99999" in report[1][3]
    assert Person.objects.get().phone == ""
    engine = Engine(run, profile=get_profile("rsa"), by=SYSTEM)
    engine.map_columns(RSA_HEADERS)
    sex = RSA_HEADERS.index("SEXE")
    cells = rsa_row()
    read = [engine.parse(line, [*cells[:sex], value, *cells[sex + 1 :]]) for line, value in enumerate((1, True), 2)]
    assert read[0].values["sex"] == "M" and not read[0].errors
    assert "sex" not in read[1].values and read[1].errors[0][0] == "SEXE"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2 novembre 2026", datetime.date(2026, 11, 2)),
        ("lundi 2 novembre 2026", datetime.date(2026, 11, 2)),
        ("14031988", datetime.date(1988, 3, 14)),
        ("1121988", datetime.date(1988, 12, 1)),  # the day's zero dropped by a spreadsheet
        ("140388", datetime.date(1988, 3, 14)),
        ("2 juillet 85", datetime.date(1985, 7, 2)),
        ("lun. 14 mars 1988", datetime.date(1988, 3, 14)),
        ("1 er novembre 2026", datetime.date(2026, 11, 1)),
        ("19880314", datetime.date(1988, 3, 14)),
        ("15 nov. 2026", datetime.date(2026, 11, 15)),
        ("1er févr. 1990", datetime.date(1990, 2, 1)),
        ("14 03 1988", datetime.date(1988, 3, 14)),
        ("14 / 03 / 1988", datetime.date(1988, 3, 14)),
        ("14/03/1988 00:00", datetime.date(1988, 3, 14)),
        ("1988-03-14T10:00:00+01:00", datetime.date(1988, 3, 14)),
        ("32143", datetime.date(1988, 1, 1)),
        (32143.0, datetime.date(1988, 1, 1)),
    ],
)
def test_dates_as_files_write_them(typed, read):
    assert clean.parse_date(typed) == read


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        # Once read as the first word, « 2 », then as an Excel serial number: 01/01/1900, silently.
        ("2 novembre", "« 2 novembre » n'est pas une date"),
        ("2", "« 2 » n'est pas une date"),
        (14, "« 14 » n'est pas une date"),
        (2026, "« 2026 » n'est qu'une année"),
        ("mars 1988", "« mars 1988 » n'est pas une date"),
        ("31 septembre 2020", "« 31 septembre 2020 » n'est pas une date"),
        ("Tue Nov 03 2026", "« Tue Nov 03 2026 » n'est pas une date"),
    ],
)
def test_what_is_no_date_is_refused_with_the_whole_cell(typed, reason):
    with pytest.raises(clean.Invalid, match=f"^{reason}"):
        clean.parse_date(typed)


def test_a_date_of_the_pathway_before_1980_is_refused():
    with pytest.raises(clean.Invalid, match="La date d'entrée 02/11/1970 est trop ancienne"):
        clean.past_date("02/11/1970", "date d'entrée")


def test_an_opening_date_written_out_enters_the_person_on_that_date(importer):
    run = run_import(csv_bytes([rsa_row(DATE_OUVERTURE_DROIT="2 novembre 2026")]), membership=importer)
    assert report(run) == [(2, "created", "")]
    assert Person.objects.get().rsa_since == datetime.date(2026, 11, 2)


def test_identifiers_a_spreadsheet_was_told_to_keep_as_text_lose_the_wrapping(importer):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    run = run_import(
        csv_bytes([rsa_row(NUM_ALLOCATAIRE='="0812345"', CODE_POSTAL="'91000", NIR=f'="{nir}"')]),
        membership=importer,
    )
    assert report(run) == [(2, "created", "")]
    person = Person.objects.get()
    assert person.caf_number == "0812345" and person.commune_id == "91228" and person.nir == nir


def test_of_two_phone_numbers_in_a_cell_the_first_is_kept():
    assert clean.phone("06 12 34 56 78 / 01 69 20 30 40") == "+33612345678"
    assert clean.phone("06 12 34 56 78 ou 07 81 22 33 44") == "+33612345678"
    with pytest.raises(clean.Invalid, match="^« 06 12 » : ce numéro de téléphone n'est pas valide"):
        clean.phone("06 12")


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("Concubin(e)", "partner"),
        ("Partenaire", "partner"),
        ("Épouse", "partner"),
        ("PACS", "partner"),
        ("Bénéficiaire", "applicant"),
        ("Responsable dossier", "applicant"),
        ("Personne à charge", clean.CHILD),
        ("PAC", clean.CHILD),
    ],
)
def test_household_roles_in_other_words(typed, role):
    assert clean.household_role(typed) == role


def test_the_names_of_the_columns_given_again_in_the_file_are_no_row(importer):
    run = run_import(csv_bytes([rsa_row(), RSA_HEADERS, rsa_row(NOM="ROUSSEL", PRENOMS="Théo")]), membership=importer)
    assert [(line, outcome) for line, outcome, _ in report(run)] == [(2, "created"), (4, "created")]


def test_a_nir_whose_key_is_in_a_column_of_its_own_is_joined_to_it(importer):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    headers = [*RSA_HEADERS, "CLE"]
    row = rsa_row(NIR=f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}")
    run = run_import(csv_bytes([[*row, str(int(nir[13:]))]], headers=headers), membership=importer)
    assert report(run) == [(2, "created", "")]
    assert Person.objects.get().nir == nir
    assert run.ignored_columns == []


@pytest.mark.parametrize("separator", ["/", " / ", "-"])
def test_a_nir_with_a_slash_or_a_dash_before_its_key(separator):
    nir = make_nir("F", datetime.date(1988, 3, 14))
    assert clean.nir(f"{nir[:13]}{separator}{nir[13:]}") == nir
    dotted = ".".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13]))
    assert clean.nir(f"{dotted}{separator}{nir[13:]}") == nir


def test_a_nir_a_spreadsheet_turned_into_a_number_says_so():
    with pytest.raises(clean.Invalid, match="le tableur a changé le NIR en nombre"):
        clean.nir("2,88039E+14")


def test_a_second_phone_column_is_read_when_the_first_is_empty_or_wrong(importer):
    headers = [*RSA_HEADERS, "PORTABLE"]
    rows = [
        [*rsa_row(TELEPHONE=""), "07 81 22 33 44"],
        [*rsa_row(NOM="ROUSSEL", PRENOMS="Théo"), "07 00 00 00 01"],
        [*rsa_row(NOM="PETIT", PRENOMS="Lucas", NUM_ALLOCATAIRE="0912399", TELEPHONE="01 69 20"), "06 11 22 33 44"],
    ]
    run = run_import(csv_bytes(rows, headers=headers), membership=importer)
    assert report(run) == [(2, "created", ""), (3, "created", ""), (4, "created", "")]
    assert Person.objects.get(birth_name="MARTINEZ").phone == "+33781223344"
    assert Person.objects.get(birth_name="PETIT").phone == "+33611223344"  # the first one is wrong
    assert Person.objects.get(birth_name="ROUSSEL").phone == "+33612345678"
    assert run.ignored_columns == []


@pytest.mark.parametrize(
    ("postcode", "name", "commune"),
    [
        ("91100", "Corbeil", "91174"),  # Corbeil-Essonnes, among the communes of 91100
        ("91190", "GIF", "91272"),  # Gif-sur-Yvette
        ("91220", "Bretigny s/ Orge", "91103"),  # Brétigny-sur-Orge
        ("91150", "Etampes Cedex", "91223"),
        ("91034", "Évry Cedex", "91228"),  # a CEDEX code: Évry-Courcouronnes, by its name in the département
        ("91300", "Massy Cedex", "91377"),
    ],
)
def test_a_commune_named_in_part_among_those_of_its_postcode(postcode, name, commune):
    assert clean.Communes().find(postcode=postcode, name=name) == commune


@pytest.mark.parametrize(
    ("postcode", "name", "reason"),
    [
        ("91150", "Paris", "Aucune commune « Paris » n'a le code postal « 91150 »."),
        # Not the end of a commune's name, nor another commune's whole name: the name or the code is wrong.
        ("91250", "Corbeil", "Aucune commune « Corbeil » n'a le code postal « 91250 »."),
        (
            "91180",
            "Arpajon",
            "La commune « Arpajon » ne correspond pas au code donné, celui de Saint-Germain-lès-Arpajon : vérifiez "
            "l'un ou l'autre.",
        ),
        ("91034", "Massy", "Le code postal « 91034 » ne correspond à aucune commune connue."),
    ],
)
def test_a_name_that_no_commune_of_the_postcode_bears_is_still_refused(postcode, name, reason):
    with pytest.raises(clean.Invalid, match=f"^{reason}$"):
        clean.Communes().find(postcode=postcode, name=name)


def test_a_wrong_phone_is_left_out_of_a_person_on_file_who_keeps_theirs(importer):
    run_import(csv_bytes([rsa_row()]), membership=importer)
    again = run_import(csv_bytes([rsa_row(TELEPHONE="06 12")]), membership=importer)
    assert report(again) == [
        (
            2,
            "unchanged",
            "« 06 12 » : ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89. Valeur non reprise.",
        )
    ]
    assert Person.objects.get().phone == "+33612345678"


def test_a_total_line_at_the_end_of_the_file_is_said_to_be_one(importer):
    run = run_import(csv_bytes([rsa_row(), ["Total : 1"]]), membership=importer)
    assert report(run) == [
        (2, "created", ""),
        (3, "rejected", "Une seule cellule remplie, « Total : 1 » : un total ou une note, non importée."),
    ]


def test_the_row_that_names_the_profiles_columns_is_found_under_a_title_of_three_cells(importer):
    title = ["Caf de l'Essonne", "Extraction du 02/11/2026", "Nouveaux droits RSA"]
    groups = ["Dossier", "", "Identité", "", "", "", "", "Adresse", "", "", "Montant 2026"]
    content = csv_bytes([groups, RSA_HEADERS, rsa_row()], headers=title)
    run = run_import(content, membership=importer)
    assert report(run) == [(4, "created", "")]
    assert run.file_kind == "CSV (UTF-8, séparateur « ; »), noms des colonnes ligne 3"


def test_a_workbook_whose_first_sheet_is_a_small_table_of_notes(importer):
    import io

    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Lisez-moi"
    for row in (["Code", "Libellé", "Remarque"], ["DEM", "Demandeur", ""], ["CJT", "Conjoint", ""]):
        notes.append(row)
    data = book.create_sheet("Données")
    for row in (RSA_HEADERS, rsa_row()):
        data.append(row)
    content = io.BytesIO()
    book.save(content)
    run = run_import(content.getvalue(), membership=importer, name="liste.xlsx")
    assert (run.status, run.error) == ("done", "")
    assert report(run) == [(2, "created", "")]
    assert "feuille « Données »" in run.file_kind
