"""The generic reader: any contract's source (CSV, Excel, SQL) into one all-text frame with lineage.

Every value comes back as text exactly as the agency wrote it (Excel numbers as exact digit strings, Excel dates
as ISO strings, SQL values as text), so nothing is lost or reinterpreted before validation. Headers matching a
contract column or one of its aliases (case-, space- and punctuation-insensitively) are renamed to the contract's
column name; other headers are kept as they are. Two lineage columns are added: ``_source_file`` and
``_source_row`` (the row as the user sees it: CSV line, Excel row, 1-based position of a SQL row).

Problems that make a whole file unusable (empty, undecodable, wrong delimiter, missing sheet) do not raise: they
are recorded in :attr:`RawSource.file_problems` and the file contributes no rows, so the validator can report
them and the pipeline's blocking check can stop. Only a source that cannot be reached at all (missing file,
corrupt workbook, unreachable database) raises :class:`SourceReadError`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import glob
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from data_contracts.contract import Contract, ReadSettings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql import Executable

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row"
LINEAGE_COLUMNS = (SOURCE_FILE, SOURCE_ROW)
ROW_PROBLEM_COLUMNS = ["row", "column", "rule", "reason"]
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


class SourceReadError(Exception):
    """A source cannot be read at all. The message names the source and the file or (masked) URL, never data.

    ``transient`` marks failures worth retrying (a database connection dropped or refused, an I/O error on a
    network share); a missing file, a bad URL or a refused query is not.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class RawSource:
    """What the reader found.

    ``frame``: one row per data row, every source column as text (NA where empty), plus ``_source_file`` and
    ``_source_row``; index ``0..n-1`` is the stable row id that validation issues refer to.
    ``files``: the files (relative to the data dir) or the masked database URL that were read.
    ``headers``: each file's header exactly as written, for the validator's column checks.
    ``file_problems``: whole-file failures found while reading (those files contribute no rows).
    ``row_problems``: rows the reader could not split cleanly (ragged or truncated lines, lines swallowed by a
    stray quote), by row id.
    ``lines``: each file's physical line accounting (:class:`LineAccount`); a file whose lines do not add up is
    a file problem, so no line is ever lost without a trace.
    """

    source: str
    frame: pd.DataFrame
    files: list[str]
    headers: dict[str, list[str]] = field(default_factory=dict)
    file_problems: list[str] = field(default_factory=list)
    row_problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ROW_PROBLEM_COLUMNS))
    lines: dict[str, LineAccount] = field(default_factory=dict)
    dropped_files: list[str] = field(default_factory=list)

    def line_totals(self) -> dict[str, int]:
        """Physical lines (or sheet rows) of every file, split by what became of them.

        ``lines_physical == lines_header + lines_blank + lines_continuation + lines_file_error + rows_read``:
        every line is a header (or a line above it), blank, the continuation of a legitimate multi-line quoted
        field, inside a file refused with a file error, or the first line of a row read (standardised or
        quarantined afterwards).
        """
        totals = dict.fromkeys(LineAccount.FIELDS, 0)
        for account in self.lines.values():
            for key in LineAccount.FIELDS:
                totals[key] += getattr(account, key)
        return totals


@dataclass
class LineAccount:
    """One file's physical lines (CSV) or sheet rows (Excel) or fetched rows (SQL), by what became of them."""

    lines_physical: int = 0
    lines_header: int = 0
    lines_blank: int = 0
    lines_continuation: int = 0
    lines_file_error: int = 0
    rows_read: int = 0

    FIELDS = ("lines_physical", "lines_header", "lines_blank", "lines_continuation", "lines_file_error", "rows_read")

    def balanced(self) -> bool:
        return self.lines_physical == (
            self.lines_header + self.lines_blank + self.lines_continuation + self.lines_file_error + self.rows_read
        )

    def describe(self) -> str:
        return (
            f"{self.lines_physical} lines = {self.lines_header} header + {self.lines_blank} blank + "
            f"{self.lines_continuation} continuation + {self.lines_file_error} in file errors + "
            f"{self.rows_read} rows"
        )


@dataclass
class _FileRead:
    """One file's contribution: its rows (local positions), header, and problems."""

    name: str
    frame: pd.DataFrame
    header: list[str]
    problems: list[str] = field(default_factory=list)
    row_problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    lines: LineAccount = field(default_factory=LineAccount)
    unit: str = "line"


def header_key(name: str) -> str:
    """Header spelling for matching: case-folded, letters and digits only (``No. HP`` == ``no hp`` == ``NO_HP``)."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def canonical_headers(contract: Contract, header: list[str]) -> list[str]:
    """Rename headers that match a contract column (by name or alias) to that column's name.

    Headers spelling a column's own name claim it first, then aliases, then (for columns declaring
    ``header_words``) a header holding one of those words (``Tgl. Lahir (dd-mm-yyyy)`` by ``lahir``), in header
    order; each column is claimed once, so a second spelling of the same column stays visible under its own name
    as an unexpected header.
    """
    by_name = {header_key(rule.name): rule.name for rule in contract.columns}
    by_alias = {header_key(alias): rule.name for rule in contract.columns for alias in rule.aliases}
    renamed = list(header)
    claimed: set[str] = set()
    for lookup in (by_name, by_alias):
        for position, name in enumerate(header):
            target = lookup.get(header_key(name))
            if target is not None and target not in claimed and renamed[position] == name:
                claimed.add(target)
                renamed[position] = target
    for rule in contract.columns:
        if not rule.header_words or rule.name in claimed:
            continue
        for position, name in enumerate(header):
            words = set(re.split(r"[^0-9a-z]+", str(name).casefold()))
            if renamed[position] == name and name not in claimed and words & set(rule.header_words):
                claimed.add(rule.name)
                renamed[position] = rule.name
                break
    return renamed


def frame_columns(contract: Contract, header: list[str]) -> list[str]:
    """The column of :attr:`RawSource.frame` each cell of a file's ``header`` became (blank and repeated headers
    made unique, then matched to the contract's columns), position by position."""
    return canonical_headers(contract, _unique_names(header))


def find_header(contract: Contract, rows: list[list[str]]) -> int | None:
    """The 0-based position, among ``rows`` (the top rows of a file, cells as text), of the row naming the most
    contract columns (by name, alias or header word); the first such row on a tie; None when no row names any."""
    known = set(contract.column_names)
    best, best_count = None, 0
    for position, cells in enumerate(rows):
        cells = [str(cell).strip() for cell in cells]
        named = {column for column in canonical_headers(contract, cells) if column in known} if any(cells) else set()
        if len(named) > best_count:
            best, best_count = position, len(named)
    return best


def read_source(
    contract: Contract, data_dir: Path, *, path_override: str | None = None, url_override: str | None = None
) -> RawSource:
    """Read ``contract``'s source from the inbox ``data_dir``. ``path_override`` (``os.pathsep``-separated
    patterns) replaces the contract's paths, ``url_override`` its database URL (the settings'
    ``SATUPEKERJA_SOURCE_<SOURCE>_PATH`` / ``_URL``)."""
    base = Path(data_dir)
    settings = contract.read
    with _collector_paused():
        if settings.format == "sql":
            parts = [_read_sql(contract, settings, base, url_override)]
        else:
            parts = [
                _read_file(contract, settings, path, base) for path in _resolve_paths(contract, base, path_override)
            ]
        return _assemble(contract, parts)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a source's rows are built as Python lists (no reference
    cycles among them): each full collection walked every row built so far, a cost growing faster than the
    rows (Dukcapil's database at 939,197 rows: 12.3 CPU s to read, 3.9 s of it in the collector)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_file(contract: Contract, path: Path, name: str | None = None) -> RawSource:
    """Read one given file with ``contract``'s read settings (format, encoding, delimiter, header detection,
    footers), not the contract's configured paths: a list a member of staff brings. ``name`` is the file name
    shown in messages and lineage (default: the path's name). Raises :class:`SourceReadError` when the file is
    missing or is not a readable workbook."""
    path = Path(path)
    shown = name or path.name
    if not path.is_file():
        raise SourceReadError(f"source {contract.source}: file not found: {shown}")
    return _assemble(contract, [_read_file(contract, contract.read, path, path.parent, name=shown)])


# -- assembling ---------------------------------------------------------------------------------------------


def _assemble(contract: Contract, parts: list[_FileRead]) -> RawSource:
    parts = [_check_required_columns(contract, part) for part in parts]
    for part in parts:
        _close_account(part)
    dropped: list[str] = []
    if not contract.required and len(parts) > 1 and any(not part.problems for part in parts):
        # An optional multi-file source (community lists) degrades per file: a bad file is dropped with a
        # warning naming it, the others are read.
        for part in parts:
            if part.problems:
                dropped.extend(f"file {part.name} dilewati / skipped: {problem}" for problem in part.problems)
    frames: list[pd.DataFrame] = []
    problems: list[str] = []
    row_problems: list[tuple[int, str, str, str]] = []
    offset = 0
    for part in parts:
        if part.problems:
            if not dropped:
                problems.extend(part.problems)
            continue
        frame = part.frame.set_axis(
            canonical_headers(contract, list(part.frame.columns[:-2])) + list(LINEAGE_COLUMNS), axis=1
        )
        frames.append(frame)
        row_problems.extend((offset + row, column, value, reason) for row, column, value, reason in part.row_problems)
        offset += len(frame)
    known = list(contract.column_names)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=known + list(LINEAGE_COLUMNS))
    text_columns = [column for column in frame.columns if column != SOURCE_ROW]
    frame = frame.astype({column: "str" for column in text_columns}).astype({SOURCE_ROW: "int64"})
    ordered = [c for c in known if c in frame.columns] + [c for c in frame.columns if c not in known]
    frame = frame[[c for c in ordered if c not in LINEAGE_COLUMNS] + list(LINEAGE_COLUMNS)]
    return RawSource(
        source=contract.source,
        frame=frame.reset_index(drop=True),
        files=[part.name for part in parts],
        headers={part.name: part.header for part in parts if not part.problems},
        file_problems=problems,
        row_problems=pd.DataFrame(row_problems, columns=ROW_PROBLEM_COLUMNS).astype({"row": "int64"}),
        lines={part.name: part.lines for part in parts},
        dropped_files=dropped,
    )


def _close_account(part: _FileRead) -> None:
    """Finish a file's line accounting and check it: a file whose lines do not add up is refused."""
    account = part.lines
    if part.problems:
        account.rows_read = account.lines_header = account.lines_blank = account.lines_continuation = 0
        account.lines_file_error = account.lines_physical
        return
    account.rows_read = len(part.frame)
    if not account.balanced():
        part.problems.append(
            f"file {part.name}: baris fisik tidak terhitung lengkap / line accounting does not balance "
            f"({account.describe()}); file refused"
        )
        account.rows_read = account.lines_header = account.lines_blank = account.lines_continuation = 0
        account.lines_file_error = account.lines_physical


def required_columns(contract: Contract) -> list[str]:
    """Columns every file of the source must have: required columns and the record key."""
    return [r.name for r in contract.columns if r.required or r.name in contract.record_key]


def looks_like_data(cell: str) -> bool:
    """A header cell that could be a value (digits, an e-mail, a long text): never shown in a message."""
    return bool(re.search(r"\d|@", cell)) or len(cell) > 40


def missing_columns_problem(contract: Contract, name: str, header: list[str], unit: str = "line") -> str | None:
    """The file error for required columns missing from ``header``, or None.

    Found cells are named only when they look like header text and resemble a missing column's name (a rename);
    a header line that matches almost nothing is probably data (the header line is missing): no cell is shown.
    """
    import difflib

    needed = required_columns(contract)
    canonical = canonical_headers(contract, header)
    missing = [column for column in needed if column not in canonical]
    if not missing:
        return None
    known = set(contract.column_names)
    unexpected = [
        (position, orig)
        for position, (orig, column) in enumerate(zip(header, canonical, strict=True), 1)
        if column not in known
    ]
    found = len(needed) - len(missing)
    if found * 2 < len(needed):
        return (
            f"file {name}: {unit} {contract.read.header_row} bukan header yang dikenal: hanya {found} dari "
            f"{len(needed)} kolom wajib ditemukan (baris header hilang atau terhapus?) / {unit} "
            f"{contract.read.header_row} does not look like the header: only {found} of {len(needed)} required "
            f"columns found (header line missing?); required column(s) {missing} missing; "
            f"{len(header)} cells found, their values are not shown"
        )
    message = f"file {name}: required column(s) {missing} missing"
    if not unexpected:
        return message
    shown = [orig if orig and not looks_like_data(orig) else f"(column {position})" for position, orig in unexpected]
    candidates = [orig for _, orig in unexpected if orig and not looks_like_data(orig)]
    hints = []
    for column in missing:
        close = difflib.get_close_matches(column.casefold(), [c.casefold() for c in candidates], n=1, cutoff=0.5)
        if close:
            original = next(c for c in candidates if c.casefold() == close[0])
            hints.append(f"{column!r} may have been renamed to {original!r}")
    return f"{message}; unexpected header(s) {shown} present ({'; '.join(hints) if hints else 'renamed?'})"


def _check_required_columns(contract: Contract, part: _FileRead) -> _FileRead:
    if part.problems or (contract.read.format == "sql" and not part.header):
        return part
    problem = missing_columns_problem(contract, part.name, part.header, part.unit)
    if problem is not None:
        part.problems.append(problem)
    return part


def _rows_frame(name: str, header: list[str], rows: list[list[Any]], row_numbers: list[int]) -> pd.DataFrame:
    """Rows (already padded to the header's width) as an all-text frame with lineage columns."""
    cells = pd.DataFrame(rows, columns=range(len(header)), dtype=object)
    frame = pd.DataFrame({position: _text_column(cells[position]) for position in cells.columns}, index=cells.index)
    frame.columns = _unique_names(header)
    frame[SOURCE_FILE] = Path(name).name
    frame[SOURCE_ROW] = pd.Series(row_numbers, index=frame.index, dtype="int64")
    return frame


def _unique_names(header: list[str]) -> list[str]:
    """Blank headers become ``(column N)``; repeated headers get ``.1``, ``.2`` like pandas does."""
    seen: dict[str, int] = {}
    names = []
    for position, name in enumerate(header, start=1):
        name = name if name else f"(column {position})"
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if count == 0 else f"{name}.{count}")
    return names


def _text_column(values: pd.Series) -> pd.Series:
    """Any cell values as text: strings as written, whole numbers without ``.0``, dates in ISO, empty as NA."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    text = values if kind in ("string", "empty") else _integer_text(values) if kind == "integer" else None
    if text is None:
        text = values.map(_cell_text, na_action="ignore")
    text = text.astype("str")
    return text.mask(text == "")


def _integer_text(values: pd.Series) -> pd.Series | None:
    """Integer cells (SQL drivers return Python ints) as text like ``str(int)``, without a Python call per cell;
    None when a value does not fit int64."""
    try:
        return values.astype("Int64").astype("str")
    except (OverflowError, TypeError, ValueError):
        return None


def _cell_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return str(int(value)) if value == value and value % 1 == 0 else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", errors="replace")
    return str(value)


# -- files --------------------------------------------------------------------------------------------------


def _display(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _resolve_paths(contract: Contract, base: Path, override: str | None = None) -> list[Path]:
    patterns = tuple(override.split(os.pathsep)) if override else contract.read.paths
    found: dict[str, Path] = {}
    for pattern in patterns:
        full = str(base / pattern)
        if glob.has_magic(pattern):
            found.update((p, Path(p)) for p in sorted(glob.glob(full)) if Path(p).is_file())
        elif Path(full).is_file():
            found[full] = Path(full)
        else:
            raise SourceReadError(f"source {contract.source}: file not found: {pattern} (in {base})")
    if not found:
        raise SourceReadError(f"source {contract.source}: no file matches {' or '.join(patterns)} (in {base})")
    return list(found.values())


def _read_file(
    contract: Contract, settings: ReadSettings, path: Path, base: Path, name: str | None = None
) -> _FileRead:
    name = name or _display(path, base)
    fmt = settings.format
    if fmt == "auto":
        fmt = "excel" if path.suffix.lower() in _EXCEL_SUFFIXES else "csv"
    try:
        if path.stat().st_size == 0:
            return _FileRead(name, pd.DataFrame(), [], problems=[f"file {name} is empty (0 bytes)"])
        if fmt == "excel":
            return _read_excel(contract, name, path, settings)
        return _read_csv(name, path.read_bytes(), settings, contract)
    except OSError as error:
        raise SourceReadError(
            f"source {contract.source}: cannot read file {name} ({error.strerror})",
            transient=not isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)),
        ) from error


# UTF-8 multi-byte sequences (2- to 4-byte). In a file declared in a single-byte code page (cp1252, latin-1)
# they are almost certainly UTF-8 text: read as cp1252 ``JOSÉ`` would become ``JOSÃ‰``.
_UTF8_SEQUENCE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")


def _decode(name: str, data: bytes, encoding: str) -> tuple[str | None, str | None]:
    """Decode strictly. UTF-8 is read as ``utf-8-sig`` so a byte-order mark never sticks to the first header.

    A file declared in a single-byte code page that holds UTF-8 sequences is refused (mojibake would pass
    silently: every byte decodes), naming the first line where they occur.
    """
    codec = codecs.lookup(encoding).name
    if codec != "utf-8" and _single_byte(codec):
        found = _UTF8_SEQUENCE.search(data)
        if found is not None and (data.startswith(codecs.BOM_UTF8) or _decodes_as_utf8(data)):
            line = data.count(b"\n", 0, found.start()) + 1
            return None, (
                f"file {name}: teks tersimpan sebagai UTF-8, bukan {encoding} seperti kata kontrak "
                f"(baris {line}) / text is UTF-8, the contract says {encoding} (first at line {line}); "
                "fix the contract's encoding or re-export the file"
            )
    try:
        return data.decode("utf-8-sig" if codec == "utf-8" else encoding), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, (
            f"file {name}: bytes not decodable as {encoding} at line {line}, "
            f"byte offset {error.start} (file saved in another encoding?)"
        )


def _single_byte(codec: str) -> bool:
    try:
        return len(bytes(range(256)).decode(codec, errors="replace")) == 256 and "a".encode(codec) == b"a"
    except LookupError:
        return False


def _decodes_as_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _physical_lines(data: bytes | str) -> int:
    """Lines as the CSV reader sees them: ended by LF, CRLF or a lone CR; a last line without an end counts."""
    newline, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    ends = data.count(newline) + data.count(cr) - data.count(cr + newline)  # type: ignore[arg-type, operator]  # same type as data
    return ends + (1 if data and not data.endswith((newline, cr)) else 0)  # type: ignore[arg-type]  # same type as data


csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))


def _read_csv(name: str, data: bytes, settings: ReadSettings, contract: Contract | None = None) -> _FileRead:
    """A CSV file, every physical line accounted for.

    The C ``csv`` reader parses the whole text once. When every record is one line (``line_num`` equals the
    record count: the usual case) records and lines correspond one to one. Otherwise the records spanning
    several lines are inspected: a quoted field that runs over line ends *and* swallows delimiters (or a
    multi-line record whose field count is wrong) is a stray quote, not an address with a line break; each line
    it covers becomes its own row, quarantined with its line number, so no line is merged silently.
    """
    physical = _physical_lines(data)
    text, problem = _decode(name, data, settings.encoding)
    for fallback in settings.fallback_encodings if problem else ():
        text, fallback_problem = _decode(name, data, fallback)
        if not fallback_problem:
            problem = None
            break
    if problem:
        return _FileRead(name, pd.DataFrame(), [], problems=[problem], lines=LineAccount(lines_physical=physical))
    assert text is not None  # decoded whenever there is no problem
    if settings.delimiter == "auto":
        settings = replace(settings, delimiter=_sniff_delimiter(text))
    fast = _read_csv_fast(name, text, settings, contract)
    if fast is not None:
        return fast
    delimiter = settings.delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        return _FileRead(
            name,
            pd.DataFrame(),
            [],
            problems=[f"file {name}: unreadable CSV at line {reader.line_num + 1} ({error})"],
            lines=LineAccount(lines_physical=physical),
        )
    physical = reader.line_num
    account = LineAccount(lines_physical=physical)
    if settings.header_search_rows and contract is not None:
        found = find_header(contract, records[: settings.header_search_rows])
        if found is None:
            return _no_header(contract, name, settings, "line", account)
        settings = replace(settings, header_row=found + 1)
    header_at = settings.header_row - 1
    if len(records) <= header_at:
        return _table(name, None, [], [], settings, unit="line", delimiter=delimiter, lines=account)
    header = [value.strip() for value in records[header_at]]
    single_line = physical == len(records)
    starts = range(1, len(records) + 1) if single_line else _record_start_lines(text, delimiter)
    ends = starts if single_line else [*(start - 1 for start in starts[1:]), physical]
    account.lines_header = ends[header_at]
    kept = [i for i in range(header_at + 1, len(records)) if "".join(records[i]).strip()]
    if single_line:
        account.lines_blank = len(records) - header_at - 1 - len(kept)
        return _table(
            name,
            header,
            [records[i] for i in kept],
            [starts[i] for i in kept],
            settings,
            unit="line",
            delimiter=delimiter,
            lines=account,
        )
    return _table_with_spans(name, text, header, records, kept, starts, ends, settings, account)


#: Every character Python's ``str.strip()`` removes, as a regular-expression class (a row whose fields hold only
#: these is blank, as for the careful reader's ``"".join(fields).strip()``).
_BLANK_CELL = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]*$"


def _read_csv_fast(name: str, text: str, settings: ReadSettings, contract: Contract | None) -> _FileRead | None:
    """The usual file, parsed by Arrow's C++ CSV reader into Arrow string columns; None when it is not usual.

    Usual: the header is found among the first records exactly as :func:`_read_csv` finds it (Python's ``csv``
    on those few lines); every record below it is one physical line with exactly the header's number of fields
    (Arrow refuses any other count); no footer patterns. The line accounting must reconcile: the non-empty
    physical lines below the header are exactly the records Arrow parsed (a quoted field running over a line
    end makes one record of several non-empty lines and the file goes to the careful path). Cells are taken as
    written (no type or null inference: ``NA`` stays the text ``NA``); empty cells become NA as in
    :func:`_text_column`. Everything else (ragged lines, stray quotes, multi-line fields, footers, refusals and
    their messages) is the careful path's: the result of this one is the same frame and the same accounting.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    delimiter = settings.delimiter
    if settings.footer or len(delimiter) != 1 or delimiter in '"\r\n' or not text:
        return None
    searched = settings.header_search_rows if settings.header_search_rows and contract is not None else 0
    head_lines: list[str] = []
    reader = csv.reader(_lines_read(text, head_lines), delimiter=delimiter)
    head: list[list[str]] = []
    line_ends: list[int] = []
    try:
        for record in reader:
            head.append(record)
            line_ends.append(reader.line_num)
            if len(head) >= max(searched, settings.header_row):
                break
    except csv.Error:
        return None
    header_at = settings.header_row - 1
    if searched and contract is not None:
        found = find_header(contract, head[:searched])
        if found is None:
            return None
        header_at = found
    if len(head) <= header_at:
        return None
    header = [value.strip() for value in head[header_at]]
    width = len(header)
    if width < 2 or not any(header):
        return None
    header_lines = line_ends[header_at]
    body = text[sum(len(line) for line in head_lines[:header_lines]) :].encode("utf-8")
    names = [f"c{position}" for position in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    # Physical lines of the body (ended by LF, CRLF or a lone CR, as Python's csv reads them), empty or not.
    raw = np.frombuffer(body, dtype=np.uint8)
    lf, cr = raw == 10, raw == 13
    cr[:-1] &= ~lf[1:]  # a CR right before an LF is part of that line end
    ends = np.flatnonzero(lf | cr)
    del lf, cr
    crlf = np.zeros(len(ends), dtype=bool)
    after_first = ends > 0
    crlf[after_first] = (raw[ends[after_first]] == 10) & (raw[ends[after_first] - 1] == 13)
    starts = np.concatenate([[0], ends[:-1] + 1])
    lengths = ends - crlf - starts
    if len(ends) == 0 or ends[-1] != len(raw) - 1:
        lengths = np.concatenate([lengths, [len(raw) - (ends[-1] + 1 if len(ends) else 0)]])
    non_empty = np.flatnonzero(lengths > 0)
    if len(non_empty) != table.num_rows or table.num_rows == 0:
        return None
    # Rows whose every cell is whitespace (``,,,``): blank lines. Candidates narrowed column by column.
    candidates = np.arange(table.num_rows)
    for column in table.columns:
        if len(candidates) == 0:
            break
        cells = column.take(pa.array(candidates)) if len(candidates) < table.num_rows else column
        candidates = candidates[pc.match_substring_regex(cells, _BLANK_CELL).to_numpy(zero_copy_only=False)]
    kept = np.ones(table.num_rows, dtype=bool)
    kept[candidates] = False
    blank = ~kept
    if not kept.any():
        return None
    if not kept.all():
        table = table.filter(pa.array(kept))
    empty = pa.scalar(None, pa.string())
    frame = pd.DataFrame(
        {
            label: pd.Series(pc.if_else(pc.equal(column, ""), empty, column), dtype="str")
            for label, column in zip(_unique_names(header), table.columns, strict=True)
        }
    )
    frame[SOURCE_FILE] = Path(name).name
    frame[SOURCE_ROW] = pd.Series(header_lines + 1 + non_empty[kept], dtype="int64")
    account = LineAccount(
        lines_physical=header_lines + len(lengths),
        lines_header=header_lines,
        lines_blank=len(lengths) - len(non_empty) + int(blank.sum()),
    )
    return _FileRead(name, frame, header, lines=account, unit="line")


def _lines_read(text: str, seen: list[str]) -> Iterator[str]:
    """The lines of ``text`` as ``io.StringIO(text, newline="")`` yields them (ends kept), lazily, each also
    appended to ``seen``: the top of a big file is read without copying all of it."""
    for match in _LINE.finditer(text):
        seen.append(match.group())
        yield match.group()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _table_with_spans(
    name: str,
    text: str,
    header: list[str],
    records: list[list[str]],
    kept: list[int],
    starts: Sequence[int],
    ends: Sequence[int],
    settings: ReadSettings,
    account: LineAccount,
) -> _FileRead:
    """Rows of a file where some records span several lines: stray-quote spans are split back into lines."""
    delimiter, width = settings.delimiter, len(header)
    kept_set = set(kept)
    account.lines_blank = sum(
        ends[i] - starts[i] + 1 for i in range(settings.header_row, len(records)) if i not in kept_set
    )
    physical_lines: list[str] | None = None
    rows: list[list[Any]] = []
    numbers: list[int] = []
    stray: list[tuple[int, str]] = []
    for i in kept:
        start, end = starts[i], ends[i]
        fields = records[i]
        if end > start and _swallows(fields, width, delimiter):
            if physical_lines is None:
                physical_lines = io.StringIO(text, newline="").readlines()
            reason = (
                f"baris {start}–{end}: tanda kutip membuka kolom yang melewati {end - start} akhir baris dan "
                f"menelan pemisah kolom (tanda kutip nyasar?); setiap baris dikarantina / lines {start}–{end}: "
                f"a quoted field runs over {end - start} line ends and swallows delimiters (stray quote?); "
                "each line quarantined"
            )
            for number in range(start, end + 1):
                line = physical_lines[number - 1].rstrip("\r\n")
                stray.append((len(rows), reason))
                rows.append(next(csv.reader([line], delimiter=delimiter), []))
                numbers.append(number)
        else:
            account.lines_continuation += end - start
            rows.append(fields)
            numbers.append(start)
    read = _table(name, header, rows, numbers, settings, unit="line", delimiter=delimiter, lines=account)
    if not read.problems:
        flagged = {position for position, _ in stray}
        read.row_problems = [problem for problem in read.row_problems if problem[0] not in flagged]
        read.row_problems += [(position, "", "stray_quote", reason) for position, reason in stray]
        read.row_problems.sort(key=lambda problem: problem[0])
    return read


def _sniff_delimiter(text: str) -> str:
    """``read.delimiter: auto``: the candidate (``,`` ``;`` tab ``|``) written most often in the first 50 lines."""
    sample = text.splitlines()[:50]
    counts = {candidate: sum(line.count(candidate) for line in sample) for candidate in _CANDIDATE_DELIMITERS}
    return max(_CANDIDATE_DELIMITERS, key=lambda candidate: counts[candidate])


def _no_header(contract: Contract, name: str, settings: ReadSettings, unit: str, lines: LineAccount) -> _FileRead:
    """``header_row: auto`` found no row naming a contract column: a file problem naming the columns looked for."""
    looked_for = ", ".join(contract.column_names[:6])
    problem = (
        f"file {name}: judul kolom tidak ditemukan di {settings.header_search_rows} {_UNIT_ID[unit]} teratas "
        f"(dicari: {looked_for}…) / no header found in the first {settings.header_search_rows} {unit}s: no "
        f"{unit} names a column of the contract"
    )
    return _FileRead(name, pd.DataFrame(), [], problems=[problem], lines=lines, unit=unit)


_UNIT_ID = {"line": "baris", "row": "baris"}


def _footer_rows(rows: list[list[Any]], row_numbers: list[int], settings: ReadSettings, unit: str) -> dict[int, str]:
    """Footer rows (position → reason) under ``read.footer``: every row whose first filled cell matches a footer
    pattern (``Jumlah``, ``Total``, ``Mengetahui``), and the rows of one filled cell after the first such row at
    the end of the table (the names under a signature). They are read, then quarantined with the reason."""
    if not settings.footer:
        return {}
    pattern = re.compile("|".join(f"(?:{p})" for p in settings.footer), re.IGNORECASE)
    filled = [[str(v).strip() for v in fields if v is not None and str(v).strip()] for fields in rows]
    marked = [bool(cells) and pattern.search(cells[0]) is not None for cells in filled]
    tail = len(rows)
    while tail > 0 and (marked[tail - 1] or len(filled[tail - 1]) <= 1):
        tail -= 1
    first_in_tail = next((i for i in range(tail, len(rows)) if marked[i]), len(rows))
    footers = {i for i, is_marked in enumerate(marked) if is_marked} | set(range(first_in_tail, len(rows)))
    return {
        i: (
            f"{_UNIT_ID[unit]} {row_numbers[i]}: catatan kaki di bawah tabel (jumlah, total, tanda tangan), bukan "
            f"data orang / {unit} {row_numbers[i]}: footer row (total, signature), not a person's data"
        )
        for i in sorted(footers)
    }


def _swallows(fields: list[str], width: int, delimiter: str) -> bool:
    """A multi-line record that is a stray quote's doing: a wrong field count, or a field holding both a line
    break and the delimiter (a legitimate multi-line address has the first, rarely the second)."""
    if len(fields) != width:
        return True
    return any(("\n" in value or "\r" in value) and delimiter in value for value in fields)


def _record_start_lines(text: str, delimiter: str) -> list[int]:
    """The line each CSV record starts on, for files where quoted fields span several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, line = [], 0
    for _ in reader:
        starts.append(line + 1)
        line = reader.line_num
    return starts


def _table(
    name: str,
    header: list[str] | None,
    rows: list[list[Any]],
    row_numbers: list[int],
    settings: ReadSettings,
    *,
    unit: str,
    delimiter: str | None = None,
    lines: LineAccount | None = None,
) -> _FileRead:
    """Check the header, pad ragged rows and build the frame; whole-file problems end the file here."""
    lines = lines if lines is not None else LineAccount()

    def refused(problem: str, found: list[str]) -> _FileRead:
        return _FileRead(name, pd.DataFrame(), found, problems=[problem], lines=lines, unit=unit)

    if not header or not any(header):
        return refused(f"file {name}: no header on {unit} {settings.header_row}", [])
    if delimiter is not None and len(header) == 1:
        guess = next((d for d in _CANDIDATE_DELIMITERS if d != delimiter and d in header[0]), None)
        if guess is not None:
            return refused(
                f"file {name}: only one column found splitting on {delimiter!r}; delimiter looks like {guess!r}", header
            )
    if not rows:
        return refused(f"file {name} has a header but no data rows", header)
    width = len(header)
    footers = _footer_rows(rows, row_numbers, settings, unit)
    ragged: list[tuple[int, str, str, str]] = [(position, "", "footer", reason) for position, reason in footers.items()]
    for position, fields in enumerate(rows):
        if position in footers:
            rows[position] = (list(fields) + [None] * width)[:width]
            continue
        if len(fields) == width:
            continue
        extra = fields[width:]
        if len(fields) < width:
            reason = (
                f"{unit} {row_numbers[position]} has {len(fields)} of {width} fields "
                f"(truncated or ragged {unit}); missing values left empty"
            )
            ragged.append((position, "", "ragged_row", reason))
        elif any(str(value).strip() for value in extra if value is not None):
            reason = f"{unit} {row_numbers[position]} has {len(fields)} fields, the header has {width}"
            ragged.append((position, "", "ragged_row", reason))
        rows[position] = (list(fields) + [None] * width)[:width]
    ragged.sort(key=lambda problem: problem[0])
    frame = _rows_frame(name, header, rows, row_numbers)
    return _FileRead(name, frame, header, row_problems=ragged, lines=lines, unit=unit)


#: Whole numbers up to here survive a double exactly; calamine reads every number cell as a double.
_EXACT_FLOAT_LIMIT = 2**53


def _read_excel(contract: Contract, name: str, path: Path, settings: ReadSettings) -> _FileRead:
    """One sheet of a workbook, parsed by calamine (Rust): the workbook's shared strings once, then only the
    cells of this sheet, so three contracts reading three sheets of one workbook parse it about once in all
    (openpyxl scanned every sheet of the workbook on each open, and parsed cells ten times slower).

    Cells come back as ``str``, ``float`` (every number: whole ones are written without ``.0``), ``bool``,
    ``datetime``/``date``/``time`` (cells with a date or time format) or ``timedelta``; an empty cell is ``""``.
    A whole number beyond 2**53 written as plain digits (a 16-digit NIK from province 91 or above stored as a
    number by a tool other than Excel) is taken from the sheet's XML, digit for digit, as openpyxl read it.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # not a zip, a missing or damaged part, a bad content type...
        raise SourceReadError(
            f"source {contract.source}: file {name} is not a readable Excel workbook ({type(error).__name__})"
        ) from error
    try:
        sheet_names = list(workbook.sheet_names)
        if settings.sheet is not None and settings.sheet not in sheet_names:
            return _FileRead(
                name,
                pd.DataFrame(),
                [],
                problems=[f"file {name}: sheet {settings.sheet!r} not found; sheets present: {sheet_names}"],
            )
        if not sheet_names:
            return _FileRead(name, pd.DataFrame(), [], problems=[f"file {name}: the workbook has no sheet"])
        sheet = workbook.get_sheet_by_name(settings.sheet if settings.sheet is not None else sheet_names[0])
        cells_by_row = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # a damaged part inside the zip: XML parse errors, bad compressed data...
        raise _damaged(contract, name, error) from error
    finally:
        workbook.close()
    big = [
        (row, column)
        for row, cells in enumerate(cells_by_row)
        for column, cell in enumerate(cells)
        if type(cell) is float and abs(cell) >= _EXACT_FLOAT_LIMIT
    ]
    if big:
        # A number written as plain digits keeps them (openpyxl read those as int); one written with a decimal
        # point or an exponent (3.2761120029400010e+16) is a double in the file itself, as calamine reads it.
        digits = _whole_number_digits(path, settings.sheet if settings.sheet is not None else sheet_names[0])
        if digits is None:
            return _read_excel_exact(contract, name, path, settings)
        for row, column in big:
            written = digits.get(_cell_ref(row, column))
            if written is not None:
                cells_by_row[row][column] = int(written)
    if settings.header_search_rows:
        found = find_header(contract, [_excel_header(cells) for cells in cells_by_row[: settings.header_search_rows]])
        if found is None:
            account = LineAccount(lines_physical=len(cells_by_row))
            return _no_header(contract, name, settings, "row", account)
        settings = replace(settings, header_row=found + 1)
    return _sheet_table(name, iter(cells_by_row[settings.header_row - 1 :]), settings)


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WHOLE_NUMBER_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*>(?:<f\b[^>]*(?:/>|>[^<]*</f>))?<v>(-?[0-9]{16,})</v>'
)


def _whole_number_digits(path: Path, sheet: str) -> dict[str, str] | None:
    """Every whole-number cell of 16 digits or more in ``sheet``, by cell reference, as written in the sheet's
    XML (calamine hands numbers over as doubles, which keep only the first 15-17 digits); None when the sheet's
    part cannot be found (the caller then reads the sheet with openpyxl)."""
    import posixpath
    import xml.etree.ElementTree as ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            relation = next(
                (node.get(_RELATION_ID) for node in book.iter(f"{_SHEET_NS}sheet") if node.get("name") == sheet), None
            )
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            target = next((node.get("Target") for node in rels if node.get("Id") == relation), None)
            if relation is None or target is None:
                return None
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            xml = archive.read(part)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return None
    return {ref.decode(): value.decode() for ref, value in _WHOLE_NUMBER_CELL.findall(xml)}


def _cell_ref(row: int, column: int) -> str:
    """``A1`` reference of a 0-based (row, column)."""
    letters, number = "", column + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row + 1}"


def _damaged(contract: Contract, name: str, error: Exception) -> SourceReadError:
    return SourceReadError(
        f"source {contract.source}: file {name} rusak, tidak dapat dibaca sebagai workbook Excel / is not a "
        f"readable Excel workbook (damaged part: {type(error).__name__})"
    )


def _sheet_table(name: str, cells_by_row: Iterable[Sequence[Any]], settings: ReadSettings) -> _FileRead:
    """The header (on ``settings.header_row``) and the non-empty rows under it, with their sheet row numbers
    and the account of every sheet row (header, blank, data)."""
    header: list[str] | None = None
    rows: list[list[Any]] = []
    row_numbers: list[int] = []
    lines = LineAccount(lines_physical=settings.header_row - 1, lines_header=settings.header_row - 1)
    for number, cells in enumerate(cells_by_row, start=settings.header_row):
        lines.lines_physical += 1
        if header is None:
            header = _excel_header(cells)
            lines.lines_header += 1
        elif any(cell is not None and str(cell).strip() for cell in cells):
            rows.append(_fit_cells(list(cells), len(header)))
            row_numbers.append(number)
        else:
            lines.lines_blank += 1
    return _table(name, header, rows, row_numbers, settings, unit="row", lines=lines)


def _read_excel_exact(contract: Contract, name: str, path: Path, settings: ReadSettings) -> _FileRead:
    """The sheet through openpyxl, which reads a number cell's digits as written (slow: the exception)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # not a zip, a missing or damaged part, a bad content type...
        raise SourceReadError(
            f"source {contract.source}: file {name} is not a readable Excel workbook ({type(error).__name__})"
        ) from error
    try:
        sheet = workbook[settings.sheet] if settings.sheet is not None else workbook.worksheets[0]
        if settings.header_search_rows:
            top = list(sheet.iter_rows(max_row=settings.header_search_rows, values_only=True))
            found = find_header(contract, [_excel_header(cells) for cells in top])
            if found is None:
                return _no_header(contract, name, settings, "row", LineAccount(lines_physical=sheet.max_row or 0))
            settings = replace(settings, header_row=found + 1)
        return _sheet_table(name, sheet.iter_rows(min_row=settings.header_row, values_only=True), settings)
    except SourceReadError:
        raise
    except Exception as error:  # a damaged part inside the zip: XML parse errors, bad compressed data...
        raise _damaged(contract, name, error) from error
    finally:
        workbook.close()


def _excel_header(cells: Sequence[Any]) -> list[str]:
    header = ["" if cell is None else _cell_text(cell).strip() for cell in cells]
    while header and not header[-1]:
        header.pop()
    return header


def _fit_cells(cells: list[Any], width: int) -> list[Any]:
    """Pad to the header's width (sheets omit trailing empty cells) and drop trailing empty cells beyond it
    (read-only sheets often report a wider range); non-empty cells beyond the header stay, as a ragged row."""
    while len(cells) > width and (cells[-1] is None or not str(cells[-1]).strip()):
        cells.pop()
    return cells + [None] * (width - len(cells))


# -- SQL ----------------------------------------------------------------------------------------------------


def _read_sql(contract: Contract, settings: ReadSettings, base: Path, url_override: str | None = None) -> _FileRead:
    import sqlalchemy as sa
    from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

    url_text = (url_override or settings.url or "").replace("{data_dir}", base.as_posix())
    try:
        url = sa.make_url(url_text)
    except (SQLAlchemyError, ValueError) as error:
        raise SourceReadError(f"source {contract.source}: invalid database URL ({type(error).__name__})") from error
    shown = url.render_as_string(hide_password=True)
    if (
        url.get_backend_name() == "sqlite"
        and url.database
        and url.database != ":memory:"
        and not Path(url.database).is_file()
    ):
        raise SourceReadError(f"source {contract.source}: database file not found: {shown}")
    label = settings.table or "query"
    name = f"{shown} ({label})"
    try:
        engine = sa.create_engine(url)
    except (ImportError, SQLAlchemyError) as error:
        raise SourceReadError(
            f"source {contract.source}: driver basis data {url.drivername!r} tidak tersedia / database driver "
            f"{url.drivername!r} is not installed or not supported ({type(error).__name__}); URL {shown}"
        ) from error
    try:
        with engine.connect() as connection:
            result = connection.execute(_select(sa, engine, settings))
            header = [str(key) for key in result.keys()]  # noqa: SIM118 (a Result iterates rows, not keys)
            rows = [list(row) for row in result]
    except SQLAlchemyError as error:
        raise SourceReadError(
            f"source {contract.source}: cannot read {label} from {shown} ({type(error).__name__}: "
            f"{_first_line(error)})",
            transient=isinstance(error, (OperationalError, InterfaceError)),
        ) from error
    finally:
        engine.dispose()
    read = _table(
        name,
        header,
        rows,
        list(range(1, len(rows) + 1)),
        settings,
        unit="row",
        lines=LineAccount(lines_physical=len(rows)),
    )
    if not read.problems:
        read.frame[SOURCE_FILE] = label
    return read


def _select(sa: ModuleType, engine: Engine, settings: ReadSettings) -> Executable:
    if settings.query:
        return sa.text(settings.query)
    assert settings.table is not None, "a SQL source has a query or a table (checked on load)"
    quote = engine.dialect.identifier_preparer.quote
    order = ", ".join(quote(column) for column in settings.order_by)
    statement = f"SELECT * FROM {quote(settings.table)}" + (f" ORDER BY {order}" if order else "")
    return sa.text(statement)


def _first_line(error: Exception) -> str:
    """The driver's message without SQL parameters (which could hold personal data) and without passwords."""
    message = str(getattr(error, "orig", None) or error).strip().splitlines()
    text = message[0] if message else type(error).__name__
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)[:200]
