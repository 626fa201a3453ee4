"""``python -m sample_data.english_register --records 5000 --seed 11 --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from sample_data.english_register.generate import write


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.english_register",
        description="Tulis register orang berbahasa Inggris (seeded) dan kebenarannya / "
        "write the seeded English-language register and its truth.",
    )
    parser.add_argument("--records", type=int, default=5000, help="rows of the register (and of both linkage files)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    counts = write(args.out, args.records, args.seed)
    for file_name, rows in counts.items():
        print(f"{args.out / file_name}: {rows} baris")


if __name__ == "__main__":
    main()
