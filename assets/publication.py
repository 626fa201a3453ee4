"""``publish_snapshot``: the night's registry outputs into the warehouse, only when every guard passes.

The asset loads the registry outputs and the quarantines, counts rows per source, compares them with the stats
published with the last snapshot before this partition (:mod:`satupekerja.publishing.guards`), and then either

- stages every table (restricted copy with personal data, analytics copy with the privacy column policy
  applied, per :data:`DEFAULT_PUBLISHED_TABLES`) plus the night's ``publication_stats``, and publishes them
  atomically (:class:`satupekerja.publishing.warehouse.Warehouse`); or
- holds the snapshot back: nothing is staged, the previous snapshot stays published, an observation on the
  asset and the failed blocking checks say why (source ids and counts only), and the step fails so the run
  failure sensor reports it. A held-back night records no materialisation, so freshness alerts fire too.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import dagster as dg
import pandas as pd
from dagster import AssetExecutionContext
from pydantic import Field

import data_contracts
from assets.keys import quarantine_key, quarantine_name
from assets.metadata import CHECK_MESSAGE, DUCKDB, PSEUDONYMS_REVERSIBLE, PUBLISHED, WAREHOUSE, Metadata, markdown_table
from assets.partitions import snapshot_partitions
from assets.resources import PrivacyResource, WarehouseResource
from data_contracts.output_contracts import OutputContract, OutputValidation, load_output_contracts, validate_output
from data_contracts.roles import RoleBook
from satupekerja.privacy import pseudonyms
from satupekerja.publishing import tables as catalogue
from satupekerja.publishing.guards import (
    MEMBERSHIP_DATA_PRESENT,
    OUTPUT_CONTRACTS_MET,
    PUBLICATION_CHECK_NAMES,
    QUARANTINE_SHARE_WITHIN_LIMIT,
    REQUIRED_SOURCES_PRESENT,
    ROW_COUNT_STABLE,
    GuardResult,
    GuardSettings,
    SnapshotStats,
    all_passed,
    evaluate_guards,
    history_for_warehouse,
    output_contracts_guard,
    output_contracts_result,
    stats_from_outputs,
)
from satupekerja.publishing.stored import LOAD_WHEN_USED, FrameMapping, StoredFrame, frame_of
from satupekerja.publishing.warehouse import ANALYTICS, RESTRICTED, StagedSnapshot, Warehouse, previous_stats

PUBLISH_SNAPSHOT = "publish_snapshot"
PUBLICATION_GROUP = "publication"

#: A snapshot is expected by 06:00 Asia/Jakarta, from the 01:00 nightly run: a held-back or failed night
#: shows the asset as stale (failed freshness) in the UI the same morning.
PUBLICATION_FRESHNESS = dg.FreshnessPolicy.cron(
    deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=5), timezone="Asia/Jakarta"
)

GUARD_DESCRIPTIONS = {
    REQUIRED_SOURCES_PRESENT: "Every source whose contract says required was read.",
    ROW_COUNT_STABLE: "No source's rows read fell by more than max_row_drop_fraction since the last publication.",
    QUARANTINE_SHARE_WITHIN_LIMIT: "No source had more than max_quarantine_fraction of its rows quarantined.",
    MEMBERSHIP_DATA_PRESENT: "Every declared membership register (roles.membership_register) has accepted rows; "
    "with none declared, passes and says coverage was not computed.",
    OUTPUT_CONTRACTS_MET: "Every published table meets its output contract (data_contracts/outputs/).",
}

#: Columns of the published tables that the shared privacy policy does not classify: id history events and
#: ``worker_links``' cluster size and link confidence (counts and scores, no personal data).
OWN_COLUMN_POLICY = {
    "event": pseudonyms.ColumnPolicy.KEEP,
    "related_worker_id": pseudonyms.ColumnPolicy.KEEP,
    "records": pseudonyms.ColumnPolicy.KEEP,
    "event_date": pseudonyms.ColumnPolicy.KEEP,
    "cluster_size": pseudonyms.ColumnPolicy.KEEP,
    "confidence": pseudonyms.ColumnPolicy.KEEP,
    "settings_hash": pseudonyms.ColumnPolicy.KEEP,
    "model_json": pseudonyms.ColumnPolicy.DROP,  # term-frequency tables hold names: restricted tier only
}


@dataclass(frozen=True)
class PublishedTable:
    """An upstream asset published under its own name, in the tiers flagged."""

    name: str
    restricted: bool
    analytics: bool


DEFAULT_PUBLISHED_TABLES = (
    PublishedTable(catalogue.UNIFIED_WORKERS, restricted=True, analytics=True),
    PublishedTable(catalogue.UNCOVERED_INFORMAL_WORKERS, restricted=True, analytics=True),
    PublishedTable(catalogue.COVERAGE_BY_AREA, restricted=False, analytics=True),
    PublishedTable(catalogue.WORKER_LINKS, restricted=True, analytics=True),
    PublishedTable(catalogue.WORKER_ID_HISTORY, restricted=False, analytics=True),
    PublishedTable(catalogue.PERSON_RECORDS, restricted=True, analytics=False),
    PublishedTable(catalogue.MATCHING_MODEL, restricted=True, analytics=False),
    # Both records of each pair side by side, for clerks (satupekerja review, Meja review): restricted only.
    PublishedTable(catalogue.MATCH_REVIEW_QUEUE, restricted=True, analytics=False),
    PublishedTable(catalogue.MATCHING_FEATURES, restricted=True, analytics=False),
)

#: Every source's quarantined rows, stacked, published under this name in both tiers.
QUARANTINE_TABLE = PublishedTable(catalogue.QUARANTINE, restricted=True, analytics=True)


class PublicationGuards(dg.ConfigurableResource):
    """Thresholds of the publication guards. ``build_definitions`` sets them from ``Settings``
    (``SATUPEKERJA_GUARD_*``); run config may override them for one run. Defaults as on
    :class:`satupekerja.publishing.guards.GuardSettings` (0.2 row drop, 0.05 quarantined)."""

    max_row_drop_fraction: float = Field(
        default=GuardSettings.max_row_drop_fraction, description="Largest allowed drop in rows read (0-1)."
    )
    max_quarantine_fraction: float = Field(
        default=GuardSettings.max_quarantine_fraction, description="Largest allowed quarantined share (0-1)."
    )

    def settings(self) -> GuardSettings:
        return GuardSettings(**self.model_dump())


def build_publish_snapshot(
    contracts: Mapping[str, data_contracts.Contract],
    published_tables: Sequence[PublishedTable] = DEFAULT_PUBLISHED_TABLES,
) -> dg.AssetsDefinition:
    """The ``publish_snapshot`` asset over ``published_tables`` and every contracted source's quarantine."""
    required = {source: contract.required for source, contract in contracts.items()}
    membership = RoleBook.from_contracts(contracts).membership_registers
    # Optional keyless multi-file sources (community lists): the shrink guard compares them file by file.
    per_file_sources = [
        source for source, contract in contracts.items() if not contract.required and not contract.record_key
    ]
    # Read table by table (output contracts, then staging), never all at once: see satupekerja.publishing.stored.
    table_inputs = {
        table.name: dg.AssetIn(key=dg.AssetKey(table.name), metadata=LOAD_WHEN_USED) for table in published_tables
    }
    quarantine_inputs = {quarantine_name(source): dg.AssetIn(key=quarantine_key(source)) for source in contracts}

    @dg.asset(
        name=PUBLISH_SNAPSHOT,
        ins={**table_inputs, **quarantine_inputs},
        partitions_def=snapshot_partitions,
        group_name=PUBLICATION_GROUP,
        kinds={"parquet", "duckdb"},
        output_required=False,
        freshness_policy=PUBLICATION_FRESHNESS,
        description="Publishes the night's registry outputs to the warehouse when every guard passes.",
        check_specs=[
            dg.AssetCheckSpec(name, asset=PUBLISH_SNAPSHOT, blocking=True, description=GUARD_DESCRIPTIONS[name])
            for name in PUBLICATION_CHECK_NAMES
        ],
    )
    def publish_snapshot(
        context: AssetExecutionContext,
        warehouse: WarehouseResource,
        publication_guards: PublicationGuards,
        privacy: PrivacyResource,
        **inputs: pd.DataFrame | StoredFrame,
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult | dg.AssetObservation]:
        snapshot = date.fromisoformat(context.partition_key)
        target = warehouse.get()
        quarantines = {source: frame_of(inputs[quarantine_name(source)]) for source in contracts}
        tables = FrameMapping({table.name: inputs[table.name] for table in published_tables})
        links = frame_of(inputs[catalogue.WORKER_LINKS], columns=["record_id"])
        current = stats_from_outputs(snapshot, required, links, quarantines, per_file_sources)
        del links
        results = evaluate_guards(
            current,
            previous_stats(target, snapshot),
            publication_guards.settings(),
            membership_registers=membership,
        )
        rows = None
        if all_passed(results):
            # Each table is read once: checked against its output contract, then staged (nothing is published
            # unless every contracted table meets its contract).
            checked = {table.name for table in published_tables}  # not the quarantine table, as before
            output_contracts = {name: c for name, c in load_output_contracts().items() if name in checked}
            key = privacy.key()
            staged_tables = tables.with_frame(QUARANTINE_TABLE.name, pd.concat(quarantines.values(), ignore_index=True))
            contracts_met, rows = publish_checked(
                target,
                snapshot,
                context.run.run_id,
                (*published_tables, QUARANTINE_TABLE),
                staged_tables,
                current,
                key,
                output_contracts,
            )
            results.append(contracts_met)
        else:
            results.append(output_contracts_guard(tables))
        if rows is not None:
            yield dg.MaterializeResult(metadata=_published_metadata(target, rows, key))
        else:
            context.log.error(
                "snapshot %s held back: %s", snapshot, " | ".join(r.message for r in results if not r.passed)
            )
            yield dg.AssetObservation(asset_key=PUBLISH_SNAPSHOT, metadata=_held_back_metadata(results))
        yield from (_check_result(result) for result in results)

    return publish_snapshot


def publish(
    warehouse: Warehouse,
    snapshot: date,
    run_id: str,
    published_tables: Sequence[PublishedTable],
    tables: Mapping[str, pd.DataFrame],
    stats: SnapshotStats,
    key: pseudonyms.PseudonymisationKey = pseudonyms.DEMO_KEY,
) -> dict[str, int]:
    """Stage every table in its tiers and the stats, then publish with the pseudonymisation ``key``; the staging
    is discarded on any error.

    ``tables`` may read each table when looked up (:class:`FrameMapping`): each is looked up once and
    released once staged, so publication holds one table (and its tier copies) at a time.

    Returns rows per ``<tier>/<table>``.
    """
    _, rows = publish_checked(warehouse, snapshot, run_id, published_tables, tables, stats, key, contracts={})
    assert rows is not None, "no contract to break: never held back"
    return rows


def publish_checked(
    warehouse: Warehouse,
    snapshot: date,
    run_id: str,
    published_tables: Sequence[PublishedTable],
    tables: Mapping[str, pd.DataFrame],
    stats: SnapshotStats,
    key: pseudonyms.PseudonymisationKey,
    contracts: Mapping[str, OutputContract],
) -> tuple[GuardResult, dict[str, int] | None]:
    """:func:`publish`, checking each table named in ``contracts`` against its output contract on the read that
    stages it (one read per table instead of two). Publishes only when every one meets its contract; else
    stages nothing more (the rest are read only to be checked), discards the staging and returns no rows. The
    guard result is the one :func:`output_contracts_guard` gives on the same tables."""
    key_record = pseudonym_key_record(key)
    warehouse.check_pseudonym_key(key_record)
    staged = warehouse.stage(snapshot, run_id)
    staged.pseudonym_key = key_record
    validations: dict[str, OutputValidation] = {}
    try:
        for table in published_tables:
            broken = any(not validation.passed for validation in validations.values())
            if broken and table.name not in contracts:
                continue
            frame = tables[table.name]
            if table.name in contracts:
                validations[table.name] = validate_output(contracts[table.name], frame)
                broken = broken or not validations[table.name].passed
            if broken:
                continue  # checked only: nothing more is staged, the staging is discarded below
            if table.name == catalogue.WORKER_ID_HISTORY:
                frame = history_for_warehouse(frame)
            _stage_table(staged, table, frame, key, snapshot)
            del frame
        contracts_met = output_contracts_result(validations)
        if not contracts_met.passed:
            warehouse.discard(staged)
            return contracts_met, None
        staged.write(catalogue.PUBLICATION_STATS, stats.to_frame(), tier=ANALYTICS)
        warehouse.publish(staged)
    except BaseException:
        if not staged.closed:
            warehouse.discard(staged)
        raise
    return contracts_met, {f"{tier}/{table}": rows for (tier, table), rows in sorted(staged.rows.items())}


def pseudonym_key_record(key: pseudonyms.PseudonymisationKey) -> dict:
    """What the warehouse remembers of the key its analytics tier was made with (never the key itself)."""
    return {"demo": key.is_demo, "fingerprint": key.fingerprint}


DEMO_KEY_WARNING = (
    "PERINGATAN: kunci demo: pseudonim (hash NIK/KK/kartu) di tier analitik DAPAT DIBALIK oleh siapa pun, karena "
    "kuncinya diterbitkan bersama kode; jangan pakai data nyata tanpa SATUPEKERJA_MODE=production / WARNING: demo "
    "key: the analytics tier's pseudonyms are REVERSIBLE by anyone (the key is published with the source code)"
)


def _stage_table(
    staged: StagedSnapshot,
    table: PublishedTable,
    frame: pd.DataFrame,
    key: pseudonyms.PseudonymisationKey,
    snapshot: date,
) -> None:
    if table.restricted:
        staged.write(table.name, pseudonyms.restricted_tier(frame, table.name, OWN_COLUMN_POLICY), tier=RESTRICTED)
    if table.analytics:
        staged.write(
            table.name,
            pseudonyms.to_analytics_tier(table.name, frame, key, snapshot, OWN_COLUMN_POLICY),
            tier=ANALYTICS,
        )


def _check_result(result: GuardResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=PUBLISH_SNAPSHOT,
        check_name=result.name,
        passed=result.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=result.message,
        metadata={
            CHECK_MESSAGE: dg.MetadataValue.text(result.message),
            "figures": dg.MetadataValue.json(result.figures),
        },
    )


def _published_metadata(warehouse: Warehouse, rows: Mapping[str, int], key: pseudonyms.PseudonymisationKey) -> Metadata:
    return {
        PUBLISHED: dg.MetadataValue.bool(True),
        PSEUDONYMS_REVERSIBLE: dg.MetadataValue.bool(key.is_demo),
        "pseudonym key": dg.MetadataValue.text(DEMO_KEY_WARNING if key.is_demo else key.label),
        WAREHOUSE: dg.MetadataValue.path(str(warehouse.root)),
        DUCKDB: dg.MetadataValue.path(str(warehouse.duckdb_path)),
        "rows": markdown_table(["table", "rows"], rows.items()),
    }


def _held_back_metadata(results: Sequence[GuardResult]) -> Metadata:
    failed = [result for result in results if not result.passed]
    return {
        PUBLISHED: dg.MetadataValue.bool(False),
        "failed guards": dg.MetadataValue.json([result.name for result in failed]),
        "why": markdown_table(["guard", "message"], [(result.name, result.message) for result in failed]),
    }
