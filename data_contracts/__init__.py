"""Data contracts: one YAML file per source, the generic reader, the GX validator and the standardiser.

Typical use (what the Dagster assets do per source)::

    contracts = load_contracts()
    raw = read_source(contracts["umkm"], Path("sample_data/demo"))   # the inbox folder
    report = validate_source(contracts["umkm"], raw)          # report.passed gates the pipeline
    result = standardise(contracts["umkm"], raw, report, snapshot_date, RegionResolver(load_region_reference()))
"""

from data_contracts.contract import (
    ColumnRule,
    Contract,
    ContractError,
    FieldMapping,
    ReadSettings,
    load_contract,
    load_contracts,
)
from data_contracts.output_contracts import (
    OutputContract,
    OutputValidation,
    load_output_contracts,
    validate_output,
    validate_outputs,
)
from data_contracts.reader import RawSource, SourceReadError, read_source
from data_contracts.regions import load_region_reference
from data_contracts.schema import PERSON_SCHEMA, conform_to_person_schema, empty_person_frame
from data_contracts.standardise import QUARANTINE_COLUMNS, StandardResult, standardise
from data_contracts.validation import ValidationReport, validate_source

__all__ = [
    "PERSON_SCHEMA",
    "QUARANTINE_COLUMNS",
    "ColumnRule",
    "Contract",
    "ContractError",
    "FieldMapping",
    "OutputContract",
    "OutputValidation",
    "RawSource",
    "ReadSettings",
    "SourceReadError",
    "StandardResult",
    "ValidationReport",
    "conform_to_person_schema",
    "empty_person_frame",
    "load_contract",
    "load_contracts",
    "load_output_contracts",
    "load_region_reference",
    "read_source",
    "standardise",
    "validate_output",
    "validate_outputs",
    "validate_source",
]
