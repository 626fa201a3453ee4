"""The nightly read of outreach outcomes: who was reached by an agent, and who is now an active BPJS TK member.

Agents record visit outcomes in the web application's database (:mod:`satupekerja.web.models`); the warehouse is
rebuilt every night, but the outcomes live outside it and so survive every re-run. Each night
:func:`record_night` joins them with the latest published snapshot and

- stores the outreach funnel per kecamatan (listed → assigned → reached → registered → still paying) and the
  conversions (reached and now ``active``) for that snapshot date in the application's database, replacing any
  earlier computation of the same date (re-runs are idempotent);
- returns the pseudonymised outcome rows for the analytics tier: worker id (already a pseudonym), agent as an
  HMAC pseudonym, outcome code, visit date, reached/converted flags; never the agent's free-text note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from satupekerja.privacy.pseudonyms import PseudonymisationKey, hmac_pseudonym
from satupekerja.publishing import tables
from satupekerja.publishing.warehouse import RESTRICTED, Warehouse
from satupekerja.registry.coverage import ACTIVE
from satupekerja.web.models import REACHED_OUTCOMES, Account, Assignment, Conversion, FunnelNight, Outcome

OUTREACH_OUTCOMES_TABLE = "outreach_outcomes"
OUTREACH_FUNNEL_TABLE = "outreach_funnel"
NO_AREA = "-"


@dataclass(frozen=True)
class NightResult:
    snapshot_date: dt.date
    funnel: pd.DataFrame
    conversions: pd.DataFrame
    analytics_outcomes: pd.DataFrame


def outcomes_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Outcome.worker_id, Outcome.outcome, Outcome.visit_date, Account.username)
        .join(Account, Account.id == Outcome.agent_id)
        .order_by(Outcome.visit_date, Outcome.id)
    ).all()
    return pd.DataFrame(rows, columns=["worker_id", "outcome", "visit_date", "agent"]).astype(
        {"worker_id": "str", "outcome": "str", "agent": "str"}
    )


def assignments_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(select(Assignment.worker_id, Assignment.agent_id, Assignment.kecamatan_code)).all()
    return pd.DataFrame(rows, columns=["worker_id", "agent_id", "kecamatan_code"])


def compute_night(
    unified: pd.DataFrame, uncovered: pd.DataFrame, assignments: pd.DataFrame, outcomes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(funnel, conversions)`` for one snapshot. Funnel per kecamatan: ``listed`` = on tonight's list or
    assigned, ``assigned``, ``reached`` (any reached outcome), ``registered`` (an outcome ``mendaftar``),
    ``active_now`` (reached and an active member tonight). Conversions: one row per reached worker now active."""
    status = unified.set_index("worker_id")["bpjs_tk_status"]
    kecamatan = unified.set_index("worker_id")["kecamatan_code"]
    reached = outcomes[outcomes["outcome"].isin(REACHED_OUTCOMES)]
    first_reached = reached.groupby("worker_id")["visit_date"].min()
    agent_of = reached.groupby("worker_id")["agent"].last()
    registered = set(outcomes.loc[outcomes["outcome"].eq("mendaftar"), "worker_id"])
    workers = pd.Index(uncovered["worker_id"]).union(pd.Index(assignments["worker_id"])).union(first_reached.index)
    frame = pd.DataFrame({"worker_id": workers})
    frame["kecamatan_code"] = frame["worker_id"].map(kecamatan).fillna(NO_AREA).astype("str")
    frame["listed"] = 1
    frame["assigned"] = frame["worker_id"].isin(assignments["worker_id"]).astype("int64")
    frame["reached"] = frame["worker_id"].isin(first_reached.index).astype("int64")
    frame["registered"] = frame["worker_id"].isin(registered).astype("int64")
    frame["active_now"] = (
        frame["reached"].astype(bool) & frame["worker_id"].map(status).eq(ACTIVE).fillna(False)
    ).astype("int64")
    funnel = frame.groupby("kecamatan_code", as_index=False)[
        ["listed", "assigned", "reached", "registered", "active_now"]
    ].sum()
    converted = frame[frame["active_now"].eq(1)]
    conversions = pd.DataFrame(
        {
            "worker_id": converted["worker_id"].to_numpy(),
            "kecamatan_code": converted["kecamatan_code"].to_numpy(),
            "first_reached": converted["worker_id"].map(first_reached).to_numpy(),
            "agent": converted["worker_id"].map(agent_of).to_numpy(),
        }
    )
    return funnel, conversions


def record_night(
    engine: Engine, warehouse: Warehouse, key: PseudonymisationKey, snapshot_date: dt.date | None = None
) -> NightResult:
    """Compute the night for ``snapshot_date`` (default: the latest published) and store it; idempotent."""
    snapshot_date = snapshot_date or warehouse.latest_snapshot()
    if snapshot_date is None:
        raise LookupError(f"no snapshot is published in {warehouse.root}")
    unified = warehouse.read(tables.UNIFIED_WORKERS, snapshot_date, RESTRICTED)
    uncovered = warehouse.read(tables.UNCOVERED_INFORMAL_WORKERS, snapshot_date, RESTRICTED)
    with Session(engine) as session:
        outcomes = outcomes_frame(session)
        assignments = assignments_frame(session)
        funnel, conversions = compute_night(unified, uncovered, assignments, outcomes)
        agent_ids = dict(session.execute(select(Account.username, Account.id)).all())
        session.execute(delete(FunnelNight).where(FunnelNight.snapshot_date == snapshot_date))
        session.execute(delete(Conversion).where(Conversion.snapshot_date == snapshot_date))
        session.add_all(
            FunnelNight(
                snapshot_date=snapshot_date, **{k: (int(v) if k != "kecamatan_code" else v) for k, v in row.items()}
            )
            for row in funnel.to_dict("records")
        )
        session.add_all(
            Conversion(
                snapshot_date=snapshot_date,
                worker_id=row["worker_id"],
                agent_id=agent_ids[row["agent"]],
                first_reached=row["first_reached"],
                kecamatan_code=None if row["kecamatan_code"] == NO_AREA else row["kecamatan_code"],
            )
            for row in conversions.to_dict("records")
        )
        session.commit()
    status = unified.set_index("worker_id")["bpjs_tk_status"]
    analytics = pd.DataFrame(
        {
            "worker_id": outcomes["worker_id"],
            "agent_hmac": hmac_pseudonym(outcomes["agent"], key) if len(outcomes) else pd.Series([], dtype="str"),
            "outcome": outcomes["outcome"],
            "visit_date": pd.to_datetime(outcomes["visit_date"]),
            "reached": outcomes["outcome"].isin(REACHED_OUTCOMES),
            "active_now": outcomes["worker_id"].map(status).eq(ACTIVE).fillna(False).astype(bool),
        }
    )
    return NightResult(snapshot_date, funnel, conversions, analytics)
