"""Generation of département-scale data: one module per app, run in dependency order.

Each step module exposes ``LABEL``, ``is_generated(scale)``, ``generate(rng, scale)`` and ``counts(scale)``.
A step whose data is already there is skipped, so a second run changes nothing; ``--fresh`` starts again
from an empty database. To bench a new concept (the people of ``entry``, say), add a module here and
append it to ``STEPS`` after the steps it stands on.
"""

import random
import time
from dataclasses import asdict, dataclass

from bench.generate import accounts, appointments, notes, offer, people, territory, timeline

STEPS = (territory, accounts, people, offer, timeline, notes, appointments)


@dataclass(frozen=True)
class Scale:
    """How big the generated département is. The defaults are those of a département such as Essonne."""

    departement: str = "91"
    structures: int = 300
    professionals: int = 2_000
    people: int = 150_000
    services: int = 3_000
    imported_services: int = 15_000
    referrals: int = 300_000
    timeline_events: int = 2_000_000
    appointments: int = 600_000

    def as_dict(self):
        return asdict(self)


def generate(scale, *, seed=91, report=print):
    """Run every step that has not run yet. Returns the counts of every step, by label."""
    summary = {}
    for step in STEPS:
        if step.is_generated(scale):
            report(f"{step.LABEL} : déjà en base, rien à générer.")
        else:
            started = time.perf_counter()
            # One generator per step: a step gives the same data whether the others ran in this run or before.
            step.generate(random.Random(f"{seed}:{step.__name__}"), scale)
            report(f"{step.LABEL} : généré en {time.perf_counter() - started:.1f} s.")
        summary[step.LABEL] = step.counts(scale)
    return summary
