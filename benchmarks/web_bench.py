"""Page response times of the web application on a 200k-person warehouse (list, person, download), and a check
that staff never read a raw code on it.

    python benchmarks/web_bench.py [--people 200000] [--seed 42] [--work /tmp/satupekerja_web_bench]
                                   [--warehouse DIR] [--repeats 20] [--build-only] [--profile FILE]

The warehouse is the real thing: the project's generator (``sample_data.generate``) and the whole nightly job,
built by ``benchmarks/pipeline_bench.py`` (``--data-dir <work>/inbox --keep-run <work>``) into
``<work>/people_<N>_seed_<S>/warehouse`` on the first run and reused by every later run (a 200k build takes
about six minutes on two busy cores; keep ``--work`` outside the repository). ``--warehouse`` names any other
published warehouse instead.

Then it starts the application on 127.0.0.1 in a thread (a fresh application database under ``<work>``),
signs in over HTTP (through the login form) as **area staff** of the kecamatan with the most uncovered workers
and as **branch staff** (whole city), and times, with a real HTTP client, for each of the two:

- start-up: reading and indexing the snapshot (``Snapshot.warm``, as ``make serve`` does before it listens),
- the first page of each kind after start-up,
- ``/daftar``: first page, a kelurahan + vulnerable filter, the tier filter, a deep page,
- ``/orang/<id>`` for random workers of the area (different workers each request),
- ``/daftar/unduh`` of the whole kecamatan as .xlsx and .csv.

Prints median and 95th percentile per request against the targets of issue 13 (list and person pages under
300 ms, a kecamatan download under 3 s), the process's peak memory, and the load average before and after.
``--profile FILE`` writes a cProfile of the timed requests (server side included: it runs in this process).

Then the **label check**: pages of every kind (Daftar with each sector and tier, Orang for workers of every
sector, coverage status, reason and employment type, Ringkasan, Tindak lanjut) and the CSV download are
scanned for raw codes of the published tables (``ojol``, ``lapsed_arrears``, ``informal`` …), spelled-out
codes and ``unresolved``; each leak is printed with the page and the cell, and the script exits 1.
"""

from __future__ import annotations

import argparse
import cProfile
import http.cookiejar
import io
import logging
import os
import random
import re
import resource
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's code first (the one measured)

import pandas as pd

from satupekerja.settings import REPO_ROOT

PASSWORD = "benchmark-sandi-123"
DEFAULT_WORK = Path("/tmp/satupekerja_web_bench")


def ensure_warehouse(people: int, seed: int, work: Path) -> Path:
    """``<work>/people_<N>_seed_<S>/warehouse``, built by the generator and the whole nightly job unless there."""
    root = work / f"people_{people}_seed_{seed}" / "warehouse"
    if (root / "_manifest.json").exists():
        return root
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    import pipeline_bench

    print(f"Building the {people:,}-person warehouse in {root} (generator + the whole nightly job) ...", flush=True)
    status = pipeline_bench.main(
        [
            "--people",
            str(people),
            "--seed",
            str(seed),
            "--no-outputs",
            "--data-dir",
            str(work / "inbox"),
            "--keep-run",
            str(work),
        ]
    )
    if status != 0 or not (root / "_manifest.json").exists():
        raise SystemExit(f"the nightly job did not publish a warehouse in {root}")
    return root


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


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(name: str, times: list[float], target: float | None) -> None:
    high = p95(times)
    verdict = "" if target is None else f"  (target < {target * 1000:.0f} ms: {'met' if high < target else 'NOT met'})"
    print(
        f"{name:<58} n={len(times):>3}  median {statistics.median(times) * 1000:8.1f} ms"
        f"   p95 {high * 1000:8.1f} ms{verdict}",
        flush=True,
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def time_pages(who: str, browser: Browser, uncovered: pd.DataFrame, kecamatan: str, repeats: int, seed: int) -> None:
    in_area = uncovered[uncovered["kecamatan_code"].eq(kecamatan)]
    kelurahan = in_area["kelurahan_code"].value_counts().index[0]
    area_filter = "" if who == "area staff" else f"kecamatan={kecamatan}&"
    report(f"first /daftar after start, {who}", timed(browser, "/daftar", 1), None)
    report(f"/daftar, {who}, page 1", timed(browser, "/daftar", repeats), 0.3)
    report(
        f"/daftar, {who}, kelurahan + rentan filter",
        timed(browser, f"/daftar?{area_filter}kelurahan={kelurahan}&rentan=ya", repeats),
        0.3,
    )
    report(f"/daftar, {who}, tier filter (kemungkinan)", timed(browser, "/daftar?tingkat=kemungkinan", repeats), 0.3)
    visible = in_area if who == "area staff" else uncovered
    deep = max(1, len(visible) // 50 // 2)
    report(f"/daftar, {who}, page {deep:,}", timed(browser, f"/daftar?halaman={deep}", repeats), 0.3)
    people = random.Random(seed).sample(list(in_area["worker_id"]), min(repeats + 1, len(in_area)))
    report(f"first /orang after start, {who}", [browser.get(f"/orang/{people[0]}")[2]], None)
    person_times = []
    for worker in people[1:]:
        status, _body, seconds = browser.get(f"/orang/{worker}")
        assert status == 200, (worker, status)
        person_times.append(seconds)
    report(f"/orang/<id>, {who}, random workers of the area", person_times, 0.3)
    downloads = max(3, repeats // 4)
    for fmt in ("xlsx", "csv"):
        report(
            f"/daftar/unduh {fmt}, {who}, whole kecamatan ({len(in_area):,} rows)",
            timed(browser, f"/daftar/unduh?format={fmt}&{area_filter}", downloads),
            3.0,
        )


def profile_pages(app, uncovered: pd.DataFrame, kecamatan: str, folder: Path) -> None:
    """cProfile of each kind of request, served in this thread by Flask's test client as area staff (the timed
    requests above run in the server's threads, out of a profiler's sight). ``<folder>/<page>.prof`` + top 15."""
    import pstats

    folder.mkdir(parents=True, exist_ok=True)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").get_data(as_text=True)).group(1)
    client.post("/masuk", data={"username": "area", "password": PASSWORD, "csrf_token": token})
    workers = list(uncovered.loc[uncovered["kecamatan_code"].eq(kecamatan), "worker_id"].sample(10, random_state=3))
    kinds = {
        "daftar": ["/daftar", "/daftar?tingkat=pasti", "/daftar?halaman=20"] * 3,
        "orang": [f"/orang/{worker}" for worker in workers],
        "unduh_xlsx": ["/daftar/unduh?format=xlsx"] * 2,
    }
    for name, paths in kinds.items():
        profile = cProfile.Profile()
        profile.enable()
        for path in paths:
            assert client.get(path).status_code == 200, path
        profile.disable()
        profile.dump_stats(folder / f"{name}.prof")
        print(f"\n-- profile of {len(paths)} requests of {name} (cumulative, top 15) --")
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(15)


# -- the label check ------------------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The text of every cell, option, heading and list item of a page (what staff read), one string each."""

    CELLS: ClassVar[set[str]] = {
        "td",
        "th",
        "option",
        "li",
        "dd",
        "h1",
        "h2",
        "h3",
        "p",
        "strong",
        "small",
        "div",
        "a",
        "span",
    }

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._stack: list[list[str]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        if tag in self.CELLS:
            self._stack.append([])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip = max(0, self._skip - 1)
        if tag in self.CELLS and self._stack:
            text = " ".join("".join(self._stack.pop()).split())
            if text:
                self.cells.append(text)

    def handle_data(self, data):
        if not self._skip and self._stack:
            self._stack[-1].append(data)  # the innermost element's own text


def raw_codes(unified: pd.DataFrame) -> set[str]:
    """Every code value staff must never read as such: the coded columns of the published tables."""
    coded = (
        "sector",
        "bpjs_tk_status",
        "uncovered_reason",
        "employment_type",
        "employment_status",
        "jkn_segment",
        "outreach_tier",
        "vulnerable_reason",
        "tk_segment",
        "tk_status",
        "jkn_status",
        "sex",
    )
    codes = {"unresolved", "nan", "None", "<NA>", "NaT"}
    for column in coded:
        if column in unified:
            for value in unified[column].dropna().astype(str).unique():
                codes.update(part for part in value.split(",") if len(part) > 1 or column != "sex")
    return {code for code in codes if code}


def vocabulary_labels() -> set[str]:
    """Every label of ``satupekerja.web.vocabulary``: a cell equal to one of them is a label, not a code."""
    from satupekerja.web import vocabulary

    labels: set[str] = set()
    for value in vars(vocabulary).values():
        if isinstance(value, dict):
            for text in value.values():
                labels.add(text[0] if isinstance(text, tuple) else str(text))
    return labels


_RECORD_ID = re.compile(r"^[a-z_]+:\S*\d\S*$")  # dukcapil:1005191, umkm:UMKM-013873: ids, shown as ids


def leaks(cells: list[str], codes: set[str], labels: set[str]) -> list[str]:
    """Cells (or their ``; ``/``: ``/`` / ``-separated parts) that are a raw code or a code spelled out by
    capitalising it (``Lapsed arrears``) and no vocabulary label, or that say unresolved."""
    spelled = {code.replace("_", " ").capitalize() for code in codes} - labels
    found = []
    for cell in cells:
        if _RECORD_ID.match(cell):
            continue
        parts = {cell, *(part.strip() for part in re.split(r"; |: | / ", cell))}
        if "unresolved" in cell.casefold() or any(part in codes or part in spelled for part in parts if part):
            found.append(cell)
    return found


def label_check(area: Browser, branch: Browser, unified: pd.DataFrame, uncovered: pd.DataFrame, kecamatan: str):
    """Pages of every kind on the real-sized data, scanned for raw codes. Returns the leaks found."""
    labels = vocabulary_labels()
    codes = raw_codes(unified) - labels  # a code written exactly as its own label is no leak
    pages: list[tuple[Browser, str]] = [(branch, "/daftar"), (area, "/daftar"), (branch, "/ringkasan")]
    pages += [(area, "/ringkasan"), (branch, "/tindak-lanjut")]
    for sector in uncovered["sector"].dropna().unique():
        pages.append((branch, f"/daftar?sektor={urllib.parse.quote(str(sector))}"))
    for tier in uncovered["outreach_tier"].dropna().unique():
        pages.append((branch, f"/daftar?tingkat={tier}"))
    chosen = set()
    rng = random.Random(1)
    for column in ("sector", "bpjs_tk_status", "uncovered_reason", "employment_type", "jkn_segment", "tk_status"):
        if column not in unified:
            continue
        for _value, group in unified.groupby(column, dropna=False):
            chosen.update(rng.sample(list(group["worker_id"]), min(3, len(group))))
    chosen.update(rng.sample(list(unified.loc[unified["record_count"].gt(2), "worker_id"]), 20))
    pages += [(branch, f"/orang/{worker}") for worker in sorted(chosen)]
    found: dict[str, list[str]] = {}
    for browser, path in pages:
        status, body, _seconds = browser.get(path)
        assert status == 200, (path, status)
        parser = _Cells()
        parser.feed(body.decode("utf-8"))
        bad = leaks(parser.cells, codes, labels)
        if bad:
            found[path] = sorted(set(bad))
    for browser, path in ((branch, "/daftar/unduh?format=csv"), (area, "/daftar/unduh?format=csv")):
        status, body, _seconds = browser.get(path)
        table = pd.read_csv(io.BytesIO(body), encoding="utf-8-sig", dtype="str")
        shown = ("Sektor", "Status BPJS TK", "Tingkat", "Rentan", "Kelurahan", "Kecamatan")
        cells = [str(value) for column in shown for value in table[column].dropna().unique()]
        bad = leaks(cells, codes, labels)
        if bad:
            found[path] = sorted(set(bad))
    print(f"label check: {len(pages) + 2} pages and downloads scanned for {len(codes)} raw codes", flush=True)
    for path, cells in found.items():
        print(f"  RAW CODE on {path}: {[cell[:100] for cell in cells[:8]]}{' …' if len(cells) > 8 else ''}")
    if not found:
        print("  no raw code, no spelled-out code, no 'unresolved' on any page")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where the warehouse is built and kept")
    parser.add_argument("--warehouse", type=Path, default=None, help="an already published warehouse to use")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--build-only", action="store_true", help="build (or keep) the warehouse, time nothing")
    parser.add_argument("--no-label-check", action="store_true")
    parser.add_argument("--labels-only", action="store_true", help="only the label check, no timings")
    parser.add_argument("--profile", type=Path, default=None, help="a folder: cProfile each kind of page into it")
    args = parser.parse_args()

    print(f"load average before: {load()}", flush=True)
    root = args.warehouse or ensure_warehouse(args.people, args.seed, args.work)
    if args.build_only:
        return 0

    from sqlalchemy.orm import Session
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from satupekerja.publishing import tables
    from satupekerja.publishing.warehouse import RESTRICTED, Warehouse
    from satupekerja.web.app import create_account, create_app
    from satupekerja.web.data import Regions

    warehouse = Warehouse(root)
    uncovered = warehouse.read(tables.UNCOVERED_INFORMAL_WORKERS, None, RESTRICTED)
    unified = warehouse.read(tables.UNIFIED_WORKERS, None, RESTRICTED)
    kecamatan = uncovered["kecamatan_code"].value_counts().index[0]
    state = (args.work if args.warehouse is None else root.parent) / "web_state"
    state.mkdir(parents=True, exist_ok=True)
    (state / "web.sqlite").unlink(missing_ok=True)
    app = create_app(
        database_url=f"sqlite:///{state / 'web.sqlite'}",
        warehouse_dir=root,
        audit_log=state / "audit.jsonl",
        secret_key="bench",
    )
    started = time.perf_counter()
    app.extensions["sp_data"].latest().warm()  # as `make serve` does before it takes requests
    print(f"start-up: snapshot read and indexed in {time.perf_counter() - started:.1f} s", flush=True)
    with Session(app.extensions["sp_engine"]) as session:
        create_account(session, "area", PASSWORD, "wilayah", [kecamatan])
        create_account(session, "branch", PASSWORD, "cabang", [])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    in_area = uncovered["kecamatan_code"].eq(kecamatan).sum()
    print(
        f"warehouse {root}: {len(unified):,} workers, {len(uncovered):,} uncovered informal; "
        f"area staff of {Regions().name(kecamatan)} ({in_area:,} uncovered)",
        flush=True,
    )
    area, branch = Browser(base), Browser(base)
    area.login("area")
    branch.login("branch")
    if not args.labels_only:
        time_pages("area staff", area, uncovered, kecamatan, args.repeats, args.seed)
        time_pages("branch staff", branch, uncovered, kecamatan, args.repeats, args.seed + 1)
    if args.profile:
        profile_pages(app, uncovered, kecamatan, args.profile)
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    print(f"load average after the timings: {load()}", flush=True)
    found = {} if args.no_label_check else label_check(area, branch, unified, uncovered, kecamatan)
    server.shutdown()
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
