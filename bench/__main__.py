"""``python -m bench``: prepare the bench database, generate the département if needed, measure, report."""

import argparse
import sys
import time

from bench import database


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Mesures de Relais à l'échelle d'un département, sur PostgreSQL (voir bench/README.md).",
    )
    parser.add_argument(
        "--database-url",
        help=f"base PostgreSQL du banc d'essai (par défaut BENCH_DATABASE_URL, sinon {database.DEFAULT_URL})",
    )
    parser.add_argument("--fresh", action="store_true", help="supprimer la base et tout regénérer")
    step = parser.add_mutually_exclusive_group()
    step.add_argument("--generate-only", action="store_true", help="générer les données sans mesurer")
    step.add_argument("--measure-only", action="store_true", help="mesurer sans générer (les données existent)")
    parser.add_argument(
        "--search",
        action="store_true",
        help="seulement la recherche de personne (page, find(), SQL écrit à la main) et la qualité du rapprochement",
    )
    parser.add_argument(
        "--matching",
        action="store_true",
        help="seulement la qualité du rapprochement sur les paires d'identités étiquetées (et sa vitesse)",
    )
    parser.add_argument(
        "--imports",
        action="store_true",
        help="seulement l'import d'une liste RSA générée (moteur, COPY brut, import naïf), voir --import-rows",
    )
    parser.add_argument("--import-rows", type=int, default=100_000, help="lignes de la liste importée (100 000)")
    parser.add_argument("--naive-rows", type=int, default=2_000, help="lignes de l'import naïf (2 000)")
    parser.add_argument("--iterations", type=int, default=200, help="requêtes mesurées par scénario (200)")
    parser.add_argument(
        "--only",
        choices=["entry", "offer", "carnet", "alerts"],
        help="ne mesurer que l'entrée dans le parcours (entry), l'offre (offer), le suivi (carnet) ou les alertes "
        "(alerts)",
    )
    parser.add_argument(
        "--login-iterations", type=int, help="connexions mesurées (par défaut autant que --iterations)"
    )
    parser.add_argument("--structures", type=int, default=300, help="structures à générer (300)")
    parser.add_argument("--professionals", type=int, default=2_000, help="professionnels à générer (2 000)")
    parser.add_argument("--people", type=int, default=150_000, help="personnes accompagnées à générer (150 000)")
    parser.add_argument("--services", type=int, default=3_000, help="services des structures à générer (3 000)")
    parser.add_argument(
        "--imported-services", type=int, default=15_000, help="services d'un catalogue importé à générer (15 000)"
    )
    parser.add_argument("--referrals", type=int, default=300_000, help="orientations vers des services (300 000)")
    parser.add_argument(
        "--timeline-events", type=int, default=2_000_000, help="événements du fil des carnets à générer (2 000 000)"
    )
    parser.add_argument(
        "--appointments", type=int, default=600_000, help="rendez-vous des carnets à générer (600 000)"
    )
    parser.add_argument("--seed", type=int, default=91, help="graine du hasard, pour des données reproductibles")
    parser.add_argument("--output", help="fichier JSON des résultats (par défaut bench/results/latest.json)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.iterations < 1 or (args.login_iterations is not None and args.login_iterations < 1):
        print("Le nombre d'itérations doit être positif.", file=sys.stderr)
        return 2
    try:
        name = database.prepare(args.database_url, fresh=args.fresh)
    except database.BenchDatabaseError as error:
        print(f"Base du banc d'essai : {error}", file=sys.stderr)
        return 1

    # Django is set up only now, on the bench database.
    from bench import generate, measure

    started = time.perf_counter()
    database.migrate()
    print(f"Base « {name} » migrée en {time.perf_counter() - started:.1f} s.")

    scale = generate.Scale(
        structures=args.structures,
        professionals=args.professionals,
        people=args.people,
        services=args.services,
        imported_services=args.imported_services,
        referrals=args.referrals,
        timeline_events=args.timeline_events,
        appointments=args.appointments,
    )
    if not args.measure_only:
        counts = generate.generate(scale, seed=args.seed)
        for label, values in counts.items():
            print(f"  {label} : " + ", ".join(f"{_number(value)} {key}" for key, value in values.items()))
    if args.generate_only:
        return 0
    if args.matching:
        return _matching(args)
    if args.imports:
        return _imports(args)

    try:
        results = measure.run(
            iterations=args.iterations,
            login_iterations=args.login_iterations,
            seed=args.seed,
            search_only=args.search,
            only=args.only,
        )
    except measure.BenchError as error:
        print(f"Mesure impossible : {error}", file=sys.stderr)
        return 1
    results["scale"] = scale.as_dict()
    path = measure.write(results, args.output)
    print()
    hasher = results["password_hasher"]
    print(
        f"Temps serveur sur {results['database']['server']}, DEBUG désactivé ; plus grande structure : "
        f"{results['actors']['big_structure']} ({results['actors']['big_structure_active_members']} membres actifs) ; "
        f"mots de passe {hasher['algorithm']} ({_number(hasher['iterations'])} itérations)."
    )
    print(measure.table(results))
    if results["entry"]:
        from bench.measure_entry import ranking_lines
        from bench.measure_matching import lines

        entry = results["entry"]
        print(f"\nRapprochement sur {_number(entry['people'])} personnes (recherches avec une faute de frappe) :")
        print("\n".join(ranking_lines(entry)))
        print()
        print("\n".join(lines(results["matching"], _number(entry["people"]))))
    if results.get("offer"):
        from bench.measure_offer import summary_lines

        print("\nOffre :")
        print("\n".join(summary_lines(results["offer"])))
    if results.get("carnet"):
        from bench.measure_carnet import ratio_lines

        carnet = results["carnet"]
        print(
            f"\nSuivi : {_number(carnet['timeline_events'])} événements ; carnet mesuré : "
            f"{carnet['big_carnet_events']} événements ; référent le plus chargé : "
            f"{carnet['referent_people']} personnes dont il est référent, {carnet['caseload']} dans son équipe."
            "\nTemps médian de la page et de sa requête principale :"
        )
        print("\n".join(ratio_lines(carnet)))
    if results.get("alerts"):
        from bench.measure_alerts import lines

        alerts = results["alerts"]
        print(f"\nCalcul quotidien des alertes de rupture sur {_number(alerts['pathways'])} parcours :")
        print("\n".join(lines(alerts)))
    print(f"\nRésultats détaillés : {path}")
    return 0


def _matching(args):
    from bench import measure, measure_matching
    from people.models import Person

    people = Person.objects.filter(merged_into__isnull=True).count()
    if not people:
        print("Aucune personne générée : lancez la génération.", file=sys.stderr)
        return 1
    result = measure_matching.run(seed=args.seed)
    path = measure.write({"people": people, "matching": result}, args.output or measure.RESULTS_DIR / "matching.json")
    print()
    print("\n".join(measure_matching.lines(result, _number(people))))
    print(f"\nRésultats détaillés : {path}")
    return 0


def _imports(args):
    from bench import measure, measure_imports

    result = measure_imports.run(rows=args.import_rows, naive_rows=args.naive_rows, seed=args.seed)
    path = measure.write(result, args.output or measure.RESULTS_DIR / "imports.json")
    print()
    print("\n".join(measure_imports.lines(result)))
    print(f"\nRésultats détaillés : {path}")
    return 0


def _number(value):
    """2 000 rather than 2000 or 2,000."""
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else str(value)


if __name__ == "__main__":
    sys.exit(main())
