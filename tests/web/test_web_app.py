"""The web application through Flask's test client: roles and areas on every route, CSRF, session expiry,
downloads, the account command line, and the same state in PostgreSQL."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from assets.matching import matching_features_frame
from data_contracts.matching_settings import load_matching_settings
from matching import link_records, model_to_dict, settings_fingerprint
from satupekerja.privacy.audit import AuditLog
from satupekerja.publishing.tables import MATCHING_FEATURES, MATCHING_MODEL
from satupekerja.publishing.warehouse import Warehouse
from satupekerja.web.app import AccountError, create_account, create_app, formula_safe, resolve_areas
from satupekerja.web.models import Account, Assignment, find_account
from tests.servers import POSTGRES_URL_ENV, reachable_engine, server_url
from tests.web.conftest import AS_OF, BEJI, SAWANGAN, Published, publish

pytestmark = pytest.mark.xdist_group("web")

PASSWORD = "rahasia-panjang-123"


def make_app(web_warehouse, tmp_path, database_url=None, **options):
    url = database_url or f"sqlite:///{tmp_path / 'web.sqlite'}"
    app = create_app(
        database_url=url,
        warehouse_dir=web_warehouse.root,
        audit_log=tmp_path / "audit.jsonl",
        secret_key="s",
        testing=True,
        **options,
    )
    with Session(app.extensions["sp_engine"]) as session:
        create_account(session, "cabang", PASSWORD, "cabang", [])
        create_account(session, "sawangan", PASSWORD, "wilayah", ["Sawangan"])
        create_account(session, "kel.bedahan", PASSWORD, "wilayah", ["Bedahan"])
        create_account(session, "agen", PASSWORD, "agen", [])
    return app


def csrf(client, path="/masuk") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def signed_in(app, username):
    client = app.test_client()
    response = client.post("/masuk", data={"username": username, "password": PASSWORD, "csrf_token": csrf(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture(scope="module")
def app_state(tmp_path_factory):
    return tmp_path_factory.mktemp("web_app")


@pytest.fixture(scope="module")
def app(web_warehouse, app_state):
    """One application (and its accounts) for the module: argon2 hashing is deliberately slow."""
    return make_app(web_warehouse, app_state)


def worker_in(web_warehouse, kecamatan, uncovered=True):
    unified = web_warehouse.unified
    chosen = unified["kecamatan_code"].eq(kecamatan) & (unified["uncovered_informal"] if uncovered else True)
    return unified.loc[chosen, "worker_id"].iloc[0]


def test_login_needs_csrf_token_and_right_password(app):
    client = app.test_client()
    assert client.post("/masuk", data={"username": "sawangan", "password": PASSWORD}).status_code == 400
    token = csrf(client)
    assert (
        client.post(
            "/masuk", data={"username": "sawangan", "password": "salah-salah-1", "csrf_token": token}
        ).status_code
        == 401
    )
    assert client.get("/daftar").status_code == 302


def test_passwords_are_argon2_hashes(app):
    with Session(app.extensions["sp_engine"]) as session:
        account = find_account(session, "sawangan")
        assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash


def test_session_expires_when_idle(web_warehouse, tmp_path, monkeypatch):
    app = make_app(web_warehouse, tmp_path, session_minutes=1)
    assert app.permanent_session_lifetime.total_seconds() == 60
    client = signed_in(app, "sawangan")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
    assert client.get("/daftar").status_code == 200
    real_time = time.time
    with monkeypatch.context() as later:  # two idle minutes later the signed session is too old
        later.setattr(time, "time", lambda: real_time() + 120)
        assert client.get("/daftar").status_code == 302
    client = signed_in(app, "sawangan")
    with client.session_transaction() as session:
        session["login_at"] = time.time() - 13 * 3600
    assert client.get("/daftar").status_code == 302


@pytest.mark.parametrize("path", ["/orang/{beji}", "/tindak-lanjut/{beji}"])
def test_area_staff_cannot_open_another_area_by_url(app, web_warehouse, path):
    client = signed_in(app, "sawangan")
    beji = worker_in(web_warehouse, BEJI)
    assert client.get(path.format(beji=beji)).status_code in (403, 404)
    assert client.get("/orang/W000000NOSUCH").status_code == 404
    assert client.get(f"/orang/{worker_in(web_warehouse, SAWANGAN)}").status_code == 200


def test_area_staff_list_and_download_stay_in_their_area(app, web_warehouse):
    client = signed_in(app, "sawangan")
    # asking for Beji through the filter returns nobody
    page = client.get(f"/daftar?kecamatan={BEJI}").get_data(as_text=True)
    assert "Tidak ada pekerja untuk filter ini" in page
    response = client.get(f"/daftar/unduh?format=csv&kecamatan={BEJI}")
    assert response.status_code == 200 and "kecamatan-Beji" in response.headers["Content-Disposition"]
    assert len(pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")) == 0
    rows = pd.read_csv(io.BytesIO(client.get("/daftar/unduh?format=csv").data), encoding="utf-8-sig", dtype="str")
    expected = web_warehouse.unified["kecamatan_code"].eq(SAWANGAN) & web_warehouse.unified["uncovered_informal"]
    assert len(rows) == int(expected.sum()) and set(rows["Kecamatan"]) == {"Sawangan"}
    assert rows["NIK"].dropna().str.fullmatch(r"\*{12}\d{4}").all()


def test_kelurahan_staff_see_only_their_kelurahan(app, web_warehouse):
    client = signed_in(app, "kel.bedahan")
    rows = pd.read_csv(io.BytesIO(client.get("/daftar/unduh?format=csv").data), encoding="utf-8-sig", dtype="str")
    assert set(rows["Kelurahan"]) <= {"Bedahan"}


def test_nik_lookup_is_scoped_and_audited_without_the_nik(app, web_warehouse, app_state):
    unified = web_warehouse.unified
    beji = unified[unified["kecamatan_code"].eq(BEJI) & unified["nik"].notna()].iloc[0]
    client = signed_in(app, "sawangan")
    assert client.get(f"/cari?q={beji['nik']}").status_code == 404
    log = (app_state / "audit.jsonl").read_text()
    assert beji["nik"] not in log and "web_cari_nik_ditolak" in log
    branch = signed_in(app, "cabang")
    assert branch.get(f"/cari?q={beji['nik']}").headers["Location"].endswith(f"/orang/{beji['worker_id']}")


def test_agent_sees_only_assigned_workers(app, web_warehouse):
    staff = signed_in(app, "sawangan")
    own, beji = worker_in(web_warehouse, SAWANGAN), worker_in(web_warehouse, BEJI)
    with Session(app.extensions["sp_engine"]) as session:
        agent_id = find_account(session, "agen").id
    token = csrf(staff, "/daftar")
    # staff cannot assign a worker outside their area
    assert (
        staff.post(
            "/tindak-lanjut/tugaskan", data={"agen": agent_id, "worker_id": [beji], "csrf_token": token}
        ).status_code
        == 404
    )
    assert (
        staff.post(
            "/tindak-lanjut/tugaskan", data={"agen": agent_id, "worker_id": [own], "csrf_token": token}
        ).status_code
        == 302
    )
    agent = signed_in(app, "agen")
    assert agent.get(f"/orang/{own}").status_code == 200
    assert agent.get(f"/orang/{beji}").status_code == 404
    assert agent.get(f"/tindak-lanjut/{beji}").status_code == 404
    assert agent.get("/cek-daftar").status_code == 403
    assert agent.get("/ringkasan").status_code == 403
    rows = pd.read_csv(io.BytesIO(agent.get("/daftar/unduh?format=csv").data), encoding="utf-8-sig", dtype="str")
    assert list(rows["ID Pekerja"]) == [own]
    token = csrf(agent, f"/tindak-lanjut/{own}")
    bad = agent.post(f"/tindak-lanjut/{own}", data={"hasil": "hilang", "tanggal": "2026-11-02", "csrf_token": token})
    assert "Pilih hasil kunjungan" in bad.get_data(as_text=True)


def test_every_person_view_download_and_upload_is_audited(app, web_warehouse, app_state):
    client = signed_in(app, "sawangan")
    log = AuditLog(app_state / "audit.jsonl")
    before = len(log.entries()) if log.path.exists() else 0
    client.get(f"/orang/{worker_in(web_warehouse, SAWANGAN)}")
    client.get("/daftar/unduh?format=xlsx")
    client.post(
        "/cek-daftar",
        data={
            "berkas": (io.BytesIO(b"judul\nnama;hp\nBUDI;0812\n"), "x.csv"),
            "csrf_token": csrf(client, "/cek-daftar"),
        },
        content_type="multipart/form-data",
    )
    entries = log.entries().iloc[before:]
    assert {"web_orang", "web_unduh_daftar", "web_cek_daftar"} <= set(entries["action"])
    assert log.verify()
    assert (entries["requested_by"] == "web:sawangan").all()
    assert entries.loc[entries["action"].eq("web_unduh_daftar"), "output_sha256"].str.fullmatch("[0-9a-f]{64}").all()


def test_download_is_formula_safe_with_filters_in_the_name(app, web_warehouse):
    client = signed_in(app, "cabang")
    response = client.get(f"/daftar/unduh?format=xlsx&kecamatan={SAWANGAN}&rentan=ya&prioritas=tinggi")
    name = re.search(r"filename=(\S+)", response.headers["Content-Disposition"]).group(1)
    assert "kecamatan-Sawangan" in name and "rentan-ya" in name and "prioritas-tinggi" in name
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert "Keterangan" in workbook.sheetnames
    frame = pd.DataFrame({"Nama": ['=HYPERLINK("x")', "+62", "BUDI", None], "n": [1, 2, 3, 4]})
    assert formula_safe(frame)["Nama"].tolist()[:3] == ['\'=HYPERLINK("x")', "'+62", "BUDI"]


def test_messy_list_with_title_rows_and_footer(app, web_warehouse):
    client = signed_in(app, "sawangan")
    body = b"LAPORAN ANGGOTA;;\n;;\nNo;Nama Anggota;No WA\n1;SITI AMINAH;081211112222\n2;;\nJumlah: 1;;\n"
    page = client.post(
        "/cek-daftar",
        data={"berkas": (io.BytesIO(body), "anggota.csv"), "csrf_token": csrf(client, "/cek-daftar")},
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Judul kolom ditemukan di baris 3" in text and "1 baris diperiksa" in text
    assert text.count("tidak diperiksa") >= 2 and "baris 6: catatan kaki" in text  # the empty row and the total
    bad = client.post(
        "/cek-daftar",
        data={"berkas": (io.BytesIO(b"a;b\n1;2\n"), "angka.csv"), "csrf_token": csrf(client, "/cek-daftar")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "tidak menemukan kolom nama atau NIK" in bad.get_data(as_text=True)


def test_admin_only_for_administrators(app):
    assert signed_in(app, "cabang").get("/admin/akun").status_code == 403


def test_area_names_resolve_to_codes():
    assert resolve_areas(["Sawangan", "32.76.06"]) == [SAWANGAN, BEJI]
    with pytest.raises(AccountError, match="lebih dari satu kecamatan"):
        resolve_areas(["Curug"])
    with pytest.raises(AccountError, match="tidak dikenal"):
        resolve_areas(["Atlantis"])


def test_accounts_from_the_command_line(tmp_path, monkeypatch):
    from satupekerja.staff.cli import app as cli

    monkeypatch.setenv("SATUPEKERJA_WEB_DB", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    made = runner.invoke(
        cli,
        ["akun", "buat", "staf.beji", "--peran", "wilayah", "--wilayah", "Beji", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    weak = runner.invoke(cli, ["akun", "buat", "x.y.z", "--peran", "agen", "--password-stdin"], input="pendek\n")
    assert weak.exit_code == 1 and "minimal 10 karakter" in weak.output
    assert "staf.beji\twilayah\t32.76.06\taktif" in runner.invoke(cli, ["akun", "daftar"]).output
    assert runner.invoke(cli, ["akun", "nonaktifkan", "staf.beji"]).exit_code == 0
    assert "nonaktif" in runner.invoke(cli, ["akun", "daftar"]).output


@pytest.mark.integration
def test_application_state_in_postgresql(web_warehouse, tmp_path):
    url = server_url(POSTGRES_URL_ENV)
    admin = reachable_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"satupekerja_web_test_{int(time.time() * 1000) % 10**9}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        app = make_app(
            web_warehouse, tmp_path, database_url=url.set(database=name).render_as_string(hide_password=False)
        )
        client = signed_in(app, "sawangan")
        own = worker_in(web_warehouse, SAWANGAN)
        with Session(app.extensions["sp_engine"]) as session:
            agent_id = find_account(session, "agen").id
        client.post(
            "/tindak-lanjut/tugaskan",
            data={"agen": agent_id, "worker_id": [own], "csrf_token": csrf(client, "/daftar")},
        )
        with Session(app.extensions["sp_engine"]) as session:
            assert session.scalars(sa.select(Assignment.worker_id)).all() == [own]
            assert session.scalars(sa.select(Account.role).where(Account.username == "sawangan")).one() == "wilayah"
        app.extensions["sp_engine"].dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_english_is_the_second_language(app):
    client = signed_in(app, "sawangan")
    assert "Pekerja informal belum terlindungi" in client.get("/daftar").get_data(as_text=True)
    client.get("/bahasa/en", headers={"Referer": "http://localhost/daftar"})
    page = client.get("/daftar").get_data(as_text=True)
    assert "Uncovered informal workers" in page and ">List<" in page


def test_english_catalogue_is_complete_and_compiled():
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "satupekerja" / "web" / "translations" / "en" / "LC_MESSAGES"
    source = read_po((folder / "messages.po").open("rb"))
    compiled = read_mo((folder / "messages.mo").open("rb"))
    assert all(message.string for message in source if message.id)
    assert {m.id: m.string for m in source if m.id} == {m.id: m.string for m in compiled if m.id}


def test_messy_workbook_title_rows_footer_and_odd_headers(tmp_path):
    from satupekerja.staff.checklist import STATUS_NOT_CHECKED, ChecklistError
    from satupekerja.web.upload import read_uploaded_list

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DATA PEDAGANG PASAR KEMIRI MUKA"])
    sheet.append(["Per 1 November 2026"])
    sheet.append([])
    sheet.append(["No", "Nama Pedagang", "No. HP/WA", "Tgl. Lahir (dd-mm-yyyy)", "Blok"])
    sheet.append([1, "SITI AMINAH", "0812 1111 2222", "01-02-1980", "A1"])
    sheet.append([2, "BUDI SANTOSO", "0813-3333-4444", None, "A2"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Total", None, None, None, "2 pedagang"])
    path = tmp_path / "0f1e_masuk.xlsx"
    workbook.save(path)
    listed = read_uploaded_list(path, "pasar.xlsx", pd.Timestamp("2026-11-01"))
    assert listed.header_row == 4 and listed.file_name == "pasar.xlsx"
    assert listed.columns == {"name": "Nama Pedagang", "phone": "No. HP/WA", "birth_date": "Tgl. Lahir (dd-mm-yyyy)"}
    assert list(listed.rows["Nama Pedagang"].iloc[:2]) == ["SITI AMINAH", "BUDI SANTOSO"]
    assert listed.source_rows.tolist() == [5, 6, 8] and listed.checkable.tolist() == [True, True, False]
    assert listed.notes.iloc[2].startswith("baris 8: catatan kaki") and STATUS_NOT_CHECKED == "tidak diperiksa"
    with pytest.raises(ChecklistError, match="tidak didukung"):
        read_uploaded_list(path, "pasar.pdf", pd.Timestamp("2026-11-01"))


# ------------------------------------------------------------------------------------------ login rate limiting


def attempt(client, username, password, address="10.0.0.1"):
    token = csrf(client)
    return client.post(
        "/masuk",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def limited(web_warehouse, tmp_path):
    from satupekerja.web.login_limit import LoginLimits

    return make_app(
        web_warehouse,
        tmp_path,
        login_limits=LoginLimits(max_account_failures=3, max_client_failures=5, window_minutes=10, lockout_minutes=15),
    )


def test_failed_logins_lock_the_account_name_then_the_lock_ends(limited, tmp_path, monkeypatch):
    import datetime as dt

    from satupekerja.web import app as web_app
    from satupekerja.web import login_limit

    client = limited.test_client()
    for _ in range(3):
        assert attempt(client, "sawangan", "salah-salah-1").status_code == 401
    refused = attempt(client, "sawangan", PASSWORD)  # the right password, but the name is locked
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Terlalu banyak percobaan masuk yang gagal" in text
    assert "Coba lagi dalam 15 menit" in text
    entries = AuditLog(tmp_path / "audit.jsonl").entries()
    assert list(entries["action"]) == ["web_masuk_dikunci", "web_masuk_dibatasi"]
    assert "sawangan" not in (tmp_path / "audit.jsonl").read_text()
    # another account name from another address is not affected
    assert attempt(limited.test_client(), "cabang", PASSWORD, address="10.0.0.2").status_code == 302
    later = login_limit.utcnow() + dt.timedelta(minutes=16)
    monkeypatch.setattr(login_limit, "utcnow", lambda: later)
    monkeypatch.setattr(web_app, "utcnow", lambda: later)
    assert attempt(limited.test_client(), "sawangan", PASSWORD).status_code == 302


def test_unknown_names_are_locked_the_same_way(limited):
    client = limited.test_client()
    for address, name in (("10.0.0.3", "sawangan"), ("10.0.0.4", "tidak.ada")):
        answers = [attempt(client, name, "salah-salah-1", address=address) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert answers[-1].get_data(as_text=True).count("Terlalu banyak percobaan") == 1
    # both failed messages are the same text: nothing says whether the name exists
    first = attempt(limited.test_client(), "kel.bedahan", "salah-salah-1", address="10.0.0.5").get_data(as_text=True)
    second = attempt(limited.test_client(), "tak.dikenal", "salah-salah-1", address="10.0.0.5").get_data(as_text=True)
    strip = lambda page: re.sub(r'name="csrf_token" value="[^"]+"', "", page)  # noqa: E731
    assert strip(first) == strip(second)


def test_one_address_trying_many_names_is_locked(limited):
    client = limited.test_client()
    for index in range(5):
        assert attempt(client, f"coba{index}", "salah-salah-1", address="10.0.0.9").status_code == 401
    assert attempt(client, "cabang", PASSWORD, address="10.0.0.9").status_code == 429
    assert attempt(client, "cabang", PASSWORD, address="10.0.0.10").status_code == 302


def test_a_successful_login_clears_the_account_failures(limited):
    client = limited.test_client()
    for _ in range(2):
        assert attempt(client, "sawangan", "salah-salah-1", address="10.0.1.1").status_code == 401
    assert attempt(limited.test_client(), "sawangan", PASSWORD, address="10.0.1.1").status_code == 302
    for _ in range(2):
        assert attempt(client, "sawangan", "salah-salah-1", address="10.0.1.2").status_code == 401
    assert attempt(limited.test_client(), "sawangan", PASSWORD, address="10.0.1.2").status_code == 302


def test_the_lock_is_in_the_database_shared_by_workers_and_restarts(web_warehouse, tmp_path):
    from satupekerja.web.login_limit import FailedLogin, LoginLimits

    limits = LoginLimits(max_account_failures=2)
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first = make_app(web_warehouse, tmp_path, database_url=url, login_limits=limits)
    second = create_app(
        database_url=url, warehouse_dir=web_warehouse.root, audit_log=tmp_path / "audit.jsonl", secret_key="s",
        testing=True, login_limits=limits,
    )  # fmt: skip
    for _ in range(2):
        assert attempt(first.test_client(), "sawangan", "salah-salah-1").status_code == 401
    assert attempt(second.test_client(), "sawangan", PASSWORD).status_code == 429
    with Session(second.extensions["sp_engine"]) as session:
        keys = session.scalars(sa.select(FailedLogin.key)).all()
    assert len(keys) == 4 and all(re.fullmatch("[0-9a-f]{64}", key) for key in keys)  # name and address, as HMACs


def test_failures_spread_wider_than_the_window_do_not_lock(tmp_path):
    import datetime as dt

    from satupekerja.web.login_limit import LoginLimiter, LoginLimits
    from satupekerja.web.models import make_engine

    limiter = LoginLimiter(LoginLimits(max_account_failures=3, window_minutes=10, lockout_minutes=30), "k")
    start = dt.datetime(2026, 12, 7, 8, 0)
    with Session(make_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")) as session:
        for minutes in (0, 6, 12):  # three failures, but never three within ten minutes
            limiter.failed(session, "Budi", None, now=start + dt.timedelta(minutes=minutes))
        assert limiter.locked(session, "budi", None, now=start + dt.timedelta(minutes=13)) is None
        limiter.failed(session, "BUDI ", None, now=start + dt.timedelta(minutes=14))  # 6, 12, 14: three in ten
        lock = limiter.locked(session, "budi", None, now=start + dt.timedelta(minutes=15))
        assert lock is not None and lock.kind == "akun" and lock.until == start + dt.timedelta(minutes=44)
        assert limiter.locked(session, "budi", None, now=start + dt.timedelta(minutes=44)) is None
    with pytest.raises(ValueError, match="minimal 1"):
        LoginLimits(window_minutes=0)


def test_tier_filter_in_page_file_name_and_download(app, web_warehouse):
    unified = web_warehouse.unified
    in_sawangan = unified["kecamatan_code"].eq(SAWANGAN) & unified["uncovered_informal"]
    tiers = unified.loc[in_sawangan, "outreach_tier"].value_counts()
    assert set(tiers.index) == {"pasti", "kemungkinan"}, tiers  # the sample has both
    client = signed_in(app, "sawangan")
    page = client.get("/daftar?tingkat=kemungkinan").get_data(as_text=True)
    assert re.search(r'<option value="kemungkinan"[^>]*selected[^>]*>Kemungkinan</option>', page)
    assert f"{tiers['kemungkinan']} orang" in page.replace(".", "")
    for tier, label in (("pasti", "Pasti"), ("kemungkinan", "Kemungkinan")):
        for fmt in ("csv", "xlsx"):
            response = client.get(f"/daftar/unduh?format={fmt}&tingkat={tier}")
            assert f"tingkat-{tier}" in response.headers["Content-Disposition"]
            if fmt == "csv":
                rows = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype="str")
            else:
                sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, dtype="str", engine="calamine")
                info = sheets.pop("Keterangan", None)
                rows = pd.concat(sheets.values(), ignore_index=True)
                assert info is not None and f"tingkat: {label}" in info.to_string()
            assert len(rows) == tiers[tier] and set(rows["Tingkat"]) == {label}
            assert sorted(rows["Prioritas"].astype(int)) == list(range(1, tiers[tier] + 1))
    everyone = pd.read_csv(io.BytesIO(client.get("/daftar/unduh?format=csv&tingkat=semua").data), dtype="str")
    assert len(everyone) == int(in_sawangan.sum()) and set(everyone["Tingkat"]) == {"Pasti", "Kemungkinan"}
    # pasti first in the area's priority order
    assert list(everyone["Tingkat"]) == sorted(everyone["Tingkat"], key=lambda label: label != "Pasti")


# ------------------------------------------------------------------------------------------ one vocabulary


def test_every_sector_code_the_registry_can_produce_has_a_label():
    from satupekerja.registry.coverage import OCCUPATION_SECTORS
    from satupekerja.web import vocabulary

    contract_sectors = set()
    for path in (Path(__file__).resolve().parents[2] / "data_contracts").glob("*.yaml"):
        contract = yaml.safe_load(path.read_text())
        spec = contract.get("mapping", {}).get("sector") or contract.get("roles", {}).get("sector")
        if isinstance(spec, str):
            contract_sectors.add(spec)
        elif isinstance(spec, dict):
            contract_sectors.update(spec.get("map", {}).values())
            contract_sectors.update(re.findall(r"[a-z_]+", spec.get("pattern", "").split("(", 2)[-1]))
    codes = {code for code, _pattern in OCCUPATION_SECTORS} | contract_sectors
    assert {"ojol", "wiraswasta", "pedagang_pasar"} <= codes
    assert codes - {"_"} <= set(vocabulary.SECTOR), codes - set(vocabulary.SECTOR)


def test_evidence_is_shown_in_words():
    from satupekerja.web.vocabulary import evidence_text

    assert (
        evidence_text("disnaker:pekerja_informal; daftar:ojol; ktp:PEDAGANG; jkn:PBI_APBN; tk:BPU nonaktif")
        == "Disnaker: terdaftar pekerja informal; Daftar komunitas: Ojek online; KTP: PEDAGANG; JKN: PBI (APBN); "
        "BPJS TK: Bukan penerima upah (BPU) nonaktif"
    )
    assert evidence_text(None) == evidence_text(float("nan")) == "–"


def test_person_page_shows_labels_not_codes(app, web_warehouse):
    unified = web_warehouse.unified
    chosen = unified[
        unified["kecamatan_code"].eq(SAWANGAN) & unified["tk_status"].notna() & unified["jkn_status"].notna()
    ].iloc[0]
    page = signed_in(app, "cabang").get(f"/orang/{chosen['worker_id']}").get_data(as_text=True)
    cells = [" ".join(cell.split()) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", page, flags=re.S)]
    raw = {"AKTIF", "NONAKTIF", "PU", "BPU", "PBPU", "PPU", "PBI_APBN", "dukcapil", "bpjs_kesehatan", "ojol"}
    raw |= {"never_registered", "lapsed_arrears", "informal", "formal", "not_working", "unresolved"}
    shown = {part.strip() for cell in cells for part in re.split(r" / |; |: ", cell)}
    assert not shown & raw, shown & raw
    assert "Dukcapil" in shown or "BPJS Kesehatan" in shown


def test_tables_are_read_in_one_chunk_per_column():
    import pyarrow as pa

    from satupekerja.web.data import single_chunks

    chunked = pa.chunked_array([["A", None], ["B"]])
    frame = pd.DataFrame({"name": pd.array(chunked, dtype="str"), "n": [1, 2, 3]})
    one = single_chunks(frame)
    assert one["name"].dtype == frame["name"].dtype and one["name"].array.__arrow_array__().num_chunks == 1
    pd.testing.assert_frame_equal(one, frame)
    assert one.iloc[[2, 0]]["name"].tolist() == ["B", "A"]


def test_person_page_weighs_pairs_with_the_published_model_as_the_night_publishes_it(web_warehouse, tmp_path):
    """The night publishes the model and the records' matching features, not scored pairs: the person page
    scores the worker's own pairs with them (no retraining) and shows each comparison's weight."""
    settings = load_matching_settings()
    settings_hash = settings_fingerprint(settings)
    result = link_records(web_warehouse.person_records, settings, keep_features=True)
    model = pd.DataFrame(
        {"settings_hash": [settings_hash], "model_json": [json.dumps(model_to_dict(result.model, settings_hash))]}
    )
    night = Published(
        tmp_path / "warehouse", web_warehouse.unified, web_warehouse.person_records, web_warehouse.worker_links
    )
    publish(
        Warehouse(night.root),
        AS_OF,
        night.unified,
        night.person_records,
        night.worker_links,
        restricted_tables={
            MATCHING_MODEL: model,
            MATCHING_FEATURES: matching_features_frame(result.features, settings_hash),
        },
    )
    worker = night.unified.loc[night.unified["record_count"].ge(2), "worker_id"].iloc[0]
    page = signed_in(make_app(night, tmp_path), "cabang").get(f"/orang/{worker}").get_data(as_text=True)
    assert "Bobot per perbandingan (bit)" in page and 'class="waterfall"' in page
