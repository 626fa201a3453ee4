"""ParquetIOManager: layout, dtype round trip, restricted permissions, clear errors."""

from __future__ import annotations

import stat

import dagster as dg
import pandas as pd
import pyarrow as pa
import pytest

from assets.partitions import snapshot_partitions
from data_contracts.schema import PERSON_SCHEMA, conform_to_person_schema
from pipelines.io_managers import ParquetIOManager

PARTITION = "2026-03-14"


def person_frame() -> pd.DataFrame:
    return conform_to_person_schema(
        pd.DataFrame(
            {
                "source": ["dukcapil", "umkm", "umkm"],
                "record_id": ["dukcapil:1", "umkm:U-7", "umkm:U-8"],
                "source_file": ["biodata_wni", "data_umkm_depok.csv", "data_umkm_depok.csv"],
                "source_row": [1, 2, 3],
                "nik": ["3276034101900001", pd.NA, "3276030101850002"],
                "nik_valid": [True, False, True],
                "birth_date": pd.to_datetime(["1990-01-01", None, "1985-01-01"]),
                "region_match_score": [100.0, float("nan"), 87.5],
            }
        )
    )


def materialize_pair(frame: pd.DataFrame, io_manager: ParquetIOManager, **kwargs) -> dg.ExecuteInProcessResult:
    """``produced`` stores ``frame``; ``consumed`` loads it back through the IO manager and returns it."""

    @dg.asset(partitions_def=snapshot_partitions)
    def produced() -> pd.DataFrame:
        return frame

    @dg.asset(partitions_def=snapshot_partitions)
    def consumed(produced: pd.DataFrame) -> pd.DataFrame:
        return produced

    return dg.materialize([produced, consumed], partition_key=PARTITION, resources={"io_manager": io_manager}, **kwargs)


def test_round_trip_keeps_person_schema_dtypes_and_values(tmp_path):
    frame = person_frame()
    result = materialize_pair(frame, ParquetIOManager(base_dir=str(tmp_path)))
    loaded = result.output_for_node("consumed")
    assert dict(loaded.dtypes.astype(str)) == {column: str(dtype) for column, dtype in frame.dtypes.items()}
    assert list(loaded.columns) == list(PERSON_SCHEMA)
    pd.testing.assert_frame_equal(loaded, frame)


def test_partition_file_is_hive_style_and_owner_only(tmp_path):
    materialize_pair(person_frame(), ParquetIOManager(base_dir=str(tmp_path)))
    path = tmp_path / "produced" / f"snapshot_date={PARTITION}" / "data.parquet"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not list(path.parent.glob(".tmp-*")), "temporary files must be renamed or removed"


def test_materialization_metadata_points_at_the_file(tmp_path):
    result = materialize_pair(person_frame(), ParquetIOManager(base_dir=str(tmp_path)))
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey("produced")]
    metadata = event.materialization.metadata
    assert metadata["dagster/uri"].value == str(tmp_path / "produced" / f"snapshot_date={PARTITION}" / "data.parquet")
    assert metadata["stored_bytes"].value > 0


def test_default_location_is_the_instance_storage_folder(tmp_path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        materialize_pair(person_frame(), ParquetIOManager(), instance=instance)
        expected = tmp_path / "storage" / "assets" / "produced" / f"snapshot_date={PARTITION}" / "data.parquet"
        assert instance.storage_directory() == str(tmp_path / "storage")
    assert expected.is_file()


def test_categorical_and_list_columns_round_trip(tmp_path):
    frame = pd.DataFrame(
        {
            "worker_id": pd.Series(["W1", "W2"], dtype="str"),
            "level_name": pd.Categorical(["exact", "else"], categories=["exact", "skeleton", "else"]),
            "record_ids": pd.Series(
                [["dukcapil:1", "umkm:U-7"], ["umkm:U-8"]], dtype=pd.ArrowDtype(pa.list_(pa.string()))
            ),
        }
    )
    loaded = materialize_pair(frame, ParquetIOManager(base_dir=str(tmp_path))).output_for_node("consumed")
    assert list(loaded["level_name"].cat.categories) == ["exact", "skeleton", "else"]
    assert loaded["record_ids"].tolist() == [["dukcapil:1", "umkm:U-7"], ["umkm:U-8"]]
    assert str(loaded["worker_id"].dtype) == "str"


def test_empty_frame_round_trips_with_dtypes(tmp_path):
    empty = person_frame().iloc[0:0]
    loaded = materialize_pair(empty, ParquetIOManager(base_dir=str(tmp_path))).output_for_node("consumed")
    assert len(loaded) == 0
    assert dict(loaded.dtypes.astype(str)) == {column: str(dtype) for column, dtype in empty.dtypes.items()}


def test_non_dataframe_output_is_refused_with_the_asset_name(tmp_path):
    @dg.asset(partitions_def=snapshot_partitions)
    def not_a_frame() -> list:
        return [1, 2]

    with pytest.raises(TypeError, match=r"not_a_frame.*DataFrame.*list"):
        dg.materialize(
            [not_a_frame], partition_key=PARTITION, resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path))}
        )


def test_missing_upstream_partition_names_the_asset(tmp_path):
    @dg.asset(partitions_def=snapshot_partitions)
    def upstream() -> pd.DataFrame:
        return person_frame()

    @dg.asset(partitions_def=snapshot_partitions)
    def downstream(upstream: pd.DataFrame) -> pd.DataFrame:
        return upstream

    with pytest.raises(FileNotFoundError, match="upstream: no stored value"):
        dg.materialize(
            [upstream.to_source_asset(), downstream],
            partition_key=PARTITION,
            resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path))},
        )


def test_an_input_declared_load_when_used_arrives_unread_and_reads_only_the_columns_asked(tmp_path):
    from satupekerja.publishing.stored import LOAD_WHEN_USED, FrameMapping, StoredFrame, frame_of

    seen: dict = {}

    @dg.asset(partitions_def=snapshot_partitions)
    def produced() -> pd.DataFrame:
        return person_frame()

    @dg.asset(partitions_def=snapshot_partitions, ins={"produced": dg.AssetIn(metadata=LOAD_WHEN_USED)})
    def consumed(produced) -> pd.DataFrame:
        seen["value"] = produced
        return frame_of(produced, columns=["record_id"])

    result = dg.materialize(
        [produced, consumed],
        partition_key=PARTITION,
        resources={"io_manager": ParquetIOManager(base_dir=str(tmp_path))},
    )
    assert result.success
    assert isinstance(seen["value"], StoredFrame)
    assert list(pd.read_parquet(tmp_path / "consumed" / f"snapshot_date={PARTITION}" / "data.parquet").columns) == [
        "record_id"
    ]
    pd.testing.assert_frame_equal(FrameMapping({"t": seen["value"]})["t"], person_frame())
