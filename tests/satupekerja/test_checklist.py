"""Checking a community's list against the registry: known people, strangers, column detection."""

from __future__ import annotations

import pandas as pd
import pytest

from matching import DEFAULT_SETTINGS
from satupekerja.staff import checklist
from satupekerja.staff.checklist import (
    STATUS_BY_TK,
    STATUS_NOT_FOUND,
    ChecklistError,
    RegistryForChecks,
    check_list,
    detect_columns,
    read_list,
    write_checked,
)

SNAPSHOT = pd.Timestamp("2026-11-01")
STRANGERS = pd.DataFrame(
    {
        "Nama Lengkap": ["Zulkarnaen Wirapratama Siregar", "Theodora Kusumawardhani Lubis"],
        "No. WA": ["0899-1111-2222", "+62 877 3333 4444"],
        "Tgl Lahir": ["01-01-1950", "31 Desember 1961"],
    }
)


def known_people(unified: pd.DataFrame, count: int) -> pd.DataFrame:
    """Workers with a Dukcapil name, birth date and phone, written the way a community would write them."""
    eligible = (
        unified[unified["name_source"].eq("dukcapil") & unified["phone"].notna() & unified["birth_date"].notna()]
        .sort_values("worker_id")
        .head(count)
    )
    return pd.DataFrame(
        {
            "Nama Lengkap": eligible["name"].str.title().to_numpy(),
            "No. WA": eligible["phone"].str.replace(r"^62", "0", regex=True).to_numpy(),
            "Tgl Lahir": eligible["birth_date"].dt.strftime("%d-%m-%Y").to_numpy(),
            "expected_worker": eligible["worker_id"].to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def registry(demo_registry) -> RegistryForChecks:
    return RegistryForChecks(
        demo_registry.person_records,
        demo_registry.worker_links,
        demo_registry.unified,
        demo_registry.link_result.model,
        DEFAULT_SETTINGS,
    )


def test_known_people_are_found_with_their_cover_and_strangers_are_not(demo_registry, registry):
    known = known_people(demo_registry.unified, 8)
    assert len(known) == 8
    rows = pd.concat([known.drop(columns="expected_worker"), STRANGERS], ignore_index=True)
    columns = detect_columns(list(rows.columns), {}, "daftar.xlsx")
    checked = check_list(rows, columns, "daftar.xlsx", SNAPSHOT, registry).rows
    status = checked[checklist.RESULT_COLUMNS[0]]
    worker = checked[checklist.RESULT_COLUMNS[1]]
    confidence = checked[checklist.RESULT_COLUMNS[2]]
    found = worker.iloc[:8].eq(known["expected_worker"])
    assert found.sum() >= 7
    tk_status = demo_registry.unified.set_index("worker_id")["bpjs_tk_status"]
    for position in found[found].index:
        assert status.iloc[position] == STATUS_BY_TK[tk_status[worker.iloc[position]]]
        assert confidence.iloc[position] >= DEFAULT_SETTINGS.match_threshold
    assert status.iloc[8:].tolist() == [STATUS_NOT_FOUND, STATUS_NOT_FOUND]
    assert worker.iloc[8:].isna().all() and confidence.iloc[8:].isna().all()
    assert list(checked.columns[:3]) == ["Nama Lengkap", "No. WA", "Tgl Lahir"]


def test_columns_are_found_by_synonyms_or_named():
    columns = ["No", "NAMA DRIVER", "No. HP / WA", "Whatsapp", "No KTP", "Tanggal Lahir"]
    assert detect_columns(columns, {}, "x.csv") == {
        "name": "NAMA DRIVER",
        "phone": "Whatsapp",
        "nik": "No KTP",
        "birth_date": "Tanggal Lahir",
    }
    assert detect_columns(columns, {"phone": "No. HP / WA"}, "x.csv")["phone"] == "No. HP / WA"
    assert detect_columns(["Nama", "Domisili", "Kec."], {}, "x.csv") == {
        "name": "Nama",
        "kelurahan": "Domisili",
        "kecamatan": "Kec.",
    }


def test_list_values_go_through_the_source_normalisers():
    rows = pd.DataFrame(
        {
            "Nama": ["Bpk. H. Ahmad Fauzi, S.E."],
            "WA": ["0812-3456-7890"],
            "Tgl Lahir": ["5 Agustus 1988"],
            "NIK": ["3.27601E+15"],
            "Kelurahan": ["Kel. Pondok Cina"],
            "Kecamatan": ["Beji"],
        }
    )
    columns = detect_columns(list(rows.columns), {}, "x.csv")
    record = checklist.to_person_records(rows, columns, "x.csv", SNAPSHOT).iloc[0]
    assert (record["name"], record["phone"], record["birth_date"]) == (
        "AHMAD FAUZI",
        "6281234567890",
        pd.Timestamp("1988-08-05"),
    )
    assert pd.isna(record["nik"]) and record["nik_issue"] == "excel_mangled"
    assert record["kelurahan_code"].startswith("32.76.06.") and record["kecamatan_code"] == "32.76.06"
    assert (record["record_id"], record["source_row"]) == ("check_list:2", 2)


def test_missing_columns_are_clear_errors():
    with pytest.raises(ChecklistError, match=r"x\.csv: column 'Telepon' not found"):
        detect_columns(["Nama"], {"phone": "Telepon"}, "x.csv")
    with pytest.raises(ChecklistError, match="no name or NIK column"):
        detect_columns(["Aplikasi", "Kecamatan"], {}, "x.csv")


def test_lists_are_read_from_csv_with_any_delimiter_and_from_xlsx(tmp_path):
    csv_path = tmp_path / "kurir.csv"
    csv_path.write_text("Nama;No HP;NIK\nSiti;0812 3456 7890;3276014505900001\n", encoding="utf-8")
    frame = read_list(csv_path)
    assert frame.loc[0, "NIK"] == "3276014505900001"
    xlsx_path = write_checked(frame, tmp_path / "kurir.xlsx")
    assert read_list(xlsx_path).loc[0, "No HP"] == "0812 3456 7890"
    (tmp_path / "kurir.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(ChecklistError, match="unsupported file type"):
        read_list(tmp_path / "kurir.pdf")
    with pytest.raises(ChecklistError, match="file not found"):
        read_list(tmp_path / "missing.csv")


def test_default_output_sits_next_to_the_list(tmp_path):
    assert checklist.default_output_path(tmp_path / "ojol_beji.xlsx") == tmp_path / "ojol_beji_hasil_cek.xlsx"
    assert checklist.default_output_path(tmp_path / "kurir.csv") == tmp_path / "kurir_hasil_cek.csv"
