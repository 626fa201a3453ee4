"""The ``satupekerja`` command line end to end, on a warehouse with two published demo snapshots."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from satupekerja.privacy.audit import file_sha256
from satupekerja.publishing.warehouse import Warehouse
from satupekerja.staff.checklist import RESULT_COLUMNS, STATUS_NOT_CHECKED, STATUS_NOT_FOUND
from satupekerja.staff.cli import app
from satupekerja.staff.exports import HEADERS

runner = CliRunner()


@pytest.fixture
def env(published_warehouse, tmp_path, monkeypatch):
    """The published demo warehouse, a fresh audit log and export folder; wide output so messages do not wrap."""
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(published_warehouse))
    monkeypatch.setenv("SATUPEKERJA_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("SATUPEKERJA_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def audit_entries(env) -> list[dict]:
    path = env / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def busiest_kecamatan(demo_registry) -> tuple[str, int]:
    from data_contracts.regions import load_region_reference

    uncovered = demo_registry.unified[demo_registry.unified["uncovered_informal"]]
    code = uncovered["kecamatan_code"].value_counts().index[0]
    regions = load_region_reference()
    name = regions.loc[regions["kode_kecamatan"].eq(code), "kecamatan"].iloc[0]
    return name, int(uncovered["kecamatan_code"].eq(code).sum())


def test_export_uncovered_writes_an_audited_workbook(env, demo_registry):
    kecamatan, expected_rows = busiest_kecamatan(demo_registry)
    result = runner.invoke(
        app, ["export", "uncovered", "--kecamatan", kecamatan.upper(), "--requested-by", "petugas-07"]
    )
    assert result.exit_code == 0, result.output
    path = next((env / "exports").glob("belum_terlindungi_*_2026-11-01.xlsx"))
    workbook = load_workbook(path)
    rows = sum(workbook[name].max_row - 1 for name in workbook.sheetnames if name != "Keterangan")
    assert rows == expected_rows
    assert [cell.value for cell in workbook[workbook.sheetnames[0]][1]] == list(HEADERS)
    entry = audit_entries(env)[-1]
    assert (entry["action"], entry["requested_by"], entry["row_count"]) == (
        "export_uncovered",
        "petugas-07",
        expected_rows,
    )
    assert entry["filters"]["kecamatan"] == kecamatan
    assert entry["output_sha256"] == file_sha256(path)


def test_export_csv_filtered_by_sector(env, demo_registry):
    kecamatan, _ = busiest_kecamatan(demo_registry)
    out = env / "list.csv"
    result = runner.invoke(
        app, ["export", "uncovered", "--kecamatan", kecamatan, "--sector", "ojol", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype="str", encoding="utf-8-sig")
    assert list(table.columns) == list(HEADERS)
    assert (table["Sektor"] == "Ojek online").all()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export", "uncovered", "--kecamatan", "Sawagan"], "Did you mean: Sawangan"),
        (["export", "uncovered", "--kecamatan", "Beji", "--kelurahan", "Kukusan Baru"], "Did you mean: Kukusan"),
        (["export", "uncovered", "--kecamatan", "Beji", "--format", "pdf"], "--format"),
        (["show"], "either a WORKER_ID or --nik"),
        (["show", "--nik", "12345"], "16 digits"),
    ],
)
def test_bad_arguments_are_usage_errors(env, arguments, message):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_wrong_suffix_for_format_is_a_clear_error(env):
    result = runner.invoke(
        app, ["export", "uncovered", "--kecamatan", "Beji", "--format", "csv", "--out", str(env / "x.xlsx")]
    )
    assert result.exit_code == 1
    assert "must end in .csv" in result.output


def test_without_a_published_snapshot_the_user_is_told_to_run_make_run(env, tmp_path, monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(tmp_path / "empty"))
    for arguments in (["export", "uncovered", "--kecamatan", "Beji"], ["report"], ["show", "W0000000000"]):
        result = runner.invoke(app, arguments)
        assert result.exit_code == 1
        assert "make run" in result.output
        assert "Traceback" not in result.output


def test_show_by_worker_id_and_by_nik_is_audited_without_the_nik(env, demo_registry):
    unified = demo_registry.unified
    worker = unified[
        unified["record_count"].gt(2) & unified["nik"].notna() & unified["sources"].str.contains("dukcapil")
    ].iloc[0]
    by_id = runner.invoke(app, ["show", worker["worker_id"]])
    assert by_id.exit_code == 0, by_id.output
    for record_id in worker["record_ids"]:
        assert record_id in by_id.output
    assert "Source: dukcapil" in by_id.output
    assert "link_probability" in by_id.output
    by_nik = runner.invoke(app, ["show", "--nik", worker["nik"][:6] + " " + worker["nik"][6:]])
    assert by_nik.exit_code == 0, by_nik.output
    assert worker["worker_id"] in by_nik.output
    entries = audit_entries(env)
    # Audit first: each look-up writes its intent before reading, then what it showed.
    assert [(entry["action"], entry["phase"]) for entry in entries] == [("show", "intent"), ("show", "done")] * 2
    assert entries[0]["filters"]["worker_id"] == worker["worker_id"]
    assert "nik_hmac" in entries[2]["filters"] and "nik_hmac" in entries[3]["filters"]
    assert worker["nik"] not in json.dumps(entries)


def test_show_orders_source_records_by_the_contracts_in_force(env, demo_registry, tmp_path, monkeypatch):
    import re

    from data_contracts.contract import default_contracts_dir

    unified = demo_registry.unified
    worker = unified[unified["sources"].str.contains("dukcapil") & unified["sources"].str.contains(",")].iloc[0]

    def sources_shown() -> list[str]:
        result = runner.invoke(app, ["show", worker["worker_id"]])
        assert result.exit_code == 0, result.output
        return re.findall(r"Source: (\w+)", result.output)

    assert sources_shown()[0] == "dukcapil"  # the shipped contracts rank the civil registry first
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    for path in default_contracts_dir().glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "dukcapil":
            text = re.sub(r"survivorship_rank: \d+", "survivorship_rank: 99", text)
        (contracts / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("SATUPEKERJA_CONTRACTS_DIR", str(contracts))

    shown = sources_shown()
    assert len(shown) > 1 and shown[-1] == "dukcapil"


def test_show_unknown_worker_fails_cleanly(env):
    result = runner.invoke(app, ["show", "W000000XXXX"])
    assert result.exit_code == 1
    assert "not found: worker id" in result.output
    assert audit_entries(env)[-1]["row_count"] == 0


def test_report_writes_one_html_page(env):
    result = runner.invoke(app, ["report", "--out", str(env / "laporan.html")])
    assert result.exit_code == 0, result.output
    page = (env / "laporan.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 3
    assert "2 snapshot(s)" in result.output


def test_check_list_marks_every_row(env, demo_registry):
    unified = demo_registry.unified
    person = unified[unified["name_source"].eq("dukcapil") & unified["phone"].notna()].iloc[0]
    community = env / "ojol_beji.csv"
    pd.DataFrame(
        {
            "NAMA DRIVER": [person["name"], "Bambang Sutrisnowijoyo Hutapea"],
            "WhatsApp": [person["phone"], "081299990000"],
        }
    ).to_csv(community, index=False)
    result = runner.invoke(app, ["check-list", str(community)])
    assert result.exit_code == 0, result.output
    checked = pd.read_csv(env / "ojol_beji_hasil_cek.csv", dtype="str", encoding="utf-8-sig")
    assert list(checked.columns) == ["NAMA DRIVER", "WhatsApp", *RESULT_COLUMNS]
    assert checked.loc[0, RESULT_COLUMNS[1]] == person["worker_id"]
    assert checked.loc[1, RESULT_COLUMNS[0]] == STATUS_NOT_FOUND
    assert audit_entries(env)[-1]["action"] == "check_list"


def test_check_list_with_a_missing_column_names_the_file(env):
    community = env / "kurir.csv"
    community.write_text("Nama,HP\nSiti,0812\n", encoding="utf-8")
    result = runner.invoke(app, ["check-list", str(community), "--nik-col", "NIK"])
    assert result.exit_code == 1
    assert "kurir.csv: kolom 'NIK' tidak ditemukan / column 'NIK' not found" in result.output
    assert "0812" not in result.output


def test_check_list_reads_a_titled_list_and_marks_the_rows_it_cannot_check(env, demo_registry):
    unified = demo_registry.unified
    person = unified[unified["name_source"].eq("dukcapil") & unified["phone"].notna()].iloc[0]
    community = env / "pedagang.csv"
    community.write_text(
        "DATA PEDAGANG PASAR AGUNG;;\n;;\nNo;Nama Pedagang;No. HP/WA\n"
        f"1;{person['name'].title()};{person['phone']}\n2;;\nJumlah;1 orang;\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["check-list", str(community)])
    assert result.exit_code == 0, result.output
    assert "Judul kolom di baris 3" in result.output and "2 baris tidak diperiksa" in result.output
    checked = pd.read_csv(env / "pedagang_hasil_cek.csv", dtype="str", encoding="utf-8-sig")
    assert list(checked.columns) == ["No", "Nama Pedagang", "No. HP/WA", *RESULT_COLUMNS]
    assert checked["No"].tolist() == ["1", "2", "Jumlah"]
    assert checked.loc[0, RESULT_COLUMNS[1]] == person["worker_id"]
    assert checked[RESULT_COLUMNS[0]].iloc[1:].eq(STATUS_NOT_CHECKED).all()
    assert checked.loc[2, RESULT_COLUMNS[3]].startswith("baris 6: catatan kaki")


def test_retention_removes_old_snapshots_and_audits_it(env, published_warehouse, monkeypatch):
    copy = env / "warehouse_copy"
    shutil.copytree(published_warehouse, copy)
    monkeypatch.setenv("SATUPEKERJA_WAREHOUSE_DIR", str(copy))
    snapshots = Warehouse(copy).snapshots()
    keep_days = (snapshots[-1] - snapshots[0]).days - 1  # the older snapshot is one day past the period

    result = runner.invoke(app, ["retention", "--keep-days", str(keep_days), "--today", snapshots[-1].isoformat()])

    assert result.exit_code == 0, result.output
    assert Warehouse(copy).snapshots() == [snapshots[-1]]
    assert "removed 1 snapshot(s)" in result.output
    assert any(entry["action"].startswith("retention_remove") for entry in audit_entries(env))


def test_retention_rejects_a_bad_setting(env, monkeypatch):
    monkeypatch.setenv("SATUPEKERJA_RETENTION_DAYS", "forever")

    result = runner.invoke(app, ["retention"])

    assert result.exit_code == 1
    assert "SATUPEKERJA_RETENTION_DAYS" in result.output
