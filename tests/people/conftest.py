from tests.entry.conftest import membership_a  # noqa: F401
