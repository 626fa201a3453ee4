"""How much linkable evidence do community-list records share with the other sources? (a recall ceiling)

For every true pair between a ``komunitas`` record and a record of the same person elsewhere, counts which
evidence the two share: the same phone, the same NIK, the same birth date with a shared name token, or only a
name token within the same kelurahan/kecamatan. A community record with no strong evidence to any record of its
person can only be linked on weak evidence (a common name token nearby), which costs precision.

Run: ``python benchmarks/community_list_evidence.py [--persons 20000] [--seed 7]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd

import data_contracts
from matching.normalize import RegionResolver, name_match_key
from sample_data.generate import generate

AS_OF = dt.date(2026, 11, 21)


def standardised_records(out_dir: Path) -> pd.DataFrame:
    regions = RegionResolver(data_contracts.load_region_reference())
    frames = []
    for contract in data_contracts.load_contracts().values():
        raw = data_contracts.read_source(contract, out_dir)
        report = data_contracts.validate_source(contract, raw)
        frames.append(data_contracts.standardise(contract, raw, report, AS_OF, regions).records)
    return pd.concat(frames, ignore_index=True)


def evidence_shares(records: pd.DataFrame, truth: pd.DataFrame) -> tuple[pd.DataFrame, float, int]:
    records = records.merge(truth[["record_id", "person_id"]], on="record_id")
    records["tokens"] = name_match_key(records["name"]).fillna("").str.split().map(set)
    community, others = records[records["source"] == "komunitas"], records[records["source"] != "komunitas"]
    pairs = community.merge(others, on="person_id", suffixes=("_k", "_o"))

    def same(column: str) -> pd.Series:
        return pairs[f"{column}_k"].notna() & pairs[f"{column}_k"].eq(pairs[f"{column}_o"])

    shared_token = pd.Series(
        [bool(a & b) for a, b in zip(pairs["tokens_k"], pairs["tokens_o"], strict=True)], index=pairs.index
    )
    strong = same("phone") | same("nik") | (same("birth_date") & shared_token)
    shares = pd.DataFrame(
        {
            "evidence": [
                "same phone",
                "same NIK",
                "birth date + name token",
                "any strong evidence",
                "only a name token, same kelurahan",
                "only a name token, same kecamatan",
                "no strong evidence, no shared token",
            ],
            "share_of_true_pairs": [
                same("phone").mean(),
                same("nik").mean(),
                (same("birth_date") & shared_token).mean(),
                strong.mean(),
                (~strong & shared_token & same("kelurahan_code")).mean(),
                (~strong & shared_token & same("kecamatan_code")).mean(),
                (~strong & ~shared_token).mean(),
            ],
        }
    )
    anchored = pairs.assign(strong=strong).groupby("record_id_k")["strong"].any()
    return shares, float(anchored.mean()), len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out_dir = Path(folder)
        generate(persons=args.persons, seed=args.seed, out_dir=out_dir, as_of=AS_OF)
        records = standardised_records(out_dir)
        shares, anchored, pairs = evidence_shares(records, pd.read_parquet(out_dir / "truth" / "records.parquet"))
    print(f"true komunitas <-> other-source pairs: {pairs:,}")
    print(shares.to_string(index=False, float_format="{:.3f}".format))
    print(f"komunitas records with strong evidence to at least one record of their person: {anchored:.3f}")


if __name__ == "__main__":
    main()
