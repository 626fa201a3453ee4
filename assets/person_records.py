"""``person_records``: every source's standardised records stacked into one table."""

from collections.abc import Iterable

import dagster as dg
import pandas as pd

from assets.groups import INTEGRATION
from assets.metadata import counts_table, table_metadata
from assets.partitions import snapshot_partitions
from assets.sources import standard_key


def build_person_records(sources: Iterable[str]) -> dg.AssetsDefinition:
    """The stacking asset over ``standard_<source>`` for every contracted source."""
    ins = {f"standard_{source}": dg.AssetIn(key=standard_key(source)) for source in sorted(sources)}

    @dg.asset(
        name="person_records",
        ins=ins,
        partitions_def=snapshot_partitions,
        group_name=INTEGRATION,
        kinds={"pandas", "parquet"},
        description="All standardised source records stacked, in the common person schema.",
    )
    def person_records(**standard_frames: pd.DataFrame) -> dg.MaterializeResult:
        frames = [standard_frames[name] for name in ins]
        stacked = pd.concat(frames, ignore_index=True)
        rows_per_source = {name.removeprefix("standard_"): len(frame) for name, frame in zip(ins, frames)}
        return dg.MaterializeResult(
            value=stacked,
            metadata={**table_metadata(stacked), "rows per source": counts_table("source", rows_per_source)},
        )

    return person_records
