"""Data-subject requests (UU 27/2022): the right to erasure and the right to correction, honoured on every run.

The pipeline re-reads the agencies' files every night, so a request is not a one-off edit: it is a row in a
**request register** (CSV, ``data_contracts/subject_requests.csv`` by default, ``SATUPEKERJA_SUBJECT_REQUESTS``
to override) that :func:`apply_requests` applies to ``person_records`` on every run, before matching.

Register columns: ``request_id, received_date, kind, nik_hmac, field, new_value, note``.

* ``nik_hmac`` is the HMAC pseudonym of the person's NIK (:func:`satupekerja.privacy.pseudonyms.hmac_pseudonym`),
  never the raw NIK: add rows with :func:`make_request_row` / ``python -m satupekerja.privacy.subject_requests add``,
  which asks for the NIK without echoing it. A raw NIK in the file is refused.
* ``kind=erasure``: every record with that NIK is removed, and, when ``worker_links`` of the previous run are
  given, every record linked to the same worker (community-list rows without a NIK, for example).
* ``kind=correction``: ``field`` of the same records is set to ``new_value``, normalised as the sources are
  (an empty ``new_value`` clears the field). Identity numbers other than KK and the agencies' membership fields
  are corrected at the source agency, not here.

Counts per request come back as :class:`AppliedRequests` (no personal data), for Dagster metadata and the
data-protection officer. A correction's ``new_value`` is personal data: keep the register where the
restricted tier is kept (see ``docs/privacy.md``).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from matching.normalize.address import clean_address, normalize_rt
from matching.normalize.dates import parse_date
from matching.normalize.names import clean_name
from matching.normalize.phone import normalize_phone
from matching.normalize.sex import normalize_sex
from satupekerja.privacy.pseudonyms import PseudonymisationKey, hmac_pseudonym, load_pseudonymisation_key
from satupekerja.settings import DEFAULT_SUBJECT_REQUESTS

DEFAULT_REQUESTS_PATH = DEFAULT_SUBJECT_REQUESTS
COLUMNS = ("request_id", "received_date", "kind", "nik_hmac", "field", "new_value", "note")
ERASURE, CORRECTION = "erasure", "correction"
KINDS = (ERASURE, CORRECTION)

_HMAC_HEX = re.compile(r"^[0-9a-f]{64}$")
_RAW_NIK = re.compile(r"^\d{16}$")
_KELURAHAN_CODE = r"^32\.76\.\d{2}\.\d{4}$"
_KECAMATAN_CODE = r"^32\.76\.\d{2}$"
_KK = r"^\d{16}$"


def _upper_text(values: pd.Series) -> pd.Series:
    return values.str.upper().str.split().str.join(" ").astype("str")


def _matching(pattern: str) -> Callable[[pd.Series], pd.Series]:
    def checked(values: pd.Series) -> pd.Series:
        stripped = values.str.strip()
        return stripped.where(stripped.str.fullmatch(pattern).fillna(False).astype("bool")).astype("str")

    return checked


#: Correctable fields and how ``new_value`` is normalised (the same normalisers as the sources use).
CORRECTABLE_FIELDS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "name": clean_name,
    "alias": clean_name,
    "birth_date": parse_date,
    "birth_place": _upper_text,
    "sex": normalize_sex,
    "phone": normalize_phone,
    "address": lambda values: clean_address(values)["address"],
    "rt": normalize_rt,
    "rw": normalize_rt,
    "kelurahan_code": _matching(_KELURAHAN_CODE),
    "kecamatan_code": _matching(_KECAMATAN_CODE),
    "kk": _matching(_KK),
    "occupation": _upper_text,
    "sector": lambda values: values.str.strip().str.lower().astype("str"),
    "business_name": _upper_text,
}


class SubjectRequestError(ValueError):
    """The request register is malformed; the message names the file, CSV line and column, never the value."""


@dataclass(frozen=True)
class AppliedRequests:
    """What :func:`apply_requests` did, per request: counts only (safe for logs and Dagster metadata).

    ``per_request`` columns: ``request_id``, ``kind``, ``field``, ``records_matched`` (by NIK pseudonym),
    ``records_linked`` (further records of the same worker via ``worker_links``), ``records_removed``,
    ``records_corrected``.
    """

    per_request: pd.DataFrame

    @property
    def records_removed(self) -> int:
        return int(self.per_request["records_removed"].sum())

    @property
    def records_corrected(self) -> int:
        return int(self.per_request["records_corrected"].sum())

    @property
    def unmatched_requests(self) -> int:
        """Requests whose person is in none of this run's records (nothing to do, or a wrong pseudonym)."""
        matched = self.per_request["records_matched"] + self.per_request["records_linked"]
        return int((matched == 0).sum())


def requests_path(configured: Path | str | None = None) -> Path:
    """``configured`` (``$SATUPEKERJA_SUBJECT_REQUESTS``), else ``data_contracts/subject_requests.csv``."""
    return Path(configured) if configured else DEFAULT_REQUESTS_PATH


def empty_requests() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series(dtype="str") for column in COLUMNS})
    return frame.astype({"received_date": "datetime64[ns]"})


def load_requests(path: Path | None = None) -> pd.DataFrame:
    """The validated register: ``received_date`` a date, everything else text (NA when empty).

    With no ``path`` the default register is read (:data:`DEFAULT_REQUESTS_PATH`), which may be absent (no
    requests yet); a given (configured) one may not: a missing register would silently undo erasures. Raises
    :class:`SubjectRequestError` naming the file, line and column of the first problems.
    """
    configured = path is not None
    path = Path(path) if path is not None else DEFAULT_REQUESTS_PATH
    if not path.exists():
        if configured:
            raise FileNotFoundError(f"subject request register {path} does not exist")
        return empty_requests()
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, na_values=[""])
    missing = [column for column in COLUMNS if column not in frame.columns]
    extra = [column for column in frame.columns if column not in COLUMNS]
    if missing or extra:
        raise SubjectRequestError(
            f"{path}: columns must be {', '.join(COLUMNS)} (missing {missing}, unexpected {extra})"
        )
    frame = frame[list(COLUMNS)].apply(lambda column: column.str.strip()).astype("str")
    problems = _problems(frame)
    if problems:
        shown = "; ".join(f"line {line}, column {column}: {why}" for line, column, why in problems[:10])
        raise SubjectRequestError(f"{path}: {len(problems)} problem(s) in the subject request register: {shown}")
    frame["received_date"] = pd.to_datetime(frame["received_date"], format="%Y-%m-%d")
    frame["kind"] = frame["kind"].str.lower()
    return frame.reset_index(drop=True)


def _problems(frame: pd.DataFrame) -> list[tuple[int, str, str]]:
    """``(CSV line, column, reason)`` for every invalid cell; line 1 is the header."""
    line = frame.index.to_series() + 2
    kind = frame["kind"].str.lower()
    correction = kind.eq(CORRECTION)
    checks = [
        (frame["request_id"].isna(), "request_id", "missing"),
        (frame["request_id"].duplicated(keep="first") & frame["request_id"].notna(), "request_id", "duplicate"),
        (
            pd.to_datetime(frame["received_date"], format="%Y-%m-%d", errors="coerce").isna(),
            "received_date",
            "not a date YYYY-MM-DD",
        ),
        (~kind.isin(KINDS), "kind", f"must be {' or '.join(KINDS)}"),
        (
            frame["nik_hmac"].str.fullmatch(_RAW_NIK.pattern).fillna(False),
            "nik_hmac",
            "holds a raw NIK; remove it and add the row with `python -m satupekerja.privacy.subject_requests add`",
        ),
        (
            ~frame["nik_hmac"].str.fullmatch(_HMAC_HEX.pattern).fillna(False)
            & ~frame["nik_hmac"].str.fullmatch(_RAW_NIK.pattern).fillna(False),
            "nik_hmac",
            "must be the 64-character HMAC pseudonym of the NIK",
        ),
        (
            kind.eq(ERASURE) & (frame["field"].notna() | frame["new_value"].notna()),
            "field",
            "an erasure takes no field or new_value",
        ),
        (
            correction & ~frame["field"].isin(list(CORRECTABLE_FIELDS)),
            "field",
            f"must be one of {', '.join(CORRECTABLE_FIELDS)}",
        ),
        (
            correction & frame["field"].isin(list(CORRECTABLE_FIELDS)) & _unreadable_values(frame),
            "new_value",
            "cannot be read as a value of the field",
        ),
    ]
    found = [(int(row_line), column, why) for mask, column, why in checks for row_line in line[mask.astype("bool")]]
    return sorted(found)


def _unreadable_values(frame: pd.DataFrame) -> pd.Series:
    """True where a correction's non-empty ``new_value`` normalises to nothing."""
    unreadable = pd.Series(False, index=frame.index)
    given = frame["new_value"].notna()
    for field, rows in frame[given & frame["field"].isin(list(CORRECTABLE_FIELDS))].groupby("field"):
        unreadable[rows.index] = _normalised(field, rows["new_value"]).isna().to_numpy()
    return unreadable


def _normalised(field: str, values: pd.Series) -> pd.Series:
    return CORRECTABLE_FIELDS[field](values.astype("str"))


def apply_requests(
    person_records: pd.DataFrame,
    requests: pd.DataFrame,
    key: PseudonymisationKey,
    worker_links: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, AppliedRequests]:
    """``person_records`` with the register applied (index renumbered from 0), and what was done.

    A request reaches the records whose NIK pseudonym is its ``nik_hmac`` and, with ``worker_links``
    (``record_id → worker_id``, typically the previous run's), every record linked to the same workers.
    Corrections are applied in ``received_date`` order (a later correction of the same field wins);
    erasures are applied last and win over corrections.
    """
    targets = _request_targets(person_records, requests, key, worker_links)
    # A night without corrections (the usual case) works on the records themselves: no copy of the table.
    records = person_records.copy() if requests["kind"].eq(CORRECTION).any() else person_records
    corrected = pd.Series(0, index=requests.index, dtype="int64")
    for position, request in requests.sort_values(["received_date", "request_id"]).iterrows():
        if request["kind"] != CORRECTION:
            continue
        rows = records.index[records["record_id"].isin(targets.loc[targets["request"] == position, "record_id"])]
        value = _normalised(request["field"], pd.Series([request["new_value"]], dtype="str")).iloc[0]
        records.loc[rows, request["field"]] = value
        corrected[position] = len(rows)
    erased_ids = targets.loc[targets["request"].map(requests["kind"]).eq(ERASURE), "record_id"]
    erased = records["record_id"].isin(erased_ids)
    kept = (records[~erased] if erased.any() else records).reset_index(drop=True)
    return kept, AppliedRequests(_counts(requests, targets, person_records, erased_ids, corrected))


def _request_targets(
    person_records: pd.DataFrame,
    requests: pd.DataFrame,
    key: PseudonymisationKey,
    worker_links: pd.DataFrame | None,
) -> pd.DataFrame:
    """Whom each request reaches: ``request`` (position in ``requests``), ``record_id``, ``via`` (``nik``/``link``)."""
    if requests.empty:  # nothing to look for: no NIK needs its pseudonym computed
        return pd.DataFrame(
            {
                "request": pd.Series(dtype=requests.index.dtype),
                "record_id": pd.Series(dtype="str"),
                "via": pd.Series(dtype="str"),
            }
        )
    pseudonyms = pd.DataFrame(
        {"record_id": person_records["record_id"], "nik_hmac": hmac_pseudonym(person_records["nik"], key)}
    )
    wanted = requests[["nik_hmac"]].rename_axis("request").reset_index()
    direct = wanted.merge(pseudonyms.dropna(subset=["nik_hmac"]), on="nik_hmac")[["request", "record_id"]]
    direct = direct.assign(via="nik")
    if worker_links is None or direct.empty:
        return direct
    links = worker_links[["record_id", "worker_id"]]
    workers = direct.merge(links, on="record_id")[["request", "worker_id"]].drop_duplicates()
    linked = workers.merge(links, on="worker_id")[["request", "record_id"]]
    linked = linked[linked["record_id"].isin(person_records["record_id"])].assign(via="link")
    both = pd.concat([direct, linked], ignore_index=True)
    return both.drop_duplicates(["request", "record_id"], keep="first").reset_index(drop=True)


def _counts(
    requests: pd.DataFrame,
    targets: pd.DataFrame,
    person_records: pd.DataFrame,
    erased_ids: pd.Series,
    corrected: pd.Series,
) -> pd.DataFrame:
    by_request = targets.groupby(["request", "via"]).size().unstack(fill_value=0)
    by_request = by_request.reindex(index=requests.index, columns=["nik", "link"], fill_value=0)
    is_erasure = requests["kind"].eq(ERASURE)
    return pd.DataFrame(
        {
            "request_id": requests["request_id"],
            "kind": requests["kind"],
            "field": requests["field"],
            "records_matched": by_request["nik"].astype("int64"),
            "records_linked": by_request["link"].astype("int64"),
            "records_removed": (by_request["nik"] + by_request["link"]).where(is_erasure, 0).astype("int64"),
            "records_corrected": corrected,
        }
    ).reset_index(drop=True)


def make_request_row(
    nik: str,
    kind: str,
    *,
    key: PseudonymisationKey,
    request_id: str,
    received_date: date,
    field: str | None = None,
    new_value: str | None = None,
    note: str = "",
) -> dict[str, str]:
    """A register row for the person with this NIK, holding only the NIK's pseudonym.

    ``nik`` may contain spaces or dashes; it must be 16 digits once they are removed.
    """
    digits = re.sub(r"[\s\-.]", "", nik)
    if not _RAW_NIK.match(digits):
        raise SubjectRequestError("the NIK must be 16 digits")
    if kind not in KINDS:
        raise SubjectRequestError(f"kind must be {' or '.join(KINDS)}, not {kind!r}")
    if kind == CORRECTION and field not in CORRECTABLE_FIELDS:
        raise SubjectRequestError(f"a correction needs a field among {', '.join(CORRECTABLE_FIELDS)}")
    if kind == ERASURE and (field or new_value):
        raise SubjectRequestError("an erasure takes no field or new value")
    if (
        kind == CORRECTION
        and field
        and new_value
        and pd.isna(_normalised(field, pd.Series([new_value], dtype="str")).iloc[0])
    ):
        raise SubjectRequestError(f"the new value cannot be read as a {field}")
    return {
        "request_id": request_id,
        "received_date": received_date.isoformat(),
        "kind": kind,
        "nik_hmac": hmac_pseudonym(pd.Series([digits], dtype="str"), key).iloc[0],
        "field": field or "",
        "new_value": new_value or "",
        "note": note,
    }


def append_request(path: Path, row: Mapping[str, str]) -> None:
    """Append one row (from :func:`make_request_row`) to the register, writing the header if it is new."""
    existing = load_requests(path) if path.exists() else empty_requests()
    if row["request_id"] in set(existing["request_id"]):
        raise SubjectRequestError(f"{path}: request_id {row['request_id']!r} is already in the register")
    new_file = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        if new_file:
            writer.writeheader()
        writer.writerow({column: row[column] for column in COLUMNS})


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m satupekerja.privacy.subject_requests add --kind erasure --request-id DSR-2026-001 …``.

    The NIK is asked for without echo and the corrected value interactively, so neither lands in the shell
    history; the register receives the NIK's pseudonym only.
    """
    parser = argparse.ArgumentParser(
        prog="python -m satupekerja.privacy.subject_requests", description="Add a data-subject request to the register."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a request to the register (the NIK is prompted for, not echoed)")
    add.add_argument("--kind", choices=KINDS, required=True)
    add.add_argument("--request-id", required=True)
    add.add_argument("--received-date", type=date.fromisoformat, default=date.today())
    add.add_argument("--field", choices=list(CORRECTABLE_FIELDS))
    add.add_argument("--note", default="", help="free text without personal data (ticket number, channel)")
    add.add_argument(
        "--register",
        type=Path,
        default=None,
        help="default: $SATUPEKERJA_SUBJECT_REQUESTS, else data_contracts/subject_requests.csv",
    )
    args = parser.parse_args(argv)
    from satupekerja.settings import Settings  # the command line is an edge

    settings = Settings.from_env()
    key = load_pseudonymisation_key(settings.mode, settings.hmac_key)
    nik = getpass.getpass("NIK (not echoed): ")
    new_value = input(f"Corrected {args.field} (empty clears it): ") if args.kind == CORRECTION else None
    row = make_request_row(
        nik,
        args.kind,
        key=key,
        request_id=args.request_id,
        received_date=args.received_date,
        field=args.field,
        new_value=new_value,
        note=args.note,
    )
    register = args.register or settings.subject_requests_path
    append_request(register, row)
    print(f"request {args.request_id} ({args.kind}) added to {register} with key {key.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
