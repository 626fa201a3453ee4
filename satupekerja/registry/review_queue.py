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

    ``queue``: the engine's review queue; ``person_records``: tonight's records; ``worker_ids``: ``record_id``,
    ``worker_id``; ``record_hashes``: HMAC pseudonym per record id (indexed by ``record_id``), covering at least
    the queue's records.
    """
    out = pd.DataFrame(index=queue.index)
    out["pair_id"] = pd.Series(dtype="str")
    for side in SIDES:
        out[f"record_id_{side}"] = queue[f"record_id_{side}"].astype("str")
        out[f"record_hash_{side}"] = out[f"record_id_{side}"].map(record_hashes).astype("str")
    out["pair_id"] = pair_ids(out["record_hash_l"], out["record_hash_r"])
    out["reason"] = queue["reason"].astype("str")
    out["match_probability"] = queue["match_probability"].astype("float64")
    out["match_weight"] = queue["match_weight"].astype("float64")
    out["comparisons"] = _comparisons_json(queue)
    records = person_records.set_index("record_id")
    worker_of = worker_ids.set_index("record_id")["worker_id"]
    for side in SIDES:
        ids = out[f"record_id_{side}"]
        out[f"worker_id_{side}"] = ids.map(worker_of).astype("str")
        picked = records.reindex(ids.to_numpy())
        for field in SIDE_BY_SIDE_FIELDS:
            out[f"{field}_{side}"] = picked[field].to_numpy() if len(out) else pd.Series(dtype=records[field].dtype)
            out[f"{field}_{side}"] = out[f"{field}_{side}"].astype(records[field].dtype)
    for level in ("kecamatan_code", "kelurahan_code"):
        out[level] = out[f"{level}_l"].fillna(out[f"{level}_r"]).astype("str")
    return out.reset_index(drop=True)


def _comparisons_json(queue: pd.DataFrame) -> pd.Series:
    names = [column.removeprefix("level_") for column in queue.columns if column.startswith("level_")]
    # A comparison with no data on either side (a null level) has no level name: JSON null.
    levels = {name: queue[f"level_{name}"].astype(object).to_numpy() for name in names}
    weights = {name: queue[f"w_{name}"].astype("float64").to_numpy() for name in names if f"w_{name}" in queue}
    documents = [
        json.dumps(
            [
                {
                    "comparison": name,
                    "level": None if pd.isna(levels[name][row]) else str(levels[name][row]),
                    "weight": round(float(weights[name][row]), 3) if name in weights else None,
                }
                for name in names
            ],
            ensure_ascii=False,
        )
        for row in range(len(queue))
    ]
    return pd.Series(documents, index=queue.index, dtype="str")


def comparisons_of(document: str) -> list[dict]:
    """The ``comparisons`` column of one pair, parsed: ``[{"comparison", "level", "weight"}, ...]``."""
    return json.loads(document) if isinstance(document, str) and document else []
