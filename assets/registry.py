"""Registry assets: the golden worker record and the coverage outputs built on it (:mod:`satupekerja`)."""

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext

from assets.groups import REGISTRY
from assets.metadata import COVERAGE_COMPUTED, VULNERABLE, table_metadata, value_counts
from assets.partitions import snapshot_date, snapshot_partitions
from assets.resources import EmploymentModelFile
from data_contracts import load_region_reference
from data_contracts.roles import RoleBook, load_employment_model
from satupekerja.publishing.stored import LOAD_WHEN_USED, StoredFrame, frame_of
from satupekerja.publishing.tables import (
    COVERAGE_BY_AREA,
    MATCH_REVIEW_QUEUE,
    PERSON_RECORDS,
    UNCOVERED_INFORMAL_WORKERS,
    UNIFIED_WORKERS,
    WORKER_LINKS,
)
from satupekerja.registry.coverage import UNCOVERED_COLUMNS
from satupekerja.registry.coverage import coverage_by_area as build_coverage_by_area
from satupekerja.registry.coverage import uncovered_informal_workers as build_uncovered_informal_workers
from satupekerja.registry.unify import build_unified_workers, person_record_columns

CITY_LEVEL = "kota"
CITY_COUNTS = ("workers", "informal", "covered", "uncovered")


def build_unified_workers_asset(roles: RoleBook) -> dg.AssetsDefinition:
    """The ``unified_workers`` asset under the roles of the contracts in force (``build_all_assets`` passes them)."""

    @dg.asset(
        name=UNIFIED_WORKERS,
        # Only the person-record columns unification reads (28 of 44) are loaded.
        ins={PERSON_RECORDS: dg.AssetIn(metadata=LOAD_WHEN_USED, dagster_type=dg.Any), WORKER_LINKS: dg.AssetIn()},
        partitions_def=snapshot_partitions,
        group_name=REGISTRY,
        kinds={"pandas", "parquet"},
        description="One golden record per worker (survivorship over linked records) with coverage and outreach flags.",
    )
    def unified_workers(
        context: AssetExecutionContext,
        person_records: pd.DataFrame | StoredFrame,
        worker_links: pd.DataFrame,
        employment_model: EmploymentModelFile,
    ) -> dg.MaterializeResult:
        model = load_employment_model(employment_model.model_path())
        snapshot = snapshot_date(context.partition_key)
        records = frame_of(person_records, columns=person_record_columns(roles))
        unified = build_unified_workers(records, worker_links, snapshot, roles, model)
        del records
        if not roles.membership_registers:
            context.log.warning(
                "tidak ada register kepesertaan (membership_register) di kontrak: cakupan BPJS TK tidak dihitung"
            )
        return dg.MaterializeResult(
            value=unified,
            metadata={
                **table_metadata(unified),
                COVERAGE_COMPUTED: dg.MetadataValue.bool(bool(roles.membership_registers)),
                "membership registers": dg.MetadataValue.json(list(roles.membership_registers)),
                "employment model": dg.MetadataValue.path(model.source),
                "employment type": value_counts(unified["employment_type"]),
                "BPJS TK status": value_counts(unified["bpjs_tk_status"]),
                "uncovered informal workers": dg.MetadataValue.int(int(unified["uncovered_informal"].sum())),
            },
        )

    return unified_workers


#: The ``unified_workers`` columns the outreach list reads (its own columns, the flag, the vulnerability count).
LISTED_COLUMNS = tuple(dict.fromkeys([*UNCOVERED_COLUMNS, "uncovered_informal", "outreach_priority", "vulnerable"]))
#: The ``unified_workers`` columns the counts per area read.
AREA_COLUMNS = ("kelurahan_code", "kecamatan_code", "employment_type", "bpjs_tk_status")


@dg.asset(
    name=UNCOVERED_INFORMAL_WORKERS,
    # Only the columns the list reads are loaded (35 of 58), as for coverage_by_area below.
    ins={
        UNIFIED_WORKERS: dg.AssetIn(metadata=LOAD_WHEN_USED, dagster_type=dg.Any),
        MATCH_REVIEW_QUEUE: dg.AssetIn(),
    },
    partitions_def=snapshot_partitions,
    group_name=REGISTRY,
    kinds={"pandas", "parquet"},
    description=(
        "The outreach list: informal workers without active BPJS Ketenagakerjaan cover, most urgent first; "
        "workers joined by an open double-registration review pair marked as one review group."
    ),
)
def uncovered_informal_workers(
    unified_workers: pd.DataFrame | StoredFrame, match_review_queue: pd.DataFrame
) -> dg.MaterializeResult:
    unified_workers = frame_of(unified_workers, columns=_present(unified_workers, LISTED_COLUMNS))
    review_pairs = match_review_queue[["reason", "worker_id_l", "worker_id_r"]]
    uncovered = build_uncovered_informal_workers(unified_workers, review_pairs)
    return dg.MaterializeResult(
        value=uncovered,
        metadata={
            **table_metadata(uncovered),
            "by sector": value_counts(uncovered["sector"].fillna("unknown")),
            "review groups": dg.MetadataValue.int(int(uncovered["review_group"].nunique())),
            VULNERABLE: dg.MetadataValue.int(
                int(unified_workers.loc[unified_workers["uncovered_informal"], "vulnerable"].sum())
            ),
        },
    )


@dg.asset(
    name=COVERAGE_BY_AREA,
    ins={UNIFIED_WORKERS: dg.AssetIn(metadata=LOAD_WHEN_USED, dagster_type=dg.Any)},
    partitions_def=snapshot_partitions,
    group_name=REGISTRY,
    kinds={"pandas", "parquet"},
    description="People, workers, informal, covered and uncovered counts per kelurahan, kecamatan and for the city.",
)
def coverage_by_area(unified_workers: pd.DataFrame | StoredFrame) -> dg.MaterializeResult:
    unified = frame_of(unified_workers, columns=_present(unified_workers, AREA_COLUMNS))
    coverage = build_coverage_by_area(unified, load_region_reference())
    city = coverage.loc[coverage["level"] == CITY_LEVEL].iloc[0]
    return dg.MaterializeResult(
        value=coverage,
        metadata={
            **table_metadata(coverage),
            **{f"city {column}": dg.MetadataValue.int(int(city[column])) for column in CITY_COUNTS},
        },
    )


def _present(value: pd.DataFrame | StoredFrame, columns: tuple[str, ...]) -> list[str]:
    """``columns`` that ``value`` (a frame or a stored frame) has, in that order."""
    names = value.columns if isinstance(value, pd.DataFrame) else value.column_names()
    return [column for column in columns if column in set(names)]
