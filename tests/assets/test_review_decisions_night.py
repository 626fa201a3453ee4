"""Issue 11's review loop end to end: pairs are decided through ``satupekerja review``, the next night applies the
decisions (a must-link joins two workers, a cannot-link splits one), and worker ids and their history agree."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from satupekerja.privacy.audit import AuditLog
from satupekerja.publishing.warehouse import RESTRICTED, Warehouse
from satupekerja.staff import cli
from satupekerja.staff.cli import app
from satupekerja.staff.review import load_register, register_problem

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dagster")]

runner = CliRunner()


def test_decisions_made_through_the_command_hold_the_next_night(
    pipeline_run, pipeline_runner, snapshot, tmp_path, monkeypatch
):
    # Night 1 is the shared run; night 2 goes into a copy of its storage, warehouse and web database.
    night_dir = tmp_path / "outputs"
    shutil.copytree(pipeline_run.warehouse.parent, night_dir)
    warehouse_dir, database = night_dir / "warehouse", f"sqlite:///{night_dir / 'web.sqlite'}"
    audit_log = tmp_path / "audit" / "audit.jsonl"
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(warehouse_dir))
    monkeypatch.setenv("SATUPEKERJA_AUDIT_LOG", str(audit_log))
    monkeypatch.setattr(cli.console, "width", 200)  # whole pair ids and names in the printed tables
    night1 = dt.date.fromisoformat(snapshot)
    queue = Warehouse(warehouse_dir).read("match_review_queue", night1, RESTRICTED)
    links1 = pipeline_run.stored("worker_links")
    worker1 = links1.set_index("record_id")["worker_id"]

    # A pair of the queue (two workers tonight) that a clerk finds is one person.
    apart = queue[queue["worker_id_l"] != queue["worker_id_r"]]
    join = apart.iloc[0]
    sizes = links1["worker_id"].value_counts()
    # Two records of one worker (a worker of exactly two records, not touched by the pair above) that are two people.
    untouched = sizes[sizes.eq(2)].index.difference([join["worker_id_l"], join["worker_id_r"]])
    split_worker = sorted(untouched)[0]
    split_left, split_right = sorted(links1.loc[links1["worker_id"].eq(split_worker), "record_id"])

    listed = runner.invoke(app, ["review", "daftar", "--db", database, "--requested-by", "petugas1"])
    assert listed.exit_code == 0, listed.output
    assert join["pair_id"] in listed.output and "Pasangan terbuka" in listed.output
    shown = runner.invoke(app, ["review", "lihat", join["pair_id"], "--db", database, "--requested-by", "petugas1"])
    assert shown.exit_code == 0, shown.output
    assert "Dua catatan berdampingan" in shown.output and "Bukti per perbandingan" in shown.output
    same = runner.invoke(
        app,
        [
            "review",
            "putuskan",
            join["pair_id"],
            "--keputusan",
            "sama",
            "--alasan",
            "KK dan HP sama, nama panggilan",
            "--db",
            database,
            "--requested-by",
            "petugas1",
        ],
    )
    assert same.exit_code == 0, same.output
    assert "Orang yang sama" in same.output
    different = runner.invoke(
        app,
        [
            "review",
            "putuskan",
            "--kiri",
            split_left,
            "--kanan",
            split_right,
            "--keputusan",
            "beda",
            "--alasan",
            "kembar, tanggal lahir sama",
            "--db",
            database,
            "--requested-by",
            "petugas2",
        ],
    )
    assert different.exit_code == 0, different.output
    no_reason = runner.invoke(
        app, ["review", "putuskan", apart.iloc[1]["pair_id"], "--keputusan", "beda", "--db", database]
    )
    assert no_reason.exit_code == 1 and "alasan wajib" in no_reason.output

    # The decided pair leaves the open list at once.
    relisted = runner.invoke(app, ["review", "daftar", "--db", database, "--batas", "100000"])
    assert join["pair_id"] not in relisted.output

    register = load_register(database)
    assert register["decision"].tolist() == ["same", "different"]
    assert register["reviewer"].tolist() == ["cli:petugas1", "cli:petugas2"]
    assert register_problem(register, AuditLog(audit_log).key) is None
    # Pseudonymised record ids only: the register holds no record id.
    assert not register.astype("str").isin([join["record_id_l"], join["record_id_r"], split_left]).any().any()

    night2 = night1 + dt.timedelta(days=1)
    rerun = pipeline_runner(pipeline_run.inbox, night_dir, partition_key=night2.isoformat())
    assert rerun.result.success

    links2 = rerun.stored("worker_links", night2.isoformat()).set_index("record_id")["worker_id"]
    # The must-link joined: both records are one worker, and it is the older of the two ids.
    assert links2[join["record_id_l"]] == links2[join["record_id_r"]]
    survivor = min(join["worker_id_l"], join["worker_id_r"])
    retired = max(join["worker_id_l"], join["worker_id_r"])
    assert links2[join["record_id_l"]] == survivor
    # The cannot-link split: two workers, one of them keeps the id of last night.
    assert links2[split_left] != links2[split_right]
    assert split_worker in {links2[split_left], links2[split_right]}
    new_id = ({links2[split_left], links2[split_right]} - {split_worker}).pop()
    # The id history tells the same story.
    history = rerun.stored("worker_id_history", night2.isoformat())
    tonight = history[history["snapshot_date"].eq(pd.Timestamp(night2))]
    merged = tonight[tonight["worker_id"].eq(retired)]
    assert merged[["event", "related_worker_id"]].values.tolist() == [["merged_into", survivor]]
    split = tonight[tonight["worker_id"].eq(new_id)]
    assert split[["event", "related_worker_id"]].values.tolist() == [["split_from", split_worker]]
    # Every other record kept its worker id (those of the retired id now carry the survivor's).
    others = worker1.index.difference([split_left, split_right])
    assert links2.reindex(others).equals(worker1.reindex(others).replace({retired: survivor}))

    metadata = rerun.materialization("match_review_queue")
    assert metadata["review decisions in force"] == 2
    assert metadata["review decisions applied"] == 2
    assert metadata["review decisions whose records are gone"] == 0
    assert join["pair_id"] not in set(rerun.stored("match_review_queue", night2.isoformat())["pair_id"])
    # Published with the night, and the decisions and their views are in the audit log (no record ids there).
    assert join["pair_id"] not in set(
        Warehouse(warehouse_dir).read("match_review_queue", night2, RESTRICTED)["pair_id"]
    )
    entries = [json.loads(line) for line in audit_log.read_text(encoding="utf-8").splitlines()]
    actions = [entry["action"] for entry in entries]
    assert {"review_daftar", "review_lihat", "review_putuskan"} <= set(actions)
    assert actions.count("review_putuskan") == 4  # intent and done, twice
    assert split_left not in audit_log.read_text(encoding="utf-8")
