from tests.entry.conftest import followed, manager, membership_a, membership_b, orient, propose  # noqa: F401
