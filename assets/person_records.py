"""``person_records``: every source's standardised records stacked into one table, with the data-subject
requests of the register (``satupekerja.privacy.subject_requests``) applied before anything is matched or published."""

from collections.abc import Iterable

import dagster as dg
import pandas as pd

from assets.groups import INTEGRATION
from assets.keys import STANDARD, source_of, standard_key, standard_name
from assets.metadata import counts_table, table_metadata
from assets.partitions import snapshot_date, snapshot_partitions
from assets.resources import PrivacyResource, WarehouseResource
from satupekerja.privacy import subject_requests
from satupekerja.publishing.tables import PERSON_RECORDS
from satupekerja.publishing.warehouse import previous_worker_ids


def build_person_records(sources: Iterable[str]) -> dg.AssetsDefinition:
    """The stacking asset over ``standard_<source>`` for every contracted source."""
    ins = {standard_name(source): dg.AssetIn(key=standard_key(source)) for source in sorted(sources)}

    @dg.asset(
        name=PERSON_RECORDS,
        ins=ins,
        partitions_def=snapshot_partitions,
        group_name=INTEGRATION,
        kinds={"pandas", "parquet"},
        description=(
            "All standardised source records stacked, in the common person schema, with erasure and "
            "correction requests applied."
        ),
    )
    def person_records(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        privacy: PrivacyResource,
        **standard_frames: pd.DataFrame,
    ) -> dg.MaterializeResult:
        frames = [standard_frames[name] for name in ins]
        stacked = pd.concat(frames, ignore_index=True)
        rows_per_source = {
            source_of(name, STANDARD) or name: len(frame) for name, frame in zip(ins, frames, strict=True)
        }
        # Erasure reaches every record linked to the person last night, not only those carrying the NIK.
        previous_links, _ = previous_worker_ids(warehouse.get(), snapshot_date(context.partition_key))
        records, applied = subject_requests.apply_requests(
            stacked, subject_requests.load_requests(privacy.requests_path()), privacy.key(), previous_links
        )
        return dg.MaterializeResult(
            value=records,
            metadata={
                **table_metadata(records),
                "rows per source": counts_table("source", rows_per_source),
                "subject requests": len(applied.per_request),
                "records erased": applied.records_removed,
                "records corrected": applied.records_corrected,
                "requests matching no record": applied.unmatched_requests,
            },
        )

    return person_records
