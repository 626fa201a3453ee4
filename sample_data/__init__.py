"""Seeded synthetic Depok: agency sources in their real formats, with ground truth. See ``docs/sample_data.md``.

Entry points live in :mod:`sample_data.generate` (``generate_frames``, ``write_sources``, ``generate`` and the CLI).
"""
