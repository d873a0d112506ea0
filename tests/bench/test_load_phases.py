"""The load test's phases, read from the log of every request that the locust file writes."""

from bench.load import _percentile, _phases


def test_percentile_is_the_nearest_rank():
    times = list(range(1, 101))  # 1 … 100 ms
    assert _percentile(times, 0.50) == 50
    assert _percentile(times, 0.95) == 95
    assert _percentile([], 0.95) == 0.0
    assert _percentile([7], 0.95) == 7


def test_phases_tell_sign_ins_arrival_and_steady_state_apart(tmp_path):
    log = tmp_path / "charge-requests.csv"
    started = 1_000.0
    lines = [
        (1_002.0, "connexion (formulaire)", 20, 0),
        (1_004.0, "connexion (envoi)", 900, 0),
        (1_005.0, "accueil", 600, 0),  # queued behind the sign-ins
        (1_020.0, "accueil", 80, 0),
        (1_021.0, "fiche d'une personne", 120, 1),
        (1_030.0, "carnet d'une personne", 100, 0),
    ]
    log.write_text("".join(f"{ended:.3f};{name};{ms:.1f};{failed}\n" for ended, name, ms, failed in lines))

    phases = _phases(log, started=started, arrived_after=10)

    assert phases["tout"]["requests"] == 6
    assert phases["tout"]["failures"] == 1
    assert phases["connexions"]["requests"] == 2
    assert phases["connexions"]["p95_ms"] == 900
    assert phases["pages (hors connexion)"]["requests"] == 4
    assert phases["pages (hors connexion)"]["p95_ms"] == 600
    assert phases["pendant l'arrivée (0 à 10 s)"]["requests"] == 3
    assert phases["une fois tous arrivés"]["requests"] == 3
    assert phases["une fois tous arrivés"]["p95_ms"] == 120
    assert phases["une fois tous arrivés"]["p50_ms"] == 100


def test_no_log_no_requests(tmp_path):
    phases = _phases(tmp_path / "missing.csv", started=0, arrived_after=10)
    assert phases["tout"] == {"requests": 0, "failures": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
