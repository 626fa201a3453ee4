"""The nightly ``outreach_outcomes`` asset: funnel and conversions from the agents' outcomes, idempotent,
pseudonymised into the analytics tier, and the outcomes survive a re-publication of the night."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assets.outreach import WebDatabase, outreach_outcomes
from assets.resources import PrivacyResource, WarehouseResource
from satupekerja.publishing.warehouse import ANALYTICS, Warehouse
from satupekerja.registry.coverage import ACTIVE
from satupekerja.staff.outreach import compute_night
from satupekerja.web.app import create_account
from satupekerja.web.models import Assignment, Conversion, FunnelNight, Outcome, make_engine
from tests.web.conftest import AS_OF, SAWANGAN, publish

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("web")]


def test_compute_night_counts_each_stage():
    unified = pd.DataFrame(
        {
            "worker_id": ["A", "B", "C", "D"],
            "kecamatan_code": [SAWANGAN] * 4,
            "bpjs_tk_status": [ACTIVE, "never_registered", "lapsed", "never_registered"],
        }
    )
    uncovered = unified[unified["worker_id"].isin(["B", "C", "D"])]
    assignments = pd.DataFrame({"worker_id": ["A", "B", "C"], "agent_id": [1, 1, 1], "kecamatan_code": [SAWANGAN] * 3})
    outcomes = pd.DataFrame(
        {
            "worker_id": ["A", "B", "C", "C"],
            "outcome": ["mendaftar", "menolak", "tidak_bisa_dihubungi", "pindah_meninggal"],
            "visit_date": [dt.date(2026, 11, 1)] * 4,
            "agent": ["agen"] * 4,
        }
    )
    funnel, conversions = compute_night(unified, uncovered, assignments, outcomes)
    row = funnel.set_index("kecamatan_code").loc[SAWANGAN]
    assert row.to_dict() == {"listed": 4, "assigned": 3, "reached": 2, "registered": 1, "active_now": 1}
    assert list(conversions["worker_id"]) == ["A"]


def test_asset_reads_outcomes_each_night(web_warehouse, tmp_path):
    root = tmp_path / "warehouse"
    warehouse = Warehouse(root)
    publish(warehouse, AS_OF, web_warehouse.unified, web_warehouse.person_records, web_warehouse.worker_links)
    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    engine = make_engine(url)
    unified = web_warehouse.unified
    worker = unified.loc[unified["kecamatan_code"].eq(SAWANGAN) & unified["uncovered_informal"], "worker_id"].iloc[0]
    with Session(engine) as session:
        staff = create_account(session, "staf", "rahasia-panjang-1", "wilayah", ["Sawangan"])
        agent = create_account(session, "agen.budi", "rahasia-panjang-1", "agen", [])
        session.add(Assignment(worker_id=worker, agent_id=agent.id, assigned_by=staff.id, kecamatan_code=SAWANGAN))
        session.add(
            Outcome(
                worker_id=worker, agent_id=agent.id, outcome="dihubungi", visit_date=AS_OF, note="rumah di gang kedua"
            )
        )
        session.commit()
    resources = {
        "warehouse": WarehouseResource(root=str(root)),
        "web_database": WebDatabase(url=url),
        "privacy": PrivacyResource(),
    }

    def run(day: dt.date) -> None:
        assert dg.materialize([outreach_outcomes], partition_key=day.isoformat(), resources=resources).success

    run(AS_OF)
    run(AS_OF)  # a re-run of the same night replaces, never doubles
    with Session(engine) as session:
        nights = session.scalars(select(FunnelNight).where(FunnelNight.kecamatan_code == SAWANGAN)).all()
        assert [(n.snapshot_date, n.reached, n.active_now) for n in nights] == [(AS_OF, 1, 0)]
    analytics = warehouse.read("outreach_outcomes", AS_OF, ANALYTICS)
    assert list(analytics["worker_id"]) == [worker] and "note" not in analytics.columns
    assert not analytics["agent_hmac"].eq("agen.budi").any()
    assert "unified_workers" in warehouse.tables("restricted")  # the merge kept the night's other tables

    # next night: the worker is an active member → a conversion; the earlier night stays in the trend
    next_day = AS_OF + dt.timedelta(days=1)
    converted = unified.assign(bpjs_tk_status=unified["bpjs_tk_status"].mask(unified["worker_id"].eq(worker), ACTIVE))
    converted.loc[converted["worker_id"].eq(worker), "uncovered_informal"] = False
    publish(warehouse, next_day, converted, web_warehouse.person_records, web_warehouse.worker_links)
    run(next_day)
    with Session(engine) as session:
        assert session.scalars(select(Conversion.worker_id).where(Conversion.snapshot_date == next_day)).all() == [
            worker
        ]
        assert sorted(
            session.scalars(select(FunnelNight.snapshot_date).where(FunnelNight.kecamatan_code == SAWANGAN)).all()
        ) == [AS_OF, next_day]
    assert warehouse.read("outreach_funnel", next_day, ANALYTICS)["active_now"].sum() == 1
    engine.dispose()
