import contextlib

import factory
import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import transaction
from pytest_django.plugin import blocking_manager_key

from tests.factories import PASSWORD, MembershipFactory, StructureFactory


def _factories(base=factory.django.DjangoModelFactory):
    for subclass in base.__subclasses__():
        yield subclass
        yield from _factories(subclass)


@pytest.fixture(autouse=True)
def fixed_sequences():
    """Every factory's sequence starts at 0 in every test: the names, emails and SIRETs a test gets do not depend
    on the tests that ran before it in the same process (the order is shuffled, the tests shared out)."""
    for factory_class in _factories():
        # A subclass sharing its parent's sequence refuses: it is reset with the parent.
        with contextlib.suppress(ValueError):
            factory_class.reset_sequence()


@pytest.fixture(autouse=True)
def empty_caches():
    """Every cache starts empty in every test: a counter or a throttle kept in a cache by one test (wrong
    passwords, requests per address) never reaches the next one in the same process. A cache in the database is
    emptied with it, at the end of each test."""
    for cache in caches.all():
        if not isinstance(cache, DatabaseCache):
            cache.clear()


def ensure_territory():
    """The Essonne territory, loaded when missing."""
    from territory.models import Commune

    if not Commune.objects.filter(departement_id="91").exists():
        call_command("load_territory", departements=["91"], verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the Essonne territory, as a deployment does."""
    with django_db_blocker.unblock():
        ensure_territory()


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends, the territory included: it is loaded again at once,
    whatever test comes next (the order is shuffled), so no test depends on the one before it."""
    result = yield
    # After the last test, the test database itself is gone.
    if nextitem is not None and _transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            ensure_territory()
    return result


@pytest.fixture
def password():
    return PASSWORD


def make_structure_a():
    return StructureFactory(name="France Travail Évry-Courcouronnes", france_travail=True)


def make_structure_b():
    return StructureFactory(name="Mission locale Nord Essonne")


def make_departement():
    return StructureFactory(name="Département de l'Essonne", departement=True)


def make_professional_a(structure_a):
    return MembershipFactory(structure=structure_a, user__email="pro.a@exemple.fr").user


def make_professional_b(structure_b):
    return MembershipFactory(structure=structure_b, user__email="pro.b@exemple.fr").user


def make_structure_admin_a(structure_a):
    return MembershipFactory(structure=structure_a, admin=True, user__email="admin.a@exemple.fr").user


def make_orientation_manager(departement):
    return MembershipFactory(structure=departement, orientation_manager=True, user__email="orient@exemple.fr").user


def make_coordinator(departement):
    return MembershipFactory(structure=departement, coordinator=True, admin=True, user__email="coord@exemple.fr").user


def make_roles():
    """The five signed-in roles of the fixtures below, with their structures, made at once (for data shared by a
    whole module: the access matrix's world)."""
    structure_a, structure_b, departement = make_structure_a(), make_structure_b(), make_departement()
    return {
        "professional_a": make_professional_a(structure_a),
        "professional_b": make_professional_b(structure_b),
        "structure_admin_a": make_structure_admin_a(structure_a),
        "orientation_manager": make_orientation_manager(departement),
        "coordinator": make_coordinator(departement),
    }


@contextlib.contextmanager
def module_data(django_db_blocker):
    """Data built once for a whole module (in each test process), in a transaction rolled back at the end: each test
    runs in a savepoint inside it (the ``db`` fixture's own atomic block nests), so that what a test changes is
    undone before the next one, as when each test built its own."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The roles and the access matrix's world, built once for the module's cases rather than for each of them,
    where building them took most of the time (``module_data``)."""
    from tests.test_access_matrix import World

    with module_data(django_db_blocker):
        users = make_roles()
        yield users, World(users)


@pytest.fixture
def structure_a(db):
    return make_structure_a()


@pytest.fixture
def structure_b(db):
    return make_structure_b()


@pytest.fixture
def departement(db):
    return make_departement()


@pytest.fixture
def professional_a(structure_a):
    return make_professional_a(structure_a)


@pytest.fixture
def professional_b(structure_b):
    return make_professional_b(structure_b)


@pytest.fixture
def structure_admin_a(structure_a):
    return make_structure_admin_a(structure_a)


@pytest.fixture
def orientation_manager(departement):
    return make_orientation_manager(departement)


@pytest.fixture
def coordinator(departement):
    return make_coordinator(departement)


@pytest.fixture
def login(client):
    """Log a user in the test client (the second factor, when required, is tested on its own)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
