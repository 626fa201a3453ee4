"""The review queue as a clerk reads it: each uncertain pair with both records side by side and the evidence.

:func:`review_queue_table` turns the engine's review queue (record ids, each comparison's ``level_<c>`` and
``w_<c>``, totals, reason) into the published ``match_review_queue`` table (restricted tier only, contract
``data_contracts/outputs/match_review_queue.yaml``):

- ``pair_id``: ``P`` + 12 hex digits of SHA-256 over the two records' pseudonyms, sorted: the same pair has the
  same id every night while both record ids and the pseudonym key stay, and the id carries no personal data;
- ``record_hash_l``/``record_hash_r``: the records' HMAC pseudonyms, the key of the decision register
  (:mod:`satupekerja.staff.review`);
- ``<field>_l``/``<field>_r`` for :data:`SIDE_BY_SIDE_FIELDS`, tonight's ``worker_id_l``/``worker_id_r``;
- ``comparisons``: JSON list of ``{"comparison", "level", "weight"}`` (weight in bits; ``level`` null when a
  record lacks the data), whatever comparisons the matching settings declare, so the table's columns do not
  depend on the settings;
- ``kecamatan_code``/``kelurahan_code``: the pair's area, for area staff: the left record's, else the right's.

Pure: DataFrames in, a DataFrame out (the pseudonyms are computed by the caller).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Person fields shown side by side (suffixes ``_l`` and ``_r``), in the order a clerk reads them; the privacy
#: column policy classifies the suffixed columns from this list.
SIDE_BY_SIDE_FIELDS = (
    "source",
    "nik",
    "kk",
    "name",
    "alias",
    "birth_date",
    "birth_place",
    "sex",
    "phone",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "kecamatan_code",
    "occupation",
    "sector",
)
#: Per-record columns of each side besides the fields: the record id and tonight's worker id.
SIDE_IDS = ("record_id", "worker_id")
SIDES = ("l", "r")
#: The person-record columns :func:`review_queue_table` reads (a caller may load only these).
REVIEW_RECORD_COLUMNS = ("record_id", *SIDE_BY_SIDE_FIELDS)


def pair_ids(hash_l: pd.Series, hash_r: pd.Series) -> pd.Series:
    """``P`` + 12 hex digits of SHA-256 over the two pseudonyms in sorted order (order of the pair ignored)."""
    low = np.minimum(hash_l.to_numpy(dtype=object), hash_r.to_numpy(dtype=object))
    high = np.maximum(hash_l.to_numpy(dtype=object), hash_r.to_numpy(dtype=object))
    ids = ["P" + hashlib.sha256(f"{a}|{b}".encode()).hexdigest()[:12].upper() for a, b in zip(low, high, strict=True)]
    return pd.Series(ids, index=hash_l.index, dtype="str")


def review_queue_table(
    queue: pd.DataFrame, person_records: pd.DataFrame, worker_ids: pd.DataFrame, record_hashes: pd.Series
) -> pd.DataFrame:
    """The published review queue (columns in the module docstring), in the engine's order (most probable first).

    ``queue``: the engine's review queue; ``person_records``: tonight's records (at least the queue's, with
    :data:`REVIEW_RECORD_COLUMNS`); ``worker_ids``: ``record_id``,
    ``worker_id``; ``record_hashes``: HMAC pseudonym per record id (indexed by ``record_id``), covering at least
    the queue's records. Vectorised: one index over the records, values taken by position.
    """
    records = person_records.reset_index(drop=True)
    wanted = pd.concat([queue[f"record_id_{side}"].astype("str") for side in SIDES], ignore_index=True)
    found = [
        _positions(records["record_id"], wanted),
        _positions(record_hashes.index, wanted),
        _positions(worker_ids["record_id"], wanted),
    ]
    if any((position < 0).any() for position in found):
        raise ValueError("review queue: record ids without a person record, a pseudonym or a worker id")
    hash_values = record_hashes.to_numpy(dtype=object)
    link_values = worker_ids["worker_id"].to_numpy(dtype=object)
    out = pd.DataFrame(index=queue.index)
    out["pair_id"] = pd.Series(dtype="str")
    positions, workers = {}, {}
    for number, side in enumerate(SIDES):
        part = slice(number * len(queue), (number + 1) * len(queue))
        positions[side] = found[0][part]
        out[f"record_id_{side}"] = queue[f"record_id_{side}"].astype("str").to_numpy()
        out[f"record_hash_{side}"] = pd.array(hash_values[found[1][part]], dtype="str")
        workers[side] = pd.array(link_values[found[2][part]], dtype="str")
    out["pair_id"] = pair_ids(out["record_hash_l"], out["record_hash_r"])
    out["reason"] = queue["reason"].astype("str")
    out["match_probability"] = queue["match_probability"].astype("float64")
    out["match_weight"] = queue["match_weight"].astype("float64")
    out["comparisons"] = _comparisons_json(queue)
    for side in SIDES:
        out[f"worker_id_{side}"] = workers[side]
        for field in SIDE_BY_SIDE_FIELDS:
            out[f"{field}_{side}"] = records[field].take(positions[side]).set_axis(out.index)
    for level in ("kecamatan_code", "kelurahan_code"):
        out[level] = out[f"{level}_l"].fillna(out[f"{level}_r"]).astype("str")
    return out.reset_index(drop=True)


def _positions(keys: pd.Series | pd.Index, wanted: pd.Series) -> np.ndarray:
    """Position in ``keys`` of each of ``wanted`` (-1 when absent), by Arrow's hash look-up (``index_in``): at
    millions of keys much faster than an index look-up or a factorisation of Python strings."""
    as_arrow = [pa.array(pd.Series(values, dtype="str")).cast(pa.large_string()) for values in (keys, wanted)]
    return pc.fill_null(pc.index_in(as_arrow[1], value_set=as_arrow[0]), -1).to_numpy(zero_copy_only=False)


def _comparisons_json(queue: pd.DataFrame) -> pd.Series:
    """The ``comparisons`` JSON per pair, assembled column by column (no per-pair ``json.dumps``): each
    comparison's part is spelled once per distinct (level, weight) and the parts joined in Arrow."""
    names = [column.removeprefix("level_") for column in queue.columns if column.startswith("level_")]
    if not len(queue) or not names:
        return pd.Series("[]", index=queue.index, dtype="str")
    parts = []
    for name in names:
        # A comparison with no data on either side (a null level) has no level name: JSON null.
        codes, uniques = pd.factorize(queue[f"level_{name}"], use_na_sentinel=True)
        texts = np.array([json.dumps(str(value)) for value in uniques] + ["null"], dtype=object)
        if f"w_{name}" in queue:
            weight = queue[f"w_{name}"].astype("float64").round(3).to_numpy()
            missing = np.isnan(weight)
            # Distinct by bit pattern, so that -0.0 and 0.0 keep their own text.
            weight_codes, bits = pd.factorize(np.where(missing, 0.0, weight).view(np.int64))
            weight_codes = np.where(missing, -1, weight_codes)
            weight_texts = np.append(
                np.asarray(bits, dtype=np.int64).view(np.float64).astype(str).astype(object), "null"
            )
        else:
            weight_codes, weight_texts = np.full(len(queue), -1), np.array(["null"], dtype=object)
        # Code -1 (a null level, a missing weight) picks the last text.
        level_index = np.where(codes < 0, len(texts) - 1, codes).astype(np.int64)
        weight_index = np.where(weight_codes < 0, len(weight_texts) - 1, weight_codes).astype(np.int64)
        combination, distinct = pd.factorize(level_index * len(weight_texts) + weight_index)
        prefix = f'{{"comparison": {json.dumps(name)}, "level": '
        spelled = [
            prefix + texts[key // len(weight_texts)] + ', "weight": ' + weight_texts[key % len(weight_texts)] + "}"
            for key in np.asarray(distinct).tolist()
        ]
        parts.append(pa.array(spelled, type=pa.large_string()).take(pa.array(combination)))
    text = pa.large_string()
    joined = pc.binary_join_element_wise(*parts, pa.scalar(", ", type=text))
    joined = pc.binary_join_element_wise(
        pa.scalar("[", type=text), joined, pa.scalar("]", type=text), pa.scalar("", type=text)
    )
    return pd.Series(joined, index=queue.index, dtype="str")


def comparisons_of(document: str) -> list[dict]:
    """The ``comparisons`` column of one pair, parsed: ``[{"comparison", "level", "weight"}, ...]``."""
    return json.loads(document) if isinstance(document, str) and document else []
