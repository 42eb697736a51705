"""National benchmark (#20): Trygg on PostgreSQL at the size of the whole country.

290 municipalities (the national list) of realistic sizes — a few large, many small (a
Zipf-like spread: the largest holds ~12 % of the incidents, the median ~0,1 %) —, ten years
of police events (15 000 000 by default) and 2 000 000 partners' reports for the weekly
picture, then the figures a national installation lives by:

* **ingest**: the app's own write path (``incidents.services.write_incidents``: derived
  values, content hash, COPY, the daily summary, coverage, audit) per municipality, against
  the floor measured in the same run — ``COPY`` of the same rows into a bare table without
  indexes;
* the **summary API** (``GET /api/v1/assessment/summary``) p50/p95 for the largest
  municipality, a probe municipality of a fixed size in every run (``--probe``, 120 000:
  the largest one's size in a 1 000 000-incident run — so runs of different sizes show
  whether a municipality's queries depend on the table's size) and a smallish one (20
  filter sets, twice), a region of 26 municipalities
  (Stockholms län: ``GET /api/v1/regions/{id}/summary``) and the whole country (a region
  of all 290);
* the **lägesbild document** of the largest municipality (the last 12 months, partners'
  version with the analysis) and its **weekly picture** PDF;
* the process's **peak memory** (rows are generated and written a chunk at a time).

    python benchmarks/national.py [--municipalities 290] [--incidents 15000000]
                                  [--observations 2000000]

Ends with one line: ``national: N incidents, ingest R rows/s (F× the COPY floor),
municipality p50 A ms p95 B ms, region p50 C ms, country p50 D ms, document E s, peak RSS
M MB``. Prints figures; asserts nothing. Starts its own throwaway PostgreSQL cluster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup

YEARS = 10
PROBE_RANK = 9  # the tenth largest municipality holds --probe incidents in every run
CHUNK = 100_000
CATEGORIES = [
    ("theft", 30),
    ("burglary", 8),
    ("vandalism", 14),
    ("violence", 9),
    ("threats", 5),
    ("drugs", 7),
    ("traffic", 12),
    ("robbery", 2),
    ("fire", 2),
    ("disorder", 5),
    ("weapons", 1),
    ("other", 1),
]


def weights(n: int) -> list[float]:
    raw = [1 / (rank**0.9) for rank in range(1, n + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def ms(seconds: list[float]) -> tuple[float, float]:
    values = sorted(s * 1000 for s in seconds)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return statistics.median(values), p95


def load_municipality(job: tuple[str, int, int]) -> tuple[int, float, float]:
    """One municipality's ten years through the app's write path, in a loader process:
    (rows, seconds writing, of which seconds generating the rows)."""
    import numpy as np
    from shapely.geometry import shape

    from trygg.core import sweden
    from trygg.incidents.importers.base import IncidentRow
    from trygg.incidents.models import Source
    from trygg.incidents.services import write_incidents

    code, n, source_pk = job
    rng = np.random.default_rng(int(code))
    names = [c for c, _w in CATEGORIES]
    p = np.array([w for _c, w in CATEGORIES], dtype=float)
    p /= p.sum()
    from django.utils import timezone

    today = timezone.localdate()
    first_day = dt.date(today.year - YEARS, 1, 1)
    last_day = today - dt.timedelta(days=1)
    days = (last_day - first_day).days + 1
    epoch = dt.datetime(first_day.year, first_day.month, first_day.day, tzinfo=dt.UTC)
    minx, miny, maxx, maxy = shape(sweden.by_code(code).geometry).bounds
    # Incidents cluster: most within a few centres of the municipality.
    centres = np.column_stack([rng.uniform(minx, maxx, 8), rng.uniform(miny, maxy, 8)])
    generating = 0.0

    def rows():
        nonlocal generating
        made = 0
        while made < n:
            t = time.perf_counter()
            k = min(CHUNK, n - made)
            which = rng.integers(0, 8, k)
            lon = np.clip(centres[which, 0] + rng.normal(0, (maxx - minx) / 20, k), minx, maxx)
            lat = np.clip(centres[which, 1] + rng.normal(0, (maxy - miny) / 20, k), miny, maxy)
            seconds = rng.uniform(0, days * 86400, k)
            category = rng.choice(len(names), k, p=p)
            chunk = [
                IncidentRow(
                    made + i, f"{code}-{made + i}", names[c], "Polisen",
                    epoch + dt.timedelta(seconds=s), "exact", "exact", None, la, lo,
                )
                for i, (c, s, la, lo) in enumerate(
                    zip(category.tolist(), seconds.tolist(), np.round(lat, 5).tolist(),
                        np.round(lon, 5).tolist(), strict=True)
                )
            ]  # fmt: skip
            generating += time.perf_counter() - t
            yield from chunk
            made += k

    source = Source.objects.select_related("municipality").get(pk=source_pk)
    started = time.perf_counter()
    write_incidents(source, rows(), covers=(first_day, last_day))
    return n, time.perf_counter() - started, generating


def child(args: argparse.Namespace) -> None:
    _setup.django_setup()
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import connection, connections
    from django.test import Client
    from django.utils import timezone

    from trygg.assessment.document import LagesbildRequest, generate
    from trygg.core import sweden
    from trygg.core.models import Membership, Municipality, Organisation, Role
    from trygg.core.permissions import Principal
    from trygg.core.roles import RegionalRole
    from trygg.core.services.regions import add_person, codes_of_county, create_region
    from trygg.est import defaults as est_defaults
    from trygg.est import report
    from trygg.est.models import Observation, ObservationCategory
    from trygg.est.weeks import Week
    from trygg.incidents.models import Incident, Source
    from trygg.incidents.taxonomy import Category

    rng = np.random.default_rng(20)
    today = timezone.localdate()
    last_day = today - dt.timedelta(days=1)

    # --- 290 municipalities, the country as a region, Stockholms län ---------------------
    started = time.perf_counter()
    known = sweden.municipalities()
    big_first = ["0180", "1480", "1280", "0380", "0580", "1880", "0581", "1980", "0680", "2480"]
    rest = [m.code for m in known if m.code not in big_first]
    rng.shuffle(rest)
    order = (big_first + rest)[: args.municipalities]
    share = weights(len(order))
    country = create_region("Sverige", "other", order)
    county = create_region("Stockholms län", "county", codes_of_county("01"))
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=order)}
    sources = {}
    for code, w in zip(order, share, strict=True):
        m = municipalities[code]
        m.population = max(2_400, round(10_500_000 * w))
        m.save(update_fields=["population"])
        police = Organisation.objects.get_or_create(
            municipality=m, name=f"Polisen {m.name}", defaults={"kind": "police"}
        )[0]
        sources[code] = Source.objects.get_or_create(
            municipality=m,
            slug="polisen",
            defaults={
                "name": "Polisens händelser",
                "kind": "police_feed",
                "owner_organisation": police,
                "default_sensitivity": "public",
            },
        )[0]
    print(
        f"  set-up: {len(order)} municipalities, regions in {time.perf_counter() - started:.0f} s"
    )

    # --- ingest: the app's write path, and the COPY floor ----------------------------------
    valid = {c.value for c in Category}
    missing = [c for c, _w in CATEGORIES if c not in valid]
    assert not missing, f"categories not in the taxonomy: {missing}"
    counts = np.maximum(1, np.round(np.array(share) * args.incidents)).astype(int)
    # The probe: one municipality of a fixed size whatever the country's, to see whether a
    # municipality's queries depend on the table's size (they should not).
    probe = min(PROBE_RANK, len(order) - 1)
    counts[probe] = args.probe
    counts[0] += args.incidents - counts.sum()

    wall = time.perf_counter()
    connections.close_all()  # the loaders are forked: each opens its own connection
    jobs = sorted(
        ((code, int(n), sources[code].pk) for code, n in zip(order, counts, strict=True)),
        key=lambda job: -job[1],
    )
    with multiprocessing.get_context("fork").Pool(args.loaders) as pool:
        done = pool.map(load_municipality, jobs, chunksize=1)
    written = sum(n for n, _w, _g in done)
    app_seconds = sum(w - g for _n, w, g in done)
    with connection.cursor() as cursor:
        t = time.perf_counter()
        # As autovacuum does after a bulk load: statistics, and the visibility map.
        cursor.execute("VACUUM ANALYZE incidents_incident")
        cursor.execute("VACUUM ANALYZE incidents_dailycount")
        vacuum_seconds = time.perf_counter() - t
        app_seconds += vacuum_seconds
    wall = time.perf_counter() - wall
    rate = written / wall
    generating = sum(g for _n, _w, g in done)
    loading = sum(w for _n, w, _g in done)
    print(
        f"  ingest (app, {args.loaders} loaders as {args.loaders} workers would): {written:,} "
        f"incidents in {wall:.0f} s = {rate:,.0f} rows/s (generating the rows included: "
        f"{generating:.0f} s of the loaders' {loading:.0f} s; then VACUUM ANALYZE "
        f"{vacuum_seconds:.0f} s); one loader's write path alone: "
        f"{written / app_seconds:,.0f} rows/s"
    )

    # The floor: the same rows, as stored, COPYed into a bare table without any index.
    table = Incident._meta.db_table
    columns = [f.column for f in Incident._meta.concrete_fields if f.column != "id"]
    column_list = ", ".join(columns)
    floor_seconds = 0.0
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor AS SELECT {column_list} FROM {table} LIMIT 0")  # noqa: S608
        for code in order:
            mid = municipalities[code].pk
            buffer = io.BytesIO()
            with cursor.cursor.copy(
                f"COPY (SELECT {column_list} FROM {table} WHERE municipality_id = {mid}) TO STDOUT"  # noqa: S608
            ) as out:
                for data in out:
                    buffer.write(data)
            buffer.seek(0)
            t = time.perf_counter()
            with cursor.cursor.copy(f"COPY bench_floor ({column_list}) FROM STDIN") as into:
                while block := buffer.read(1 << 20):
                    into.write(block)
            floor_seconds += time.perf_counter() - t
        cursor.execute("DROP TABLE bench_floor")
    floor = written / floor_seconds
    print(
        f"  COPY floor (bare table, same rows): {floor_seconds:.0f} s = {floor:,.0f} rows/s; "
        f"the app takes {floor / rate:.1f}× the floor's time"
    )

    # --- observations (the weekly picture), generated in the database -----------------------
    t = time.perf_counter()
    est_cities = order[: max(1, len(order) // 7)]
    obs_share = np.array(share[: len(est_cities)])
    obs_share /= obs_share.sum()
    obs_counts = np.round(obs_share * args.observations).astype(int)
    obs_total = 0
    with connection.cursor() as cursor:
        for code, n in zip(est_cities, obs_counts, strict=True):
            m = municipalities[code]
            est_defaults.install(m)
            owner = Organisation.objects.get_or_create(
                municipality=m, name=f"Bostadsbolaget {m.name}", defaults={"kind": "housing"}
            )[0]
            category_ids = list(
                ObservationCategory.objects.filter(
                    municipality=m, parent__isnull=False
                ).values_list("pk", flat=True)
            )
            outline = sweden.by_code(code)
            from shapely.geometry import shape

            minx, miny, maxx, maxy = shape(outline.geometry).bounds
            cursor.execute(
                f"""
                INSERT INTO {Observation._meta.db_table}
                  (municipality_id, owner_organisation_id, sensitivity, created_at, updated_at,
                   category_id, lat, lon, address, occurred_at, severity, description, photo,
                   source, client_ref, status, feedback, is_demo)
                SELECT %s, %s, 'partners', now(), now(),
                       (%s::bigint[])[1 + (g %% %s)],
                       %s + random() * %s, %s + random() * %s, '',
                       now() - (random() * interval '3 years'), 1 + (g %% 3), '', '',
                       'upload', '', 'info', '', false
                FROM generate_series(1, %s) AS g
                """,  # noqa: S608 — our table name, values are parameters
                [
                    m.pk, owner.pk, category_ids, len(category_ids),
                    miny, maxy - miny, minx, maxx - minx, int(n),
                ],
            )  # fmt: skip
            obs_total += int(n)
        cursor.execute(f"ANALYZE {Observation._meta.db_table}")
    print(
        f"  observations: {obs_total:,} in {len(est_cities)} municipalities "
        f"in {time.perf_counter() - t:.0f} s"
    )

    # --- the summary API ------------------------------------------------------------------------
    User = get_user_model()

    def coordinator(code: str):
        m = municipalities[code]
        org = Organisation.objects.get_or_create(
            municipality=m, name=f"{m.name} kommun", defaults={"kind": "municipal_department"}
        )[0]
        user = User.objects.get_or_create(username=f"samordnare-{code}")[0]
        membership = Membership.objects.get_or_create(
            user=user, organisation=org, defaults={"role": Role.COORDINATOR}
        )[0]
        return user, membership

    def filter_sets(code: str) -> list[str]:
        area = municipalities[code].areas.first().pk
        out = []
        for span in (29, 89, 364, 3 * 365, 5 * 365):
            start, end = last_day - dt.timedelta(days=span), last_day
            for extra in (
                "",
                "&category=burglary",
                f"&category=theft&area={area}",
                "&category=violence&category=threats&category=weapons",
            ):
                out.append(f"date_from={start}&date_to={end}{extra}")  # fmt: skip
        return out

    def timed(client: Client, url: str) -> float:
        t = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - t
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return elapsed

    results = {}
    smallish = order[min(len(order) - 1, 200)]
    for label, code in (
        ("most populous", order[0]),
        ("probe", order[probe]),
        ("smallish", smallish),
    ):
        user, _m = coordinator(code)
        client = Client()
        client.force_login(user)
        queries = filter_sets(code)
        timed(client, f"/api/v1/assessment/summary?{queries[0]}")  # warm-up
        times = [timed(client, f"/api/v1/assessment/summary?{q}") for q in queries * 2]
        results[label] = ms(times)
        print(
            f"  summary API, {label} ({municipalities[code].name}, {counts[order.index(code)]:,} "
            f"incidents): p50 {results[label][0]:.0f} ms, p95 {results[label][1]:.0f} ms"
        )
    analyst = User.objects.get_or_create(username="regional-analytiker")[0]
    for region in (county, country):
        add_person(region, analyst, RegionalRole.ANALYST)
    client = Client()
    client.force_login(analyst)
    for label, region, repeat in (("region", county, 4), ("country", country, 2)):
        spans = [
            (dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
            (last_day - dt.timedelta(days=364), last_day),
            (last_day - dt.timedelta(days=89), last_day),
            (dt.date(today.year - 3, 1, 1), dt.date(today.year - 1, 12, 31)),
        ]
        url = "/api/v1/regions/{}/summary?date_from={}&date_to={}"
        timed(client, url.format(region.pk, *spans[0]))  # warm-up
        times = [timed(client, url.format(region.pk, *s)) for s in spans * repeat]
        results[label] = ms(times)
        print(
            f"  region summary API, {label} ({region.name}, {region.members.count()} "
            f"municipalities): p50 {results[label][0]:.0f} ms, p95 {results[label][1]:.0f} ms"
        )

    # --- the largest municipality's documents -----------------------------------------------------
    largest = municipalities[order[0]]
    t = time.perf_counter()
    pdf = generate(LagesbildRequest(largest, last_day - dt.timedelta(days=364), last_day))
    document_seconds = time.perf_counter() - t
    print(
        f"  lägesbild document, {largest.name}, last 12 months (partners): "
        f"{document_seconds:.1f} s ({len(pdf) / 1024:.0f} kB)"
    )
    _user, membership = coordinator(order[0])
    principal = Principal(user=membership.user, membership=membership)
    week = Week.of(today).shift(-1)
    t = time.perf_counter()
    weekly = report.render(principal, week)
    print(f"  weekly picture PDF, {largest.name}, {week}: {time.perf_counter() - t:.1f} s "
          f"({len(weekly) / 1024:.0f} kB)")  # fmt: skip

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "WHERE relname IN ('incidents_incident', 'incidents_dailycount', "
            "'est_observation') ORDER BY relname"
        )
        sizes = ", ".join(f"{name} {size / 2**30:.1f} GiB" for name, size in cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM incidents_dailycount")
        daily_rows = cursor.fetchone()[0]
    print(f"  on disk (with indexes): {sizes}; {daily_rows:,} daily summary rows")

    # The largest of this process and its loaders (Linux: kilobytes).
    peak = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        / 1024
    )
    biggest = results["most populous"]
    print(
        f"national: {written:,} incidents, ingest {rate:,.0f} rows/s "
        f"({floor / rate:.1f}× the COPY floor), municipality p50 {biggest[0]:.0f} ms "
        f"p95 {biggest[1]:.0f} ms, region p50 {results['region'][0]:.0f} ms, "
        f"country p50 {results['country'][0]:.0f} ms, document {document_seconds:.1f} s, "
        f"peak RSS {peak:,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--incidents", type=int, default=15_000_000)
    parser.add_argument("--observations", type=int, default=2_000_000)
    parser.add_argument("--loaders", type=int, default=2, help="parallel loading processes")
    parser.add_argument(
        "--probe", type=int, default=120_000, help="incidents of the fixed-size probe municipality"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print(
        f"National benchmark: {args.municipalities} municipalities, {args.incidents:,} "
        f"incidents, {args.observations:,} observations — {_setup.machine()}"
    )
    started = time.perf_counter()
    with _setup.database("postgresql") as url:
        _setup.run_child(
            __file__,
            [
                "--child",
                "--municipalities", str(args.municipalities),
                "--incidents", str(args.incidents),
                "--observations", str(args.observations),
                "--loaders", str(args.loaders),
                "--probe", str(args.probe),
            ],
            url,
        )  # fmt: skip
    print(f"  (whole run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
