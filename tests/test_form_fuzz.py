"""Every form of the project, filled with what a careless user or an attacker types, never gets a server error.

The pages of the access matrix are opened as each role; every form they hold (and every htmx field that loads
a fragment) is sent back as a browser would send it, with nothing, and with every field at once holding an
empty value, a huge string, a NUL byte, a non-numeric id, an oversized integer, a malformed UUID or date…;
then each field in turn takes each of these values, the others left as the page stands. Each request is rolled
back, so that the next one meets the same data. A 500 fails the test, with what was sent.

Every role sends every form it meets whole (``test_no_form_gives_a_server_error``). Field by field, a form is sent
once (``test_no_field_gives_a_server_error``): by the first role that meets it, signed in and signed out apart — the
same request to the same address with the same fields, which every other role still sends whole; the diagnostic,
built from the referential, by the first role only (the sensitive questions only narrow it). The same request is
never sent twice for a form (a field already empty is not emptied again).

The roles, their world and the forms each role meets are built and crawled once for the module (in each test
process), in a transaction rolled back at the end, as the access matrix does; every request is rolled back too.
"""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from entry import actions as entry_actions
from pathway import contract_actions
from tests.conftest import make_roles, module_data
from tests.people.factories import PersonFactory
from tests.test_access_matrix import MATRIX, ROLES, World

pytestmark = pytest.mark.django_db

# Typed into each field in turn, the others left as the page stands.
FUZZ = {
    "vide": "",
    "très long": "Très long " * 2_000,
    "octet NUL": "abc\x00def",
    "identifiant non numérique": "abc",
    "entier démesuré": "9" * 30,
    "UUID malformé": "00000000-0000-0000-0000-00000000000z",
    "date impossible": "2026-02-30",
}
# Typed into every field at once.
FUZZ_ALL_FIELDS = {
    **FUZZ,
    "espaces": "   ",
    "entier au-delà de 64 bits": str(2**63),
    "entier négatif": "-1",
    "date démesurée": "99999-12-31",
    "date à la française": "31/12/2026",
    "balise": '"><script>alert(1)</script>',
    "plusieurs valeurs": ["1", "abc"],
}
SKIPPED_FIELDS = {"csrfmiddlewaretoken"}
# Forms sent field by field by the first role that meets them only, whatever their fields.
FIELD_BY_FIELD_ONCE = {"entry:diagnostic_edit"}
# The distinct forms sent field by field are shared out between this many tests (the test processes share them).
FIELD_BY_FIELD_SHARES = 6
# Endpoints that no page of the project links to with a form, called by scripts: their parameters.
EXTRA_TARGETS = [("get", "territory:commune_search", ["q"]), ("post", "accounts:extend_session", [])]


@dataclass
class Form:
    method: str
    action: str
    fields: dict = field(default_factory=dict)  # name → the value a browser sends as the page stands

    def key(self):
        return (self.method, self.action, tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    """The forms of a page, as a browser would send them, and the htmx fields that load a fragment."""

    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms = []
        self.current = None
        self.select = None
        self.options = []
        self.textarea = None
        self.textarea_started = False
        self.radios = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        for verb in ("get", "post"):
            if f"hx-{verb}" in attrs and name:
                self.forms.append(Form(verb, self._path(attrs[f"hx-{verb}"]), {name: attrs.get("value", "")}))
        if tag == "form":
            self.current = Form(attrs.get("method", "get").lower(), self._path(attrs.get("action") or ""))
            self.forms.append(self.current)
            self.radios = {}
            return
        if self.current is None:
            return
        fields = self.current.fields
        if tag == "option" and self.select:
            self.options.append(attrs.get("value", ""))
            if "selected" in attrs:
                fields[self.select] = [*(fields[self.select] or []), attrs.get("value", "")]
        elif not name:
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                fields.setdefault(name, [])
                if "checked" in attrs:
                    fields[name].append(attrs.get("value", "on"))
                if kind == "radio":
                    self.radios.setdefault(name, attrs.get("value", "on"))
            elif kind not in {"submit", "button", "reset", "image", "file"}:
                fields[name] = attrs.get("value", "")
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            fields.setdefault(name, attrs.get("value", ""))
        elif tag == "select":
            self.select, self.options = name, []
            fields[name] = None
        elif tag == "textarea":
            self.textarea = name
            fields[name] = ""
            self.textarea_started = False

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            if not self.textarea_started and data.startswith("\n"):
                data = data[1:]  # the newline right after <textarea> is not part of its value
            self.textarea_started = True
            self.current.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            if self.current.fields[self.select] is None:
                # Nothing selected yet: the user picks a real choice rather than « Choisir… ».
                chosen = [value for value in self.options if value] or self.options
                self.current.fields[self.select] = chosen[:1]
            self.select = None
        elif tag == "form":
            for name, first in self.radios.items():
                if not self.current.fields[name]:
                    self.current.fields[name] = [first]  # a radio group nobody chose yet: the user picks one
            self.current = None

    def _path(self, action):
        return urlsplit(urljoin(self.page_url, action)).path


def forms_of(response):
    parser = FormParser(response.request["PATH_INFO"])
    parser.feed(response.content.decode())
    return parser.forms


def fuzz_world(users):
    """The world of the access matrix, and what makes the last forms appear: a person examined by the
    commission (the decisions' form), two records proposed for a merge, a person who can be reached (the
    invitation's form) and a signed contract with no amendment begun (the amendment's form)."""
    world = World(users)
    world.commission.persons.add(world.person)
    world.twins = PersonFactory(followed_by=None), PersonFactory(followed_by=None)
    world.person.phone = "+33612345678"
    world.person.save()
    pro_a = users["professional_a"].memberships.get()
    today = timezone.localdate()
    contract = contract_actions.draft_contract(
        world.uncontracted.pathway, by=pro_a, starts_on=today, review_on=today + datetime.timedelta(days=90)
    )
    objective = contract_actions.add_objective(contract, by=pro_a, label="Reprendre une formation")
    contract_actions.add_action(objective, by=pro_a, label="Rencontrer l'organisme de formation", due_on=today)
    world.in_force = contract_actions.sign_contract(contract, by=pro_a, signed_on=today, agreement_mode="paper")
    # A diagnostic draft of A: its page offers to discard it (the autosave posts the diagnostic's own fields).
    entry_actions.save_diagnostic_draft(world.person, by=pro_a, data={"comments": ["Brouillon en cours"]})
    return world


def pages(world, users):
    """Every page of the access matrix, plus those a role reaches only through a link or an e-mail."""
    urls = [
        reverse(name, kwargs=row.kwargs(world) if row.kwargs else None)
        for name, rows in MATRIX.items()
        for row in rows
        if row.method == "get" and not name.startswith("admin:")
    ]
    user = users["professional_a"]
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    urls.append(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    urls.append(reverse("entry:person_detail", args=[world.oriented.public_id]))
    urls.append(reverse("pathway:contract_detail", kwargs={"contract_id": world.in_force.public_id}))
    # A stalled import offers to resume it (the matrix posts to the resume view directly).
    urls.append(reverse("imports:run_detail", args=[world.stalled_run.public_id]))
    urls.append(reverse("imports:run_progress", args=[world.stalled_run.public_id]))
    first, second = world.twins
    urls.append(f"{reverse('entry:merge')}?dossier_1={first.public_id}&dossier_2={second.public_id}")
    return urls


def client_for(role, users):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(users[role])
    return client


def crawl(client, world, users):
    """The forms this client meets on every page it may open, each once."""
    found = {}
    for url in pages(world, users):
        response = client.get(url, follow=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response):
            if form.action.startswith(reverse("admin:index")):
                continue
            found.setdefault(form.key(), form)
    for method, name, params in EXTRA_TARGETS:
        form = Form(method, reverse(name), dict.fromkeys(params, ""))
        found.setdefault(form.key(), form)
    return list(found.values())


def send(client, form, data):
    """One request, rolled back: the next one meets the same data, the same session, the same login."""
    cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
    with transaction.atomic():
        response = getattr(client, form.method)(form.action, data)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def cleaned(fields):
    return {name: value for name, value in fields.items() if name not in SKIPPED_FIELDS and value is not None}


def fuzz(client, form, field_by_field=True):
    """Every request sent for this form that answered 500: (field, what was typed). Whole, or field by field."""
    baseline = cleaned(form.fields)
    if field_by_field:
        attempts = [
            (name, label, {**baseline, name: value})
            for label, value in FUZZ.items()
            for name in baseline
            if baseline[name] != value
        ]
    else:
        attempts = [("(tel quel)", "", baseline), ("(rien)", "", {})]
        for label, value in FUZZ_ALL_FIELDS.items():
            attempts.append(("(tous les champs)", label, dict.fromkeys(baseline, value)))
    sent, errors = [], []
    for name, label, data in attempts:
        if data in sent:
            continue
        sent.append(data)
        if send(client, form, data).status_code >= 500:
            errors.append((name, label))
    return errors


def _url_name(path):
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


@dataclass
class Crawled:
    users: dict
    world: object
    forms: dict  # role → the forms it meets

    def field_by_field(self):
        """Each form to send field by field, with the first role that meets it (in the order of ``ROLES``)."""
        first = {}
        for role in ROLES:
            for form in self.forms[role]:
                name = _url_name(form.action)
                key = (role == "anonymous", name) if name in FIELD_BY_FIELD_ONCE else (role == "anonymous", form.key())
                first.setdefault(key, (role, form))
        return list(first.values())


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        users = make_roles()
        world = fuzz_world(users)
        forms = {role: crawl(client_for(role, users), world, users) for role in ROLES}
        yield Crawled(users, world, forms)


@pytest.mark.parametrize("role", ROLES)
def test_no_form_gives_a_server_error(role, crawled, db):
    client = client_for(role, crawled.users)

    errors = [
        f"{form.method.upper()} {form.action} {name} = {label}"
        for form in crawled.forms[role]
        for name, label in fuzz(client, form, field_by_field=False)
    ]

    assert not errors, f"Erreurs serveur en tant que {role} :\n" + "\n".join(errors)


@pytest.mark.parametrize("share", range(FIELD_BY_FIELD_SHARES))
def test_no_field_gives_a_server_error(share, crawled, db):
    forms = crawled.field_by_field()[share::FIELD_BY_FIELD_SHARES]
    clients = {role: client_for(role, crawled.users) for role in {role for role, _ in forms}}

    errors = [
        f"{role} : {form.method.upper()} {form.action} {name} = {label}"
        for role, form in forms
        for name, label in fuzz(clients[role], form, field_by_field=True)
    ]

    assert forms
    assert not errors, "Erreurs serveur, champ par champ :\n" + "\n".join(errors)


def _view_name(path):
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def test_every_view_that_only_takes_a_post_has_a_form_on_a_page(crawled, db):
    """The fuzzing above reaches a POST-only view through a form: a new one without a form on any page of the
    matrix (as any role) fails here rather than escaping the fuzzing."""
    targets = {form.action for forms in crawled.forms.values() for form in forms}
    reached = {_view_name(urlsplit(target).path) for target in targets}
    client = client_for("coordinator", crawled.users)
    post_only = {
        name
        for name, rows in MATRIX.items()
        for row in rows
        if not name.startswith("admin:")
        and name not in reached
        and client.get(reverse(name, kwargs=row.kwargs(crawled.world) if row.kwargs else None)).status_code == 405
    }

    assert not post_only, f"Vues POST sans formulaire sur une page de la matrice d'accès : {sorted(post_only)}"
