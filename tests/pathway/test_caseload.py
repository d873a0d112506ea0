"""« Mes personnes »: a professional's caseload for the structure they act for — columns that other apps extend,
filters, sorting, pages, CSV and XLSX exports (logged, formulas neutralised), a constant number of queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AccessLog
from pathway import actions, caseload, objection_actions
from pathway.models import Pathway, TeamMember
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("pathway:caseload")
TODAY = timezone.localdate  # read when a test runs: a run may cross midnight in Paris


def follow(membership, name, *, days_ago=10, commune="91228", **kwargs):
    return PersonFactory(
        birth_name=name,
        first_names="Alex",
        commune_id=commune,
        followed_by=membership,
        followed_by__entered_at=TODAY() - datetime.timedelta(days=days_ago),
        **kwargs,
    )


def names(response):
    return [row["person"].birth_name for row in response.context["rows"]]


@pytest.fixture
def people(membership_a, membership_b, orient, structure_a, structure_b):
    """Professional A's caseload: referent of one, intervenant of two, one who left the pathway, one A left."""
    mine = follow(membership_a, "Martin", days_ago=30)
    orient(mine, structure_a, referent=membership_a, notify=False)
    theirs = follow(membership_a, "Bernard", days_ago=5, commune="91377")
    orient(theirs, structure_b, referent=membership_b, notify=False)
    entered = follow(membership_a, "Durand", days_ago=60)
    gone = follow(membership_a, "Zidane", days_ago=90)
    actions.exit_pathway(gone, by=membership_a, reason="moved_away", on=TODAY())
    left = follow(membership_a, "Leroy")
    TeamMember.objects.filter(pathway__person=left).update(ended_at=timezone.now(), end_reason="fin")
    return {"mine": mine, "theirs": theirs, "entered": entered, "gone": gone, "left": left}


class TestTheList:
    def test_the_people_in_my_team_for_the_structure_i_act_for(self, login, professional_a, people):
        response = login(professional_a).get(URL)

        assert names(response) == ["Bernard", "Durand", "Martin"]
        page = text(response)
        assert "BERNARD Alex Massy Accompagné" in page.replace("accompagné", "Accompagné")
        assert f"{(TODAY() - datetime.timedelta(days=5)):%d/%m/%Y}" in page
        assert "DURAND Alex Évry-Courcouronnes entré dans le parcours à désigner" in page

    def test_a_person_who_objects_stays_with_the_organisme_referent_only(
        self, login, professional_a, professional_b, membership_b, people
    ):
        objection_actions.record_objection(
            people["theirs"], by=membership_b, on=TODAY(), channel="interview", comment=""
        )

        assert names(login(professional_a).get(URL)) == ["Durand", "Martin"]
        exported = login(professional_a).get(reverse("pathway:caseload_export", args=["csv"])).content.decode()
        assert "BERNARD" not in exported
        assert "Bernard" in names(login(professional_b).get(URL))

    def test_another_structure_of_mine_has_its_own_caseload(self, login, professional_a, people):
        other = MembershipFactory(user=professional_a, structure=StructureFactory(name="CCAS de Massy"))
        client = login(professional_a)
        client.post(reverse("accounts:switch_structure"), {"membership": str(other.public_id)})

        assert names(client.get(URL)) == []

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"statut": "exited"}, ["Zidane"]),
            ({"statut": "tous"}, ["Bernard", "Durand", "Martin", "Zidane"]),
            ({"statut": "accompanied"}, ["Bernard", "Martin"]),
            ({"referent": "oui"}, ["Martin"]),
            ({"referent": "non"}, ["Bernard", "Durand"]),
            ({"commune": "91377"}, ["Bernard"]),
            ({"commune": "pas-une-commune", "referent": "oui"}, ["Martin"]),  # a wrong filter drops itself only
        ],
    )
    def test_filters(self, login, professional_a, people, filters, expected):
        assert names(login(professional_a).get(URL, filters)) == expected

    def test_the_commune_filter_offers_the_communes_of_my_caseload(self, login, professional_a, people):
        response = login(professional_a).get(URL)

        choices = dict(response.context["form"].fields["commune"].widget.choices)
        assert choices == {"": "toutes", "91228": "Évry-Courcouronnes", "91377": "Massy"}

    def test_a_chosen_commune_stays_offered_when_nobody_else_matches(self, login, professional_a, people):
        response = login(professional_a).get(URL, {"statut": "exited", "commune": "91377"})

        assert names(response) == []
        assert dict(response.context["form"].fields["commune"].widget.choices)["91377"] == "Massy"
        assert '<option value="91377" selected>Massy</option>' in response.content.decode()

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("entered_at", ["Durand", "Martin", "Bernard"]),
            ("-entered_at", ["Bernard", "Martin", "Durand"]),
            ("-person", ["Martin", "Durand", "Bernard"]),
            ("status", ["Bernard", "Martin", "Durand"]),
            ("n'importe-quoi", ["Bernard", "Durand", "Martin"]),
        ],
    )
    def test_sorting(self, login, professional_a, people, sort, expected):
        assert names(login(professional_a).get(URL, {"tri": sort})) == expected

    def test_the_header_links_sort_and_keep_the_filters(self, login, professional_a, people):
        body = login(professional_a).get(URL, {"tri": "entered_at", "referent": "non"}).content.decode()

        assert 'aria-sort="ascending"' in body
        assert "?tri=-entered_at&amp;referent=non" in body

    def test_paginated(self, login, professional_a, membership_a):
        for index in range(30):
            follow(membership_a, f"Personne{index:02d}")

        response = login(professional_a).get(URL, {"page": 2})

        assert len(response.context["rows"]) == 5
        assert "30 personnes." in text(response)

    def test_each_person_shown_is_in_the_access_log(self, login, professional_a, structure_a, people):
        login(professional_a).get(URL)

        logged = AccessLog.objects.filter(user=professional_a, structure=structure_a, detail="mes personnes")
        assert sorted(logged.values_list("object_id", flat=True)) == sorted(
            str(people[key].public_id) for key in ("mine", "theirs", "entered")
        )


def test_the_query_count_does_not_grow_with_the_caseload(login, professional_a, membership_a):
    client = login(professional_a)
    for index in range(5):
        follow(membership_a, f"Petit{index}")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for index in range(40):
        follow(membership_a, f"Grand{index}", commune="91377" if index % 2 else "91228")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)

    assert len(response.context["rows"]) == 25
    assert len(many) == len(few)
    assert len(few) <= 12, "\n".join(query["sql"] for query in few.captured_queries)


class TestColumnsOfOtherApps:
    """An upper app adds its columns: computed by the caseload's query, or loaded once for the rows shown."""

    @pytest.fixture
    def columns(self):
        loads = []

        def load(rows, membership):
            loads.append(len(rows))
            for row in rows:
                row.test_loaded = f"chargé pour {row.birth_name}"

        caseload.register_column(
            "test_annotated",
            label="Référence",
            value=lambda person: person.test_reference,
            annotate=lambda membership: {"test_reference": Concat(Value("REF-"), F("birth_name"))},
            sort=("test_reference",),
            order=60,
        )
        caseload.register_column(
            "test_loaded", label="Alertes ouvertes", value=lambda person: person.test_loaded, load=load, order=70
        )
        yield loads
        caseload.unregister_column("test_annotated")
        caseload.unregister_column("test_loaded")

    def test_they_show_sort_and_export_with_no_query_per_row(self, columns, login, professional_a, people):
        client = login(professional_a)
        client.get(URL)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"tri": "-test_annotated"})

        page = text(response)
        assert response.context["labels"][-2:] == ["Référence", "Alertes ouvertes"]
        assert "REF-Martin chargé pour Martin" in page
        assert names(response) == ["Martin", "Durand", "Bernard"]
        assert columns[-1] == 3  # one load for the rows shown
        assert len(queries) <= 13
        exported = client.get(reverse("pathway:caseload_export", args=["csv"])).content.decode("utf-8-sig")
        assert "REF-Bernard;chargé pour Bernard" in exported


class TestExports:
    def test_csv_opens_in_a_french_spreadsheet(self, login, professional_a, structure_a, people):
        response = login(professional_a).get(reverse("pathway:caseload_export", args=["csv"]), {"referent": "non"})

        assert response["Content-Disposition"] == f'attachment; filename="mes-personnes-{TODAY():%Y-%m-%d}.csv"'
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
        assert rows[0] == ["Personne", "Commune", "État du parcours", "Référent unique", "Entrée"]
        assert [row[0] for row in rows[1:]] == ["BERNARD Alex", "DURAND Alex"]
        assert rows[2][3:] == ["à désigner", f"{TODAY() - datetime.timedelta(days=60):%d/%m/%Y}"]
        exported = AccessLog.objects.filter(action=AccessLog.Action.EXPORT, user=professional_a, structure=structure_a)
        assert sorted(exported.values_list("object_id", flat=True)) == sorted(
            [str(people["theirs"].public_id), str(people["entered"].public_id)]
        )
        assert set(exported.values_list("detail", flat=True)) == {"export de mes personnes (CSV)"}

    def test_xlsx_has_real_dates(self, login, professional_a, people):
        response = login(professional_a).get(reverse("pathway:caseload_export", args=["xlsx"]))

        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Personne", "Commune", "État du parcours", "Référent unique", "Entrée")
        assert rows[1][0] == "BERNARD Alex"
        assert rows[1][4].date() == TODAY() - datetime.timedelta(days=5)
        assert sheet["E2"].number_format == "DD/MM/YYYY"

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_a_cell_that_looks_like_a_formula_stays_text(self, login, professional_a, membership_a, fmt):
        follow(membership_a, '=HYPERLINK("http://exemple.com","Cliquer")')
        follow(membership_a, "+33 Plus")
        follow(membership_a, "@Arobase")

        response = login(professional_a).get(reverse("pathway:caseload_export", args=[fmt]))

        if fmt == "csv":
            cells = [row[0] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")]
        else:
            sheet = load_workbook(io.BytesIO(response.content)).active
            assert all(cell.data_type == "s" for cell in sheet["A"])
            cells = [cell.value for cell in sheet["A"]]
        assert '\'=HYPERLINK("HTTP://EXEMPLE.COM","CLIQUER") Alex' in cells
        assert "'+33 PLUS Alex" in cells
        assert "'@AROBASE Alex" in cells

    def test_an_unknown_format_is_not_found(self, login, professional_a):
        assert login(professional_a).get(reverse("pathway:caseload_export", args=["pdf"])).status_code == 404


def test_an_exited_person_leaves_the_active_caseload_and_comes_back_on_reopening(login, professional_a, membership_a):
    person = follow(membership_a, "Retour")
    client = login(professional_a)
    actions.exit_pathway(person, by=membership_a, reason="training", on=TODAY())
    assert names(client.get(URL)) == []

    actions.reopen_pathway(person, by=membership_a, reason="Formation terminée.")

    assert names(client.get(URL)) == ["Retour"]
    assert Pathway.objects.get(person=person).status == Pathway.Status.ENTERED
