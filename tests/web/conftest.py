"""A small published warehouse (generated once per session), a running web server and headless Chromium.

The browser is Debian's ``/usr/bin/chromium`` (``.ci/run`` installs it when missing), driven by Playwright for
Python; nothing is downloaded at run time. Screenshots of every page go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import data_contracts
from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym, to_analytics_tier
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, Warehouse
from satupekerja.registry.coverage import ACTIVE, coverage_by_area, uncovered_informal_workers
from satupekerja.registry.review_queue import review_queue_table
from tests.generated_registry import build_generated_registry

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
AS_OF = dt.date(2026, 11, 1)
SAWANGAN, BEJI = "32.76.03", "32.76.06"


@dataclass
class Published:
    root: Path
    unified: pd.DataFrame
    person_records: pd.DataFrame
    worker_links: pd.DataFrame
    review_queue: pd.DataFrame | None = None


def publish(
    warehouse: Warehouse,
    snapshot: dt.date,
    unified: pd.DataFrame,
    person_records: pd.DataFrame,
    links: pd.DataFrame,
    scored_pairs: pd.DataFrame | None = None,
    review_queue: pd.DataFrame | None = None,
    restricted_tables: dict[str, pd.DataFrame] | None = None,
) -> None:
    """Stage and publish one snapshot the way the nightly ``publish_snapshot`` does (the tables the app reads;
    ``restricted_tables``: more tables of the restricted tier, by name)."""
    unified = unified.assign(snapshot_date=pd.Timestamp(snapshot))
    uncovered = uncovered_informal_workers(unified)
    staged = warehouse.stage(snapshot, "test")
    staged.write("unified_workers", unified, RESTRICTED)
    staged.write("uncovered_informal_workers", uncovered, RESTRICTED)
    staged.write("worker_links", links, RESTRICTED)
    staged.write("person_records", person_records, RESTRICTED)
    if scored_pairs is not None:
        staged.write("scored_pairs", scored_pairs, RESTRICTED)
    if review_queue is not None:
        staged.write("match_review_queue", review_queue, RESTRICTED)
    for name, table in (restricted_tables or {}).items():
        staged.write(name, table, RESTRICTED)
    staged.write("coverage_by_area", coverage_by_area(unified, data_contracts.load_region_reference()), ANALYTICS)
    staged.write(
        "uncovered_informal_workers",
        to_analytics_tier("uncovered_informal_workers", uncovered, DEMO_KEY, snapshot),
        ANALYTICS,
    )
    warehouse.publish(staged)


@pytest.fixture(scope="session")
def web_warehouse(tmp_path_factory) -> Published:
    """600 synthetic people (seed 7) through contracts, matching, stable ids and unification, published once."""
    built = build_generated_registry(600, 7, AS_OF, tmp_path_factory.mktemp("web_sources"))
    person_records, links, unified, result = built.person_records, built.worker_links, built.unified, built.link_result
    root = tmp_path_factory.mktemp("web_warehouse")
    ids = person_records["record_id"].astype("str")
    hashes = pd.Series(hmac_pseudonym(ids, DEMO_KEY).to_numpy(), index=ids.to_numpy())
    queue = review_queue_table(result.review_queue, person_records, links, hashes)
    publish(Warehouse(root), AS_OF, unified, person_records, links, result.scored_pairs, queue)
    return Published(root, unified, person_records, links, queue)


def next_night(published: Published, now_active: list[str]) -> dt.date:
    """Publish the following day's snapshot in which ``now_active`` workers have an active BPJS TK membership."""
    day = Warehouse(published.root).latest_snapshot() + dt.timedelta(days=1)
    unified = published.unified.copy()
    chosen = unified["worker_id"].isin(now_active)
    unified.loc[chosen, "bpjs_tk_status"] = ACTIVE
    unified.loc[chosen, "uncovered_informal"] = False
    unified.loc[chosen, ["uncovered_reason", "outreach_priority", "outreach_score"]] = pd.NA
    publish(Warehouse(published.root), day, unified, published.person_records, published.worker_links)
    return day


@dataclass
class Server:
    url: str
    app: object
    database_url: str
    audit_log: Path


@pytest.fixture(scope="session")
def web_server(web_warehouse, tmp_path_factory):
    from werkzeug.serving import make_server

    from satupekerja.web.app import create_app

    state = tmp_path_factory.mktemp("web_state")
    database_url = f"sqlite:///{state / 'web.sqlite'}"
    audit_log = state / "audit.jsonl"
    app = create_app(
        database_url=database_url,
        warehouse_dir=web_warehouse.root,
        audit_log=audit_log,
        secret_key="test-secret",
        testing=True,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{server.server_port}", app, database_url, audit_log)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOT_DIR, ignore_errors=True)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
