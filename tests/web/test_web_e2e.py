"""End to end in headless Chromium: area staff of Sawangan, an agent on a phone, and the next night's conversions."""

from __future__ import annotations

import re

import openpyxl
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from satupekerja.privacy.audit import AuditLog
from satupekerja.privacy.pseudonyms import DEMO_KEY
from satupekerja.publishing.warehouse import Warehouse
from satupekerja.staff.outreach import record_night
from satupekerja.staff.review import register_frame
from satupekerja.web.app import create_account
from tests.web.conftest import BEJI, SAWANGAN, next_night

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("web")]

PASSWORD = "rahasia-panjang-123"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def accounts(web_server):
    with Session(create_engine(web_server.database_url)) as session:
        create_account(session, "admin", PASSWORD, "admin", [], "Admin Cabang")
        create_account(session, "staf.sawangan", PASSWORD, "wilayah", ["Sawangan"], "Staf Sawangan")
        create_account(session, "agen.budi", PASSWORD, "agen", [], "Budi (PERISAI)")
    return web_server


def login(browser, server, username, viewport=None):
    context = browser.new_context(
        viewport=viewport or {"width": 1280, "height": 900}, accept_downloads=True, locale="id-ID"
    )
    page = context.new_page()
    page.goto(server.url + "/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return context, page


def test_login_page_and_bad_password(browser, accounts, screenshots):
    context = browser.new_context()
    page = context.new_page()
    page.goto(accounts.url + "/daftar")
    assert page.url.endswith("/masuk?next=%2Fdaftar") or "/masuk" in page.url
    page.screenshot(path=screenshots / "01_masuk.png")
    page.fill("input[name=username]", "staf.sawangan")
    page.fill("input[name=password]", "salah-sekali-123")
    page.click("button[type=submit]")
    assert "Nama pengguna atau kata sandi salah" in page.content()
    context.close()


def test_area_staff_scenario(browser, accounts, web_warehouse, screenshots, tmp_path):
    server = accounts
    unified = web_warehouse.unified
    context, page = login(browser, server, "staf.sawangan")

    # Daftar: only Sawangan
    assert "/daftar" in page.url
    page.screenshot(path=screenshots / "02_daftar.png", full_page=True)
    kecamatan_cells = page.locator("table.list tbody tr td:nth-child(6)").all_inner_texts()
    assert kecamatan_cells and set(kecamatan_cells) == {"Sawangan"}
    options = page.locator("select[name=kecamatan] option").all_inner_texts()
    assert options == ["Semua", "Sawangan"]

    # A Beji worker by URL: refused, and the refusal is audited
    beji_worker = unified.loc[unified["kecamatan_code"].eq(BEJI), "worker_id"].iloc[0]
    response = page.goto(f"{server.url}/orang/{beji_worker}")
    assert response.status == 404
    assert "di luar wilayah Anda" in page.content()
    page.screenshot(path=screenshots / "03_orang_di_luar_wilayah.png")
    entries = AuditLog(server.audit_log).entries()
    refused = entries[entries["action"].eq("web_orang_ditolak")]
    assert beji_worker in refused["filters"].iloc[-1]

    # Filter by a kelurahan of Sawangan and the tier "Pasti", and download the list
    page.goto(server.url + "/daftar")
    sawangan_uncovered = unified[unified["kecamatan_code"].eq(SAWANGAN) & unified["uncovered_informal"]]
    pasti = sawangan_uncovered[sawangan_uncovered["outreach_tier"].eq("pasti")]
    kelurahan_code = pasti["kelurahan_code"].value_counts().index[0]
    page.select_option("select[name=kelurahan]", kelurahan_code)
    page.select_option("select[name=tingkat]", "pasti")
    page.click(".filters button[type=submit]")
    kelurahan_name = page.locator("select[name=kelurahan] option:checked").inner_text()
    assert set(page.locator("table.list tbody tr td:nth-child(5)").all_inner_texts()) == {kelurahan_name}
    assert set(page.locator("table.list tbody tr td:nth-child(8)").all_inner_texts()) == {"Pasti"}
    with page.expect_download() as download_info:
        page.click("#unduh-xlsx")
    download = download_info.value
    assert re.sub(r"\W", "_", kelurahan_name) in download.suggested_filename and download.suggested_filename.endswith(
        ".xlsx"
    )
    assert "tingkat-pasti" in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = openpyxl.load_workbook(saved, read_only=True)
    sheet = workbook[workbook.sheetnames[0]]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    niks = [row[header.index("NIK")] for row in rows[1:] if row[header.index("NIK")]]
    assert niks and all(nik.startswith("************") for nik in niks)
    expected = int((pasti["kelurahan_code"] == kelurahan_code).sum())
    assert len(rows) - 1 == expected
    assert [row[0] for row in rows[1:]] == list(range(1, expected + 1))
    assert {row[header.index("Tingkat")] for row in rows[1:]} == {"Pasti"}
    assert "web_unduh_daftar" in set(AuditLog(server.audit_log).entries()["action"])

    # Open a person
    page.click("table.list tbody tr:first-child td:nth-child(3) a")
    assert "/orang/" in page.url
    assert "Rekam emas" in page.content() and "Catatan sumber berdampingan" in page.content()
    if int(page.locator("text=catatan sumber").count()):
        assert page.locator(".waterfall").count() >= 1 or "1 catatan sumber" in page.content()
    page.screenshot(path=screenshots / "04_orang.png", full_page=True)
    assert "web_orang" in set(AuditLog(server.audit_log).entries()["action"])

    # Upload a messy community list: title rows, ';', a footer
    registry = web_warehouse.person_records
    known = registry[
        registry["kecamatan_code"].eq(SAWANGAN) & registry["name"].notna() & registry["phone"].notna()
    ].iloc[:3]
    lines = ["DAFTAR ANGGOTA PAGUYUBAN OJOL SAWANGAN;;", "Update Nov 2026;;", ";;", "No;Nama Lengkap;No. HP / WA"]
    lines += [
        f"{index};{row.name.title()};{row.phone.replace('62', '0', 1)}"
        for index, row in enumerate(known.itertuples(), start=1)
    ]
    lines += ["4;Zzyzx Qwerty Fiktif;081299990000", ";;", "Mengetahui, Ketua;;"]
    messy = tmp_path / "anggota ojol.csv"
    messy.write_text("\n".join(lines), encoding="utf-8")
    page.goto(server.url + "/cek-daftar")
    page.set_input_files("input[name=berkas]", str(messy))
    page.click("form.card button[type=submit]")
    page.wait_for_selector("#unduh-hasil", timeout=60_000)
    content = page.content()
    assert "baris diperiksa" in content and "Judul kolom ditemukan di baris" in content
    statuses = page.locator("table.list tbody tr td:nth-child(5)").all_inner_texts()
    assert len(statuses) == 5 and statuses[3] == "tidak ditemukan" and statuses[4] == "tidak diperiksa"  # signature
    assert sum(status != "tidak ditemukan" for status in statuses[:3]) >= 2
    assert "phone = “No. HP / WA”" in content  # an odd header found by its telling word
    assert page.locator("table.list tbody tr:last-child a").count() == 0  # no worker link for a person not found
    page.screenshot(path=screenshots / "05_cek_daftar.png", full_page=True)
    with page.expect_download() as download_info:
        page.click("#unduh-hasil")
    assert download_info.value.suggested_filename == "anggota ojol_hasil_cek.xlsx"

    # Meja review: Sawangan's open pairs only; a Beji pair by URL is refused; a decision is recorded with a reason
    queue = web_warehouse.review_queue
    page.goto(server.url + "/review")
    shown = page.locator("#antrean-review tbody tr td:first-child").all_inner_texts()
    assert shown and set(shown) <= set(queue.loc[queue["kecamatan_code"].eq(SAWANGAN), "pair_id"])
    page.screenshot(path=screenshots / "12_meja_review.png", full_page=True)
    beji_pair = queue.loc[queue["kecamatan_code"].eq(BEJI), "pair_id"].iloc[0]
    assert page.goto(f"{server.url}/review/{beji_pair}").status == 404
    page.goto(server.url + "/review")
    page.click("#antrean-review tbody tr:first-child a")
    assert "Dua catatan berdampingan" in page.content()
    page.check("input[name=keputusan][value=different]")
    page.fill("textarea[name=alasan]", "Kembar: nama mirip, NIK berurutan")
    page.screenshot(path=screenshots / "13_review_pasangan.png", full_page=True)
    page.click("#form-keputusan button[type=submit]")
    assert "Keputusan tersimpan" in page.content()
    assert shown[0] not in page.locator("body").inner_text()
    with Session(create_engine(server.database_url)) as session:
        decided = register_frame(session)
    assert decided[["pair_id", "decision", "reviewer"]].values.tolist() == [
        [shown[0], "different", "web:staf.sawangan"]
    ]

    # Assign the first worker of the list to the agent
    page.goto(server.url + "/daftar")
    first = page.locator("table.list tbody tr:first-child input[name=worker_id]").get_attribute("value")
    page.check("table.list tbody tr:first-child input[name=worker_id]")
    page.click(".assign button[type=submit]")
    assert "1 pekerja ditugaskan" in page.content()
    context.close()

    # The agent, on a phone, records the outcome
    agent_context, agent = login(browser, server, "agen.budi", viewport=PHONE)
    assert "/tindak-lanjut" in agent.url
    cards = agent.locator("li.card.person")
    assert cards.count() == 1
    agent.screenshot(path=screenshots / "06_tindak_lanjut_agen_hp.png", full_page=True)
    response = agent.goto(f"{server.url}/orang/{beji_worker}")
    assert response.status == 404
    agent.goto(server.url + "/tindak-lanjut")
    agent.click("li.card.person a.name")
    agent.check("input[value=mendaftar]")
    agent.fill("textarea[name=catatan]", "Sudah daftar BPU lewat aplikasi")
    agent.screenshot(path=screenshots / "07_catat_kunjungan_hp.png", full_page=True)
    agent.click("button.big")
    assert "Hasil kunjungan tersimpan" in agent.content()
    assert "Mendaftar" in agent.locator("li.card.person .status").inner_text()
    agent_context.close()

    # The next night: the worker is an active member; the nightly read reports the conversion
    day = next_night(web_warehouse, [first])
    night = record_night(create_engine(server.database_url), Warehouse(web_warehouse.root), DEMO_KEY)
    assert night.snapshot_date == day and list(night.conversions["worker_id"]) == [first]
    assert night.analytics_outcomes.columns.tolist() == [
        "worker_id",
        "agent_hmac",
        "outcome",
        "visit_date",
        "reached",
        "active_now",
    ]
    assert not night.analytics_outcomes["agent_hmac"].eq("agen.budi").any()

    context, page = login(browser, server, "staf.sawangan")
    page.goto(server.url + "/ringkasan")
    funnel = dict(
        zip(page.locator("#corong th").all_inner_texts(), page.locator("#corong td").all_inner_texts(), strict=True)
    )
    assert funnel["Ditugaskan"] == "1" and funnel["Dihubungi"] == "1" and funnel["Masih membayar (aktif)"] == "1"
    page.screenshot(path=screenshots / "08_ringkasan.png", full_page=True)
    page.goto(server.url + "/tindak-lanjut")
    assert first in page.locator("#konversi").inner_text()
    page.screenshot(path=screenshots / "09_tindak_lanjut_staf.png", full_page=True)
    context.close()


def test_agent_page_fits_a_phone(browser, accounts, screenshots):
    context, page = login(browser, accounts, "agen.budi", viewport=PHONE)
    page.goto(accounts.url + "/tindak-lanjut")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    if page.locator("li.card.person a.name").count():
        page.click("li.card.person a.name")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        width = page.locator("button.big").bounding_box()["width"]
        assert width > PHONE["width"] * 0.7
    page.screenshot(path=screenshots / "10_agen_hp.png", full_page=True)
    context.close()


def test_admin_page(browser, accounts, screenshots):
    context, page = login(browser, accounts, "admin")
    page.goto(accounts.url + "/admin/akun")
    assert "staf.sawangan" in page.content() and "Sawangan" in page.content()
    page.fill("form.card input[name=username]", "staf.beji")
    page.fill("form.card input[name=password]", PASSWORD)
    page.select_option("select[name=peran]", "wilayah")
    page.select_option("select[name=wilayah]", [BEJI])
    page.click("form.card button[type=submit]")
    assert "Akun dibuat" in page.content() and "staf.beji" in page.content()
    page.screenshot(path=screenshots / "11_admin_akun.png", full_page=True)
    context.close()
