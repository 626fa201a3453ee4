"""Data contracts: one YAML file per source, parsed into frozen dataclasses.

A contract says how to read a source (``read``), what its columns must look like (``columns``), which column(s)
identify a record (``record_key``) and how its columns map onto the common person schema (``mapping``). The format
is documented key by key in ``docs/contracts.md``. Loading is strict: an unknown key, a wrong type or a mapping
onto an undeclared column raises :class:`ContractError` naming the file and the key, so a typo in a contract fails
at load time instead of silently dropping a rule.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

import yaml

from data_contracts.date_formats import DateFormatError, check_formats
from data_contracts.roles import (
    CATEGORIES,
    CELL_DIMENSIONS,
    CELL_KINDS,
    DEFAULT_EVIDENCE_DATE,
    SEXES,
    EvidenceRule,
    RoleBook,
    SourceRoles,
)
from data_contracts.schema import PERSON_SCHEMA

PACKAGE_DIR = Path(__file__).resolve().parent
#: The YAML key of each kind of cell weights (:data:`data_contracts.roles.CELL_KINDS`).
_CELL_KEYS = {kind: "cell_weights" if kind == "own" else f"{kind}_cell_weights" for kind in CELL_KINDS}

FORMATS = ("csv", "excel", "sql", "auto")
COLUMN_TYPES = ("string", "name", "integer", "date", "month", "phone", "nik", "sex", "rt", "rt_rw")
ON_FAIL = ("quarantine", "flag")
DERIVED_FROM = ("file_name", "sheet")

# Person-schema fields the standardiser computes itself; a contract cannot map onto them.
COMPUTED_FIELDS = frozenset(
    {
        "source",
        "record_id",
        "source_file",
        "source_row",
        "nik_valid",
        "nik_issue",
        "nik_birth_date",
        "nik_sex",
        "nik_region",
        "kelurahan_code",
        "kecamatan_code",
        "region_match_score",
    }
)
# Mapping targets that are not person-schema columns but feed computed ones (region resolution, RT/RW split).
# ``region``: a value naming a kelurahan or a kecamatan, read at the level it names.
PSEUDO_TARGETS = frozenset({"kelurahan", "kecamatan", "region", "rt_rw"})
REGION_TARGETS = frozenset({"kelurahan", "kecamatan", "region"})
MAPPABLE_FIELDS = frozenset(PERSON_SCHEMA) - COMPUTED_FIELDS | PSEUDO_TARGETS

_SOURCE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TODAY = "today"


class ContractError(ValueError):
    """A contract file is malformed. The message names the file and the offending key."""


@dataclass(frozen=True)
class ReadSettings:
    """How to read a source. File settings apply to csv/excel, ``url``/``table``/``query`` to sql."""

    format: str
    paths: tuple[str, ...] = ()
    encoding: str = "utf-8"
    #: ``encoding: [utf-8, cp1252]``: codecs tried in turn when the file does not decode with ``encoding``
    fallback_encodings: tuple[str, ...] = ()
    delimiter: str = ","
    header_row: int = 1
    #: ``header_row: auto``: the header is searched among the first ``header_search_rows`` rows (0: fixed row)
    header_search_rows: int = 0
    #: regular expressions (case-insensitive) for footer rows below the table: ``Jumlah``, ``Total``, signatures
    footer: tuple[str, ...] = ()
    sheet: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    order_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnRule:
    """One source column and the rules its values must follow."""

    name: str
    type: str = "string"
    required: bool = True
    not_null: bool = False
    unique: bool = False
    pattern: str | None = None
    allowed: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, str], ...] = ()
    case_sensitive: bool = False
    min: float | date | str | None = None
    max: float | date | str | None = None
    aliases: tuple[str, ...] = ()
    header_words: tuple[str, ...] = ()
    on_fail: str = "quarantine"
    description: str = ""
    formats: tuple[str, ...] = ()

    @property
    def synonym_map(self) -> dict[str, str]:
        return dict(self.synonyms)

    def bound(self, which: str, snapshot_date: date | None = None) -> float | date | None:
        """The ``min``/``max`` bound, with ``today`` resolved to the snapshot date (the clock's today without one)."""
        value = self.min if which == "min" else self.max
        if value == _TODAY:
            return snapshot_date if snapshot_date is not None else date.today()
        return value  # type: ignore[return-value]  # the only text bound is "today" (checked on load)


@dataclass(frozen=True)
class FieldMapping:
    """Where one person-schema field comes from: source column(s), a constant, or the file/sheet name."""

    target: str
    columns: tuple[str, ...] = ()
    constant: str | None = None
    derived_from: str | None = None
    pattern: str | None = None
    value_map: tuple[tuple[str, str], ...] = ()
    join: str | None = None
    find_in_text: bool = False


@dataclass(frozen=True)
class Contract:
    """A parsed source contract. ``columns`` keep the YAML order; ``record_key`` is empty for keyless sources."""

    source: str
    title: str
    owner: str
    required: bool
    read: ReadSettings
    record_key: tuple[str, ...]
    columns: tuple[ColumnRule, ...]
    mapping: tuple[FieldMapping, ...]
    description: str = ""
    roles: SourceRoles = field(default_factory=SourceRoles)
    path: Path | None = field(default=None, compare=False)
    #: The short name staff read for the source (web pages, exports); ``title`` when the contract gives none.
    label: str = ""

    @property
    def display_name(self) -> str:
        return self.label or self.title

    def column(self, name: str) -> ColumnRule:
        for rule in self.columns:
            if rule.name == name:
                return rule
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(rule.name for rule in self.columns)


def default_contracts_dir() -> Path:
    """The shipped contracts (this package); ``Settings.contracts_dir`` (``SATUPEKERJA_CONTRACTS_DIR``) is passed
    to :func:`load_contracts` by the callers that use another folder."""
    return PACKAGE_DIR


def load_contracts(contracts_dir: Path | None = None) -> dict[str, Contract]:
    """Every ``*.yaml`` contract in ``contracts_dir`` (default: the shipped contracts in this package),
    keyed by source id, sorted by source id."""
    folder = Path(contracts_dir) if contracts_dir is not None else default_contracts_dir()
    if not folder.is_dir():
        raise ContractError(f"contracts folder {folder} does not exist")
    contracts: dict[str, Contract] = {}
    for path in sorted(folder.glob("*.yaml")):
        contract = load_contract(path)
        if contract.source in contracts:
            other = contracts[contract.source].path
            raise ContractError(f"{path.name}: source {contract.source!r} is already defined in {other.name}")  # type: ignore[union-attr]  # loaded from a file
        contracts[contract.source] = contract
    return dict(sorted(contracts.items()))


def default_role_book() -> RoleBook:
    """Roles of the shipped contracts (this package's folder)."""
    return RoleBook.from_contracts(load_contracts())


def load_contract(path: Path | str) -> Contract:
    """Parse and check one contract file. Raises :class:`ContractError` naming the file and the key."""
    path = Path(path)
    return ContractParser(path).parse(read_contract_document(path))


def read_contract_document(path: Path) -> object:
    """The YAML document of a contract file (source or output); :class:`ContractError` naming the file, and the
    line and column of a syntax error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ContractError(f"{path.name}: cannot read contract ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise ContractError(f"{path.name}: not valid YAML ({yaml_position(error)})") from error


def yaml_position(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unparseable"


class ContractParser:
    """Turns the YAML document into a :class:`Contract`, raising on the first problem with its key path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ContractError:
        return ContractError(f"{self.path.name}: {key}: {problem}")

    def parse(self, document: Any) -> Contract:
        top = self.mapping(document, "(top level)")
        self.known_keys(
            top,
            "(top level)",
            {
                "source",
                "title",
                "label",
                "owner",
                "required",
                "description",
                "read",
                "record_key",
                "columns",
                "mapping",
                "roles",
            },
        )
        source = self.text(top, "source", required=True)
        if not _SOURCE_ID.match(source):
            raise self.fail("source", "must be lower-case letters, digits and underscores, starting with a letter")
        columns = self.columns(top.get("columns"))
        names = {rule.name for rule in columns}
        record_key = self.names(top.get("record_key"), "record_key")
        for key in record_key:
            if key not in names:
                raise self.fail("record_key", f"column {key!r} is not declared under columns")
        read = self.read(self.mapping(top.get("read"), "read"), record_key, names)
        return Contract(
            source=source,
            title=self.text(top, "title", required=True),
            label=self.text(top, "label") or "",
            owner=self.text(top, "owner", required=True),
            required=self.boolean(top, "required", default=True),
            description=self.text(top, "description") or "",
            read=read,
            record_key=record_key,
            columns=columns,
            mapping=self.field_mappings(top.get("mapping"), names),
            roles=self.roles(top.get("roles")),
            path=self.path,
        )

    # -- generic value checks -------------------------------------------------------------------------------

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a mapping")
        return value

    def known_keys(self, block: dict[str, Any], key: str, allowed: set[str]) -> None:
        unknown = sorted(str(k) for k in set(block) - allowed)
        if unknown:
            raise self.fail(key, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")

    @overload
    def text(self, block: dict[str, Any], key: str, *, required: Literal[True], where: str = "") -> str: ...
    @overload
    def text(self, block: dict[str, Any], key: str, *, required: bool = False, where: str = "") -> str | None: ...
    def text(self, block: dict[str, Any], key: str, *, required: bool = False, where: str = "") -> str | None:
        value = block.get(key)
        if value is None:
            if required:
                raise self.fail(f"{where}{key}", "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(f"{where}{key}", "must be text")
        return str(value)

    def boolean(self, block: dict[str, Any], key: str, *, default: bool, where: str = "") -> bool:
        value = block.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{where}{key}", "must be true or false")
        return value

    def choice(
        self, block: dict[str, Any], key: str, choices: tuple[str, ...], *, default: str | None, where: str = ""
    ) -> str:
        value = block.get(key, default)
        if value not in choices:
            raise self.fail(f"{where}{key}", f"must be one of {'|'.join(choices)}")
        return value

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, (str, bool)):
            return (self.scalar(value, key),)
        if isinstance(value, list) and value:
            return tuple(self.scalar(item, key) for item in value)
        raise self.fail(key, "must be a column name or a non-empty list of column names")

    def regex(self, value: Any, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, "must be a regular expression string")
        try:
            re.compile(value)
        except re.error as error:
            raise self.fail(key, f"invalid regular expression ({error})") from error
        return value

    def string_pairs(self, value: Any, key: str) -> tuple[tuple[str, str], ...]:
        if value is None:
            return ()
        block = self.mapping(value, key)
        return tuple((self.scalar(k, key), self.scalar(v, key)) for k, v in block.items())

    def scalar(self, value: Any, key: str) -> str:
        """A YAML scalar as text. YAML 1.1 reads unquoted yes/no/on/off (and ``No``!) as booleans: refuse them."""
        if isinstance(value, bool) or value is None:
            raise self.fail(key, f"value {value!r} was read as a boolean/null: quote it (e.g. 'No', 'Y')")
        if not isinstance(value, (str, int, float)):
            raise self.fail(key, "values must be text or numbers")
        return str(value)

    # -- sections -------------------------------------------------------------------------------------------

    def read(self, block: dict[str, Any], record_key: tuple[str, ...], names: set[str]) -> ReadSettings:
        self.known_keys(
            block,
            "read",
            {
                "format",
                "path",
                "encoding",
                "delimiter",
                "header_row",
                "header_search_rows",
                "footer",
                "sheet",
                "url",
                "table",
                "query",
                "order_by",
            },
        )
        fmt = self.choice(block, "format", FORMATS, default=None, where="read.")
        header_row, search_rows = self.header_position(block)
        footer = self.names(block.get("footer"), "read.footer")
        for position, pattern in enumerate(footer):
            try:
                re.compile(pattern)
            except re.error as error:
                raise self.fail(f"read.footer[{position}]", f"invalid regular expression ({error})") from error
        delimiter = self.text(block, "delimiter", where="read.") or ","
        if len(delimiter) != 1 and delimiter != "auto":
            raise self.fail("read.delimiter", "must be a single character, or auto")
        encoding, *fallbacks = self.names(block.get("encoding"), "read.encoding") or ("utf-8",)
        for codec in (encoding, *fallbacks):
            try:
                "".encode(codec)
            except LookupError as error:
                raise self.fail("read.encoding", f"unknown encoding {codec!r}") from error
        settings = ReadSettings(
            format=fmt,
            paths=self.names(block.get("path"), "read.path"),
            encoding=encoding,
            fallback_encodings=tuple(fallbacks),
            delimiter=delimiter,
            header_row=header_row,
            header_search_rows=search_rows,
            footer=footer,
            sheet=self.text(block, "sheet", where="read."),
            url=self.text(block, "url", where="read."),
            table=self.text(block, "table", where="read."),
            query=self.text(block, "query", where="read."),
            order_by=self.names(block.get("order_by"), "read.order_by") or record_key,
        )
        self.check_read(settings, names)
        return settings

    def header_position(self, block: dict[str, Any]) -> tuple[int, int]:
        """``(header_row, header_search_rows)``: a fixed row (search 0), or ``auto`` with the rows to search."""
        header_row = block.get("header_row", 1)
        search = block.get("header_search_rows")
        if header_row == "auto":
            search = 20 if search is None else search
            if isinstance(search, bool) or not isinstance(search, int) or search < 1:
                raise self.fail("read.header_search_rows", "must be a whole number >= 1 (rows searched for the header)")
            return 1, search
        if search is not None:
            raise self.fail("read.header_search_rows", "only with header_row: auto")
        if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
            raise self.fail(
                "read.header_row", "must be a whole number >= 1 (the header's row as seen in the file), or auto"
            )
        return header_row, 0

    def check_read(self, settings: ReadSettings, names: set[str]) -> None:
        if settings.format == "sql":
            if not settings.url:
                raise self.fail("read.url", "is required for format sql")
            if bool(settings.table) == bool(settings.query):
                raise self.fail("read.table", "give exactly one of table or query for format sql")
            for column in settings.order_by:
                if column not in names:
                    raise self.fail("read.order_by", f"column {column!r} is not declared under columns")
        elif not settings.paths:
            raise self.fail("read.path", f"is required for format {settings.format}")

    def columns(self, value: Any) -> tuple[ColumnRule, ...]:
        block = self.mapping(value, "columns")
        if not block:
            raise self.fail("columns", "declare at least one column")
        return tuple(self.column(self.scalar(name, "columns"), spec) for name, spec in block.items())

    def column(self, name: str, spec: Any) -> ColumnRule:
        key = f"columns.{name}"
        spec = {} if spec is None else self.mapping(spec, key)
        self.known_keys(
            spec,
            key,
            {
                "type",
                "required",
                "not_null",
                "unique",
                "pattern",
                "allowed",
                "synonyms",
                "case_sensitive",
                "min",
                "max",
                "aliases",
                "header_words",
                "on_fail",
                "description",
                "format",
            },
        )
        where = f"{key}."
        column_type = self.choice(spec, "type", COLUMN_TYPES, default="string", where=where)
        allowed = spec.get("allowed") or []
        if not isinstance(allowed, list):
            raise self.fail(f"{where}allowed", "must be a list of values")
        synonyms = self.string_pairs(spec.get("synonyms"), f"{where}synonyms")
        canonical = {self.scalar(value, f"{where}allowed") for value in allowed}
        stray = sorted(target for _, target in synonyms if target not in canonical)
        if stray:
            raise self.fail(f"{where}synonyms", f"maps onto values not under allowed: {stray}")
        return ColumnRule(
            name=name,
            type=column_type,
            required=self.boolean(spec, "required", default=True, where=where),
            not_null=self.boolean(spec, "not_null", default=False, where=where),
            unique=self.boolean(spec, "unique", default=False, where=where),
            pattern=self.regex(spec.get("pattern"), f"{where}pattern"),
            allowed=tuple(self.scalar(value, f"{where}allowed") for value in allowed),
            synonyms=synonyms,
            case_sensitive=self.boolean(spec, "case_sensitive", default=False, where=where),
            min=self.bound(spec.get("min"), column_type, f"{where}min"),
            max=self.bound(spec.get("max"), column_type, f"{where}max"),
            aliases=self.names(spec.get("aliases"), f"{where}aliases"),
            header_words=tuple(
                word.casefold() for word in self.names(spec.get("header_words"), f"{where}header_words")
            ),
            on_fail=self.choice(spec, "on_fail", ON_FAIL, default="quarantine", where=where),
            description=self.text(spec, "description", where=where) or "",
            formats=self.date_formats(spec.get("format"), column_type, f"{where}format"),
        )

    def date_formats(self, value: Any, column_type: str, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if column_type not in ("date", "month"):
            raise self.fail(key, "applies to date and month columns only")
        formats = self.names(value, key)
        try:
            check_formats(formats, column_type)
        except DateFormatError as error:
            raise self.fail(key, str(error)) from error
        return formats

    def bound(self, value: Any, column_type: str, key: str) -> float | date | str | None:
        if value is None:
            return None
        if column_type in ("date", "month"):
            if value == _TODAY or isinstance(value, date):
                return value
            try:
                return date.fromisoformat(str(value))
            except ValueError as error:
                raise self.fail(key, "must be an ISO date (YYYY-MM-DD) or 'today'") from error
        if column_type == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise self.fail(key, "min/max apply to integer, date and month columns only")

    def field_mappings(self, value: Any, names: set[str]) -> tuple[FieldMapping, ...]:
        block = self.mapping(value, "mapping")
        return tuple(self.field_mapping(self.scalar(target, "mapping"), spec, names) for target, spec in block.items())

    def field_mapping(self, target: str, spec: Any, names: set[str]) -> FieldMapping:
        key = f"mapping.{target}"
        if target not in MAPPABLE_FIELDS:
            raise self.fail(key, f"not a mappable person-schema field; choose from {sorted(MAPPABLE_FIELDS)}")
        if isinstance(spec, str):
            spec = {"column": spec}
        spec = self.mapping(spec, key)
        self.known_keys(spec, key, {"column", "constant", "from", "pattern", "map", "join", "find_in_text"})
        sources = [k for k in ("column", "constant", "from") if k in spec]
        if len(sources) != 1:
            raise self.fail(key, "give exactly one of column, constant or from")
        columns = self.names(spec.get("column"), f"{key}.column")
        for column in columns:
            if column not in names:
                raise self.fail(f"{key}.column", f"column {column!r} is not declared under columns")
        derived_from = None
        if "from" in spec:
            derived_from = self.choice(spec, "from", DERIVED_FROM, default=None, where=f"{key}.")
        join = spec.get("join")
        if join is not None:
            if not isinstance(join, str):
                raise self.fail(f"{key}.join", "must be the text put between the parts, e.g. ' '")
            if len(columns) < 2:
                raise self.fail(f"{key}.join", "joins the values of several columns: list two or more under column")
        find_in_text = self.boolean(spec, "find_in_text", default=False, where=f"{key}.")
        if find_in_text and (target not in REGION_TARGETS or not columns):
            raise self.fail(f"{key}.find_in_text", "applies to kelurahan, kecamatan or region read from column(s)")
        pattern = self.regex(spec.get("pattern"), f"{key}.pattern")
        if pattern is not None and re.compile(pattern).groups > 1:
            raise self.fail(
                f"{key}.pattern", "use at most one capture group (the value kept); write other groups as (?:...)"
            )
        return FieldMapping(
            target=target,
            columns=columns,
            constant=self.text(spec, "constant", where=f"{key}."),
            derived_from=derived_from,
            pattern=pattern,
            value_map=self.string_pairs(spec.get("map"), f"{key}.map"),
            join=join,
            find_in_text=find_in_text,
        )

    # -- roles ----------------------------------------------------------------------------------------------

    def roles(self, value: Any) -> SourceRoles:
        if value is None:
            return SourceRoles()
        block = self.mapping(value, "roles")
        self.known_keys(
            block,
            "roles",
            {
                "system",
                "survivorship_rank",
                "identity_authority",
                "membership_register",
                "sector",
                "employment_evidence",
            },
        )
        system = self.text(block, "system", where="roles.")
        if system is not None and not _SOURCE_ID.match(system):
            raise self.fail(
                "roles.system", "must be lower-case letters, digits and underscores, starting with a letter"
            )
        rank = block.get("survivorship_rank")
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
            raise self.fail("roles.survivorship_rank", "must be a whole number >= 1 (1 = most authoritative)")
        sector = self.text(block, "sector", where="roles.")
        if sector is not None and not re.fullmatch(r"[0-9a-z_]+", sector):
            raise self.fail("roles.sector", "must be a trade code: lower-case letters, digits and underscores")
        evidence = block.get("employment_evidence") or []
        if not isinstance(evidence, list):
            raise self.fail("roles.employment_evidence", "must be a list of evidence rules")
        return SourceRoles(
            system=system,
            survivorship_rank=rank,
            identity_authority=self.boolean(block, "identity_authority", default=False, where="roles."),
            membership_register=self.boolean(block, "membership_register", default=False, where="roles."),
            sector=sector,
            employment_evidence=tuple(
                self.evidence_rule(rule, f"roles.employment_evidence[{n}]") for n, rule in enumerate(evidence)
            ),
        )

    def person_field(self, block: dict[str, Any], name: str, key: str, *, date_only: bool = False) -> str | None:
        value = self.text(block, name, where=f"{key}.")
        if value is None:
            return None
        if value not in PERSON_SCHEMA:
            raise self.fail(
                f"{key}.{name}", f"{value!r} is not a person-schema field; choose from {sorted(PERSON_SCHEMA)}"
            )
        if date_only and PERSON_SCHEMA[value] != "datetime64[ns]":
            dates = sorted(f for f, dtype in PERSON_SCHEMA.items() if dtype == "datetime64[ns]")
            raise self.fail(f"{key}.{name}", f"{value!r} is not a date field; choose from {dates}")
        return value

    def evidence_rule(self, value: Any, key: str) -> EvidenceRule:
        block = self.mapping(value, key)
        self.known_keys(
            block,
            key,
            {
                "category",
                "field",
                "values",
                "patterns",
                "strength",
                "label",
                "when",
                "unless",
                "date",
                "max_age_months",
                "weights",
                "dependant_weights",
                "separate_weights",
                "stale_weights",
                "holder",
                "half_life_months",
                "date_shift_years",
                "date_not_before",
                "weights_by",
                "cell_weights",
                "dependant_cell_weights",
                "separate_cell_weights",
            },
        )
        strength = block.get("strength")
        if isinstance(strength, bool) or not isinstance(strength, int) or strength < 1:
            raise self.fail(
                f"{key}.strength",
                "is required: a whole number >= 1 (3 = current wage employment, "
                "2 = registered work of the person, 1 = a weaker statement)",
            )
        field_name = self.person_field(block, "field", key)
        category = block.get("category")
        values = self.string_pairs(block.get("values"), f"{key}.values")
        patterns = block.get("patterns")
        if field_name is None:
            if category not in CATEGORIES:
                raise self.fail(f"{key}.category", f"is required without field; one of {'|'.join(CATEGORIES)}")
            if values or patterns:
                raise self.fail(key, "values/patterns need a field to read")
        else:
            if category is not None:
                raise self.fail(
                    f"{key}.category",
                    "give either category (the whole source) or field with "
                    "values/patterns (the category from the field's values)",
                )
            if bool(values) == bool(patterns):
                raise self.fail(key, "with field, give exactly one of values or patterns")
        for _, target in values:
            if target not in CATEGORIES:
                raise self.fail(f"{key}.values", f"category {target!r} is not one of {'|'.join(CATEGORIES)}")
        pattern_pairs: list[tuple[str, str]] = []
        if patterns is not None:
            if not isinstance(patterns, list) or not patterns:
                raise self.fail(f"{key}.patterns", "must be a list of {category: regular expression} entries")
            for n, entry in enumerate(patterns):
                where = f"{key}.patterns[{n}]"
                if not isinstance(entry, dict) or len(entry) != 1:
                    raise self.fail(where, "must be one {category: regular expression} entry")
                ((target, regex),) = entry.items()
                if target not in CATEGORIES:
                    raise self.fail(where, f"category {target!r} is not one of {'|'.join(CATEGORIES)}")
                pattern = self.regex(regex, where)
                if pattern is None:
                    raise self.fail(where, "must be a regular expression string")
                pattern_pairs.append((target, pattern))
        label = self.text(block, "label", required=True, where=f"{key}.")
        for placeholder in re.findall(r"\{([^}|]*)", label):
            if placeholder not in PERSON_SCHEMA:
                raise self.fail(f"{key}.label", f"placeholder {{{placeholder}}} is not a person-schema field")
        max_age = block.get("max_age_months")
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 1):
            raise self.fail(f"{key}.max_age_months", "must be a whole number of months >= 1")
        half_life = block.get("half_life_months")
        if half_life is not None and (
            isinstance(half_life, bool) or not isinstance(half_life, int | float) or not half_life > 0
        ):
            raise self.fail(f"{key}.half_life_months", "must be a number of months > 0")
        shift = block.get("date_shift_years", 0)
        if isinstance(shift, bool) or not isinstance(shift, int) or shift < 0:
            raise self.fail(f"{key}.date_shift_years", "must be a whole number of years >= 0")
        not_before = block.get("date_not_before")
        if not_before is not None and not isinstance(not_before, date):
            raise self.fail(f"{key}.date_not_before", "must be a date (yyyy-mm-dd)")
        holder = None
        if block.get("holder") is not None:
            holder_block = self.mapping(block["holder"], f"{key}.holder")
            self.known_keys(holder_block, f"{key}.holder", {"field", "own"})
            holder_field = self.person_field(holder_block, "field", f"{key}.holder")
            own = holder_block.get("own")
            if holder_field is None or not isinstance(own, list) or not own:
                raise self.fail(f"{key}.holder", "needs field and own (the values meaning the person's own record)")
            holder = (holder_field, tuple(self.scalar(item, f"{key}.holder.own") for item in own))
        separate = self.category_weights(block.get("separate_weights"), f"{key}.separate_weights")
        if separate and (holder is None or field_name is None):
            raise self.fail(f"{key}.separate_weights", "needs holder and field (whose card, and of what kind)")
        weights_by, cells = self.cell_weights(block, key, holder is not None, bool(separate))
        return EvidenceRule(
            strength=strength,
            label=label,
            category=category if field_name is None else None,
            field=field_name,
            values=values,
            patterns=tuple(pattern_pairs),
            when=self.conditions(block.get("when"), f"{key}.when"),
            unless=self.conditions(block.get("unless"), f"{key}.unless"),
            date=self.person_field(block, "date", key, date_only=True) or DEFAULT_EVIDENCE_DATE,
            max_age_months=max_age,
            weights=self.category_weights(block.get("weights"), f"{key}.weights"),
            dependant_weights=self.category_weights(block.get("dependant_weights"), f"{key}.dependant_weights"),
            separate_weights=separate,
            stale_weights=self.category_weights(block.get("stale_weights"), f"{key}.stale_weights"),
            holder=holder,
            half_life_months=float(half_life) if half_life is not None else None,
            date_shift_years=shift,
            date_not_before=not_before,
            weights_by=weights_by,
            cell_weights=cells,
        )

    def cell_weights(
        self, block: dict[str, Any], key: str, has_holder: bool, has_separate: bool
    ) -> tuple[tuple[str, ...], tuple[tuple[str, str, int, str, float], ...]]:
        """``weights_by`` and the cell weights of every kind, as ``(kind, sex, band, category, log-odds)``.

        A cell is named by its values in the order of ``weights_by``, separated by a space: ``'P 23'`` (women of
        the age band from 23) with ``weights_by: [sex, age_band]``, ``P`` with ``[sex]``, ``23`` with ``[age_band]``.
        """
        given = [kind for kind in CELL_KINDS if block.get(_CELL_KEYS[kind]) is not None]
        by = block.get("weights_by")
        if by is None:
            if given:
                raise self.fail(f"{key}.{_CELL_KEYS[given[0]]}", "needs weights_by (what the cells are: sex, age_band)")
            return (), ()
        if (
            not isinstance(by, list)
            or not by
            or len(set(by)) != len(by)
            or any(not isinstance(name, str) or name not in CELL_DIMENSIONS for name in by)
        ):
            raise self.fail(f"{key}.weights_by", f"must be a list of distinct names from {list(CELL_DIMENSIONS)}")
        if "dependant" in given and not has_holder:
            raise self.fail(f"{key}.dependant_cell_weights", "needs holder (whose record is a dependant's)")
        if "separate" in given and not has_separate:
            raise self.fail(f"{key}.separate_cell_weights", "needs separate_weights")
        out = []
        for kind in given:
            name = _CELL_KEYS[kind]
            cells = self.mapping(block[name], f"{key}.{name}")
            for cell, weights in cells.items():
                where = f"{key}.{name}.{cell}"
                parts = str(cell).split()
                if len(parts) != len(by):
                    example = " ".join({"sex": "P", "age_band": "23"}[dimension] for dimension in by)
                    raise self.fail(where, f"a cell names {' and '.join(by)} in that order, e.g. '{example}'")
                sex, band = "", -1
                for dimension, part in zip(by, parts, strict=True):
                    if dimension == "sex":
                        if part not in SEXES:
                            raise self.fail(where, f"sex {part!r} is not one of {'|'.join(SEXES)}")
                        sex = part
                    elif not part.isdigit():
                        raise self.fail(
                            where, f"age band {part!r} must be the age (whole years) a model band starts at"
                        )
                    else:
                        band = int(part)
                for category, weight in self.category_weights(weights, where):
                    out.append((kind, sex, band, category, weight))
        return tuple(by), tuple(sorted(out))

    def category_weights(self, value: Any, key: str) -> tuple[tuple[str, float], ...]:
        """``{category: log-odds of informal work}`` as sorted pairs."""
        if value is None:
            return ()
        block = self.mapping(value, key)
        out = []
        for category, weight in block.items():
            if category not in CATEGORIES:
                raise self.fail(f"{key}.{category}", f"is not one of {'|'.join(CATEGORIES)}")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
                raise self.fail(f"{key}.{category}", "must be a number (log-odds of informal work)")
            out.append((str(category), float(weight)))
        return tuple(sorted(out))

    def conditions(self, value: Any, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if value is None:
            return ()
        block = self.mapping(value, key)
        out = []
        for name, allowed in block.items():
            if name not in PERSON_SCHEMA:
                raise self.fail(f"{key}.{name}", "is not a person-schema field")
            items = allowed if isinstance(allowed, list) else [allowed]
            out.append((str(name), tuple(self.scalar(item, f"{key}.{name}") for item in items)))
        return tuple(out)
