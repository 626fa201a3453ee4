"""Page response times of the web application on a 200k-person warehouse (list, person, download).

    python benchmarks/web_bench.py [--persons 200000] [--seed 7] [--repeats 20] [--build-only]

Generates the sample (``sample_data.generate``), reads and standardises every source with the data contracts,
links, assigns worker ids, unifies and publishes one snapshot, exactly as the web tests' fixture does at small
scale (Great Expectations validation is skipped: it does not change the published tables). The warehouse is
kept under ``benchmarks/out/web_bench_<persons>_<seed>/`` and reused by later runs. Then it starts the
application on 127.0.0.1 in a thread, signs in over HTTP as area staff of the kecamatan with the most uncovered
workers and as branch staff, and times, with a real HTTP client:

- the first page after start-up (reads the snapshot's tables: a one-off per published snapshot),
- ``/daftar`` (first page, a filtered page, a deep page), as area staff and as branch staff (whole city),
- ``/orang/<id>`` for random workers of the area,
- ``/daftar/unduh`` of the whole kecamatan as .xlsx and .csv.

Prints median and 95th percentile per request, the process's peak memory, and the machine's load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import logging
import os
import random
import re
import resource
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402

AS_OF = dt.date(2026, 11, 1)
PASSWORD = "benchmark-sandi-123"


def build_warehouse(persons: int, seed: int, root: Path) -> None:
    import data_contracts
    from matching import link_records
    from matching.normalize import RegionResolver
    from matching.stable_ids import assign_worker_ids
    from sample_data.generate import generate
    from satupekerja.privacy.pseudonyms import DEMO_KEY, to_analytics_tier
    from satupekerja.publishing import tables
    from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, Warehouse
    from satupekerja.registry.coverage import coverage_by_area, uncovered_informal_workers
    from satupekerja.registry.unify import build_unified_workers

    started = time.perf_counter()
    data_dir = root.parent / (root.name + "_sources")
    generate(persons, seed, data_dir, AS_OF)
    print(f"  generated {persons:,} persons in {time.perf_counter() - started:.0f} s", flush=True)
    resolver = RegionResolver(data_contracts.load_region_reference())
    frames = []
    for source, contract in data_contracts.load_contracts().items():
        raw = data_contracts.read_source(contract, data_dir)
        report = data_contracts.ValidationReport(source=source)
        frames.append(data_contracts.standardise(contract, raw, report, AS_OF, resolver).records)
    records = pd.concat(frames, ignore_index=True)
    print(f"  standardised {len(records):,} source records at {time.perf_counter() - started:.0f} s", flush=True)
    result = link_records(records)
    ids, _history = assign_worker_ids(result.links.rename(columns={"cluster_id": "cluster"}), None, None, AS_OF)
    links = ids.merge(result.links[["record_id", "confidence"]], on="record_id")
    unified = build_unified_workers(records, links, AS_OF).assign(snapshot_date=pd.Timestamp(AS_OF))
    uncovered = uncovered_informal_workers(unified)
    warehouse = Warehouse(root)
    staged = warehouse.stage(AS_OF, "web-bench")
    staged.write(tables.UNIFIED_WORKERS, unified, RESTRICTED)
    staged.write(tables.UNCOVERED_INFORMAL_WORKERS, uncovered, RESTRICTED)
    staged.write(tables.WORKER_LINKS, links, RESTRICTED)
    staged.write(tables.PERSON_RECORDS, records, RESTRICTED)
    staged.write(tables.SCORED_PAIRS, result.scored_pairs, RESTRICTED)
    coverage = coverage_by_area(unified, data_contracts.load_region_reference())
    staged.write(tables.COVERAGE_BY_AREA, coverage, ANALYTICS)
    staged.write(
        tables.UNCOVERED_INFORMAL_WORKERS,
        to_analytics_tier(tables.UNCOVERED_INFORMAL_WORKERS, uncovered, DEMO_KEY, AS_OF),
        ANALYTICS,
    )
    warehouse.publish(staged)
    print(
        f"  published {len(unified):,} workers ({len(uncovered):,} uncovered informal) at {time.perf_counter() - started:.0f} s",
        flush=True,
    )


class Browser:
    """A cookie-keeping HTTP client that signs in through the login form (CSRF token included)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=300) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            body, status = error.read(), error.code
        return status, body, time.perf_counter() - started

    def login(self, username: str) -> None:
        _status, body, _t = self.get("/masuk")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode()
        with self.opener.open(self.base + "/masuk", data=data, timeout=60) as response:
            assert "/masuk" not in response.url, "login failed"


def timed(browser: Browser, path: str, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        status, _body, seconds = browser.get(path)
        assert status == 200, (path, status)
        times.append(seconds)
    return times


def report(name: str, times: list[float], target: float | None) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    verdict = "" if target is None else (f"  (target < {target * 1000:.0f} ms: {'met' if p95 < target else 'NOT met'})")
    print(
        f"{name:<48} n={len(times):>3}  median {statistics.median(times) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms{verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--build-only", action="store_true", help="build (or keep) the warehouse, time nothing")
    args = parser.parse_args()

    root = REPO / "benchmarks" / "out" / f"web_bench_{args.persons}_{args.seed}"
    print(
        f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on {os.cpu_count()} cores"
    )
    if not (root / "_manifest.json").exists():
        print(f"Building the {args.persons:,}-person warehouse in {root} ...", flush=True)
        build_warehouse(args.persons, args.seed, root)
    if args.build_only:
        return

    from sqlalchemy.orm import Session
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from satupekerja.publishing.tables import UNCOVERED_INFORMAL_WORKERS
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse
    from satupekerja.web.app import create_account, create_app
    from satupekerja.web.data import Regions

    uncovered = Warehouse(root).read(UNCOVERED_INFORMAL_WORKERS, None, RESTRICTED)
    kecamatan = uncovered["kecamatan_code"].value_counts().index[0]
    regions = Regions()
    state = root.parent / (root.name + "_web")
    state.mkdir(exist_ok=True)
    (state / "web.sqlite").unlink(missing_ok=True)
    app = create_app(
        database_url=f"sqlite:///{state / 'web.sqlite'}",
        warehouse_dir=root,
        audit_log=state / "audit.jsonl",
        secret_key="bench",
    )
    with Session(app.extensions["sp_engine"]) as session:
        create_account(session, "area", PASSWORD, "wilayah", [kecamatan])
        create_account(session, "branch", PASSWORD, "cabang", [])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    in_area = uncovered[uncovered["kecamatan_code"].eq(kecamatan)]
    print(
        f"warehouse: {len(Warehouse(root).read('unified_workers', None, RESTRICTED)):,} workers, {len(uncovered):,} uncovered informal; "
        f"area staff of {regions.name(kecamatan)} ({len(in_area):,} uncovered)"
    )

    area, branch = Browser(base), Browser(base)
    area.login("area")
    branch.login("branch")
    report("first /daftar after start (reads the snapshot)", timed(area, "/daftar", 1), None)
    report("/daftar, area staff, page 1", timed(area, "/daftar", args.repeats), 0.3)
    kelurahan = in_area["kelurahan_code"].value_counts().index[0]
    report(
        "/daftar, area staff, kelurahan + rentan filter",
        timed(area, f"/daftar?kelurahan={kelurahan}&rentan=ya", args.repeats),
        0.3,
    )
    deep = max(1, len(in_area) // 50 // 2)
    report(f"/daftar, area staff, page {deep}", timed(area, f"/daftar?halaman={deep}", args.repeats), 0.3)
    report("/daftar, branch staff (whole city), page 1", timed(branch, "/daftar", args.repeats), 0.3)
    random.seed(args.seed)
    people = random.sample(list(in_area["worker_id"]), min(args.repeats, len(in_area)))
    report("first /orang after start (indexes pairs)", [area.get(f"/orang/{people[0]}")[2]], None)
    person_times = []
    for worker in people:
        status, _body, seconds = area.get(f"/orang/{worker}")
        assert status == 200
        person_times.append(seconds)
    report("/orang/<id>, random workers of the area", person_times, 0.3)
    report(
        f"/daftar/unduh xlsx, whole kecamatan ({len(in_area):,} rows)", timed(area, "/daftar/unduh?format=xlsx", 5), 3.0
    )
    report(
        f"/daftar/unduh csv, whole kecamatan ({len(in_area):,} rows)", timed(area, "/daftar/unduh?format=csv", 5), 3.0
    )
    print(
        f"peak RSS of the process (warehouse build included if it ran): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    server.shutdown()


if __name__ == "__main__":
    main()
