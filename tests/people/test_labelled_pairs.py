"""The bench's labelled identity pairs: drawn the same way each time, of every kind the matching must tell apart,
and matched as the target says (here alone in the database; among 150,000 people: ``python -m bench --matching``)."""

import pytest

from bench import measure_matching
from bench.identity_pairs import OTHER, SAME, draw_pairs

pytestmark = pytest.mark.django_db


def test_the_pairs_are_reproducible_and_cover_every_case():
    pairs = draw_pairs(seed=91)

    assert pairs == draw_pairs(seed=91)
    assert pairs != draw_pairs(seed=92)
    assert len(pairs) >= 500
    kinds = {pair.kind.split(" : ")[0] for pair in pairs}
    assert set(SAME) | set(OTHER) <= kinds
    assert sum(pair.kind.startswith("deux variations à la fois") for pair in pairs) == 80
    for pair in pairs:
        typed, on_file = pair.typed, pair.on_file
        as_on_file = (on_file.usage_name or on_file.birth_name, on_file.first_names, on_file.birth_date)
        assert (typed.last_name, typed.first_names, typed.birth_date) != as_on_file


def test_the_labelled_pairs_are_matched_with_the_target_precision_and_recall():
    result = measure_matching.summary(measure_matching.evaluate(draw_pairs(seed=91)))

    assert result["flag"]["precision"] >= 0.98
    assert result["flag"]["recall"] >= 0.98
    assert result["first"]["precision"] >= 0.98
