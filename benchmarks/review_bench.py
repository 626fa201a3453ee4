"""What the review loop adds to a night, at the sizes of docs/pipeline.md (200k and 1M people).

Synthetic frames of the measured sizes (person records, review queue pairs with six comparisons): the time to
pseudonymise every record id (done only when the decision register holds decisions) and to build the published
``match_review_queue`` (both records side by side, comparisons as JSON).

    .venv/bin/python benchmarks/review_bench.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from data_contracts.schema import conform_to_person_schema
from satupekerja.privacy.pseudonyms import DEMO_KEY, hmac_pseudonym
from satupekerja.registry.review_queue import review_queue_table

#: (records, review queue pairs) of the 200k- and 1M-person nights in docs/pipeline.md.
SIZES = ((513_307, 49_213), (2_420_400, 296_225))
COMPARISONS = ("nik", "name", "birth_date", "sex", "phone", "location")


def main() -> None:
    rng = np.random.default_rng(0)
    for n_records, n_pairs in SIZES:
        ids = pd.Series([f"dukcapil:{i}" for i in range(n_records)], dtype="str")
        started = time.perf_counter()
        hashes = hmac_pseudonym(ids, DEMO_KEY)
        hashing = time.perf_counter() - started
        records = conform_to_person_schema(
            pd.DataFrame(
                {
                    "record_id": ids,
                    "source": "dukcapil",
                    "source_file": "x",
                    "source_row": np.arange(n_records),
                    "name": "SITI AMINAH",
                    "nik": "3276015505900001",
                    "kelurahan_code": "32.76.03.1001",
                    "kecamatan_code": "32.76.03",
                }
            )
        )
        left = rng.integers(0, n_records, n_pairs)
        queue = pd.DataFrame(
            {
                "record_id_l": ids.to_numpy()[left],
                "record_id_r": ids.to_numpy()[(left + 1) % n_records],
                "reason": "uncertain",
                "match_probability": 0.5,
                "match_weight": 0.0,
            }
        )
        for comparison in COMPARISONS:
            queue[f"level_{comparison}"] = pd.Categorical(["exact"] * n_pairs)
            queue[f"w_{comparison}"] = 1.5
        links = pd.DataFrame({"record_id": ids, "worker_id": "W261120000001"})
        queued = pd.concat([queue["record_id_l"], queue["record_id_r"]]).unique()
        started = time.perf_counter()
        queued_hashes = pd.Series(hmac_pseudonym(pd.Series(queued, dtype="str"), DEMO_KEY).to_numpy(), index=queued)
        table = review_queue_table(queue, records, links, queued_hashes)
        building = time.perf_counter() - started
        assert len(table) == n_pairs and hashes.notna().all()
        print(
            f"{n_records:,} records, {n_pairs:,} queued pairs: pseudonymise every record id {hashing:.1f} s; "
            f"published review queue (pseudonyms of its records included) {building:.1f} s"
        )


if __name__ == "__main__":
    main()
