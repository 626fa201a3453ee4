"""Seeded English-language person register (one file to deduplicate, two to link) with its truth.

See :mod:`sample_data.english_register.generate` and ``docs/sample_data.md``;
``python -m sample_data.english_register --records 5000 --seed 11 --out DIR``.
"""

from sample_data.english_register.generate import COLUMNS, LINKAGE_FILES, REGISTER_FILE, generate, write

__all__ = ["COLUMNS", "LINKAGE_FILES", "REGISTER_FILE", "generate", "write"]
