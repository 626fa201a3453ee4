"""Leak scan of the fault corpus: inject the header and reader faults into a generated sample and count the
sample's personal values (NIKs, KKs, phones, full names: "planted") found in every message the reader, the
validator and the standardiser produce (file errors, warnings, row-issue and quarantine reasons, the source
errors). Prints the figures; the control line shows the scanner does find values it is shown.

    .venv/bin/python -m benchmarks.fault_leak_scan [--persons 500] [--seed 20260101]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl

import data_contracts
from matching.normalize import RegionResolver
from sample_data.generate import generate_frames, write_sources
from satupekerja.privacy.pseudonyms import personal_data_scanner

SNAPSHOT = dt.date(2026, 11, 20)


def faults() -> dict[str, tuple[str, callable]]:
    def header_missing(inbox: Path) -> None:
        path = inbox / "bpjs_kesehatan/peserta_jkn_depok.csv"
        path.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[1:]))

    def titles_deleted(inbox: Path) -> None:
        path = inbox / "disnaker/registrasi_disnaker.xlsx"
        workbook = openpyxl.load_workbook(path)
        for name in workbook.sheetnames:
            workbook[name].delete_rows(1, 3)
        workbook.save(path)

    def stray_quote(inbox: Path) -> None:
        path = inbox / "bpjs_kesehatan/peserta_jkn_depok.csv"
        lines = path.read_bytes().split(b"\n")
        fields = lines[50].split(b";")
        fields[2] = b'"' + fields[2]
        lines[50] = b";".join(fields)
        path.write_bytes(b"\n".join(lines))

    def mojibake(inbox: Path) -> None:
        path = inbox / "umkm/data_umkm_depok.csv"
        path.write_bytes(path.read_bytes().decode("cp1252").replace(",", ",JOSÉ ", 1).encode("utf-8"))

    def wrong_delimiter(inbox: Path) -> None:
        path = inbox / "bpjs_kesehatan/peserta_jkn_depok.csv"
        path.write_bytes(path.read_bytes().replace(b";", b"|"))

    def list_header_missing(inbox: Path) -> None:
        path = inbox / "komunitas/ojol_sawangan_bojongsari.csv"
        path.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[1:]))

    def corrupt_xlsx(inbox: Path) -> None:
        path = inbox / "disnaker/registrasi_disnaker.xlsx"
        with zipfile.ZipFile(path) as original:
            parts = {name: original.read(name) for name in original.namelist()}
        for name in parts:
            if name.startswith("xl/worksheets/sheet"):
                parts[name] = parts[name][: len(parts[name]) // 2]
        with zipfile.ZipFile(path, "w") as damaged:
            for name, content in parts.items():
                damaged.writestr(name, content)

    def ragged(inbox: Path) -> None:
        path = inbox / "bpjs_kesehatan/peserta_jkn_depok.csv"
        lines = path.read_bytes().split(b"\n")
        lines[10] += b";EXTRA"
        lines[11] = lines[11][:20]
        path.write_bytes(b"\n".join(lines))

    return {
        "header line missing": ("bpjs_kesehatan", header_missing),
        "workbook title rows deleted": ("disnaker_pekerja_informal", titles_deleted),
        "stray quote": ("bpjs_kesehatan", stray_quote),
        "UTF-8 under cp1252": ("umkm", mojibake),
        "wrong delimiter": ("bpjs_kesehatan", wrong_delimiter),
        "community list without header": ("komunitas", list_header_missing),
        "corrupt xlsx part": ("disnaker_pelatihan", corrupt_xlsx),
        "ragged and truncated lines": ("bpjs_kesehatan", ragged),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    data = generate_frames(args.persons, args.seed, SNAPSHOT)
    tables = [t for table in data.sources.values() for t in (table.values() if isinstance(table, dict) else [table])]
    niks, phones, names = [], [], []
    for table in tables:
        for column in table.columns:
            label = str(column).upper()
            if "NIK" in label or label in ("KK", "NO_KK"):
                niks += table[column].tolist()
            elif any(word in label for word in ("HP", "TELP", "WA", "WHATSAPP", "PHONE")):
                phones += table[column].tolist()
            elif label.startswith(("NAMA", "NAME")) and not any(w in label for w in ("USAHA", "PANGGILAN")):
                names += table[column].tolist()
    truth = data.persons
    scanner = personal_data_scanner(
        niks=[*niks, *truth["nik"], *truth["nik_alt"], *truth["kk"]], phones=phones, names=[*names, *truth["name"]]
    )
    planted = len(scanner.niks) + len(scanner.phones) + sum(len(g) for g in scanner.names_by_first_word.values())
    contracts = data_contracts.load_contracts()
    regions = RegionResolver(data_contracts.load_region_reference())
    total_found, total_messages = 0, 0
    with tempfile.TemporaryDirectory() as folder:
        clean = Path(folder) / "clean"
        write_sources(data, clean)
        print(
            f"values planted (distinct NIK/KK {len(scanner.niks)}, phones {len(scanner.phones)}, names "
            f"{planted - len(scanner.niks) - len(scanner.phones)}): {planted}"
        )
        for name, (source, damage) in faults().items():
            inbox = Path(folder) / name.replace(" ", "_")
            shutil.copytree(clean, inbox, ignore=shutil.ignore_patterns("truth"))
            damage(inbox)
            messages: list[str] = []
            try:
                raw = data_contracts.read_source(contracts[source], inbox)
                report = data_contracts.validate_source(contracts[source], raw)
                messages += [*report.file_errors, *report.warnings, *report.row_issues["reason"].astype(str)]
                messages += [*map(str, raw.frame.columns[: len(contracts[source].columns)])]
                if report.passed:
                    result = data_contracts.standardise(contracts[source], raw, report, SNAPSHOT, regions)
                    messages += result.quarantine["reason"].astype(str).tolist()
            except data_contracts.SourceReadError as error:
                messages.append(str(error))
            except Exception as error:  # an unhandled error: its message is what the user would see
                messages.append(f"UNHANDLED {type(error).__name__}: {error}")
            found = len(scanner.find("\n".join(messages)))
            total_found += found
            total_messages += len(messages)
            print(f"  {name:<32} {len(messages):>6} messages, {found} personal values found")
    control = " ".join(str(value) for value in [*truth["nik"].head(3), *truth["name"].head(3)])
    print(
        f"values found: {total_found} in {total_messages} messages (control: {len(scanner.find(control))} of 6 "
        "planted values found in a control string)"
    )


if __name__ == "__main__":
    main()
