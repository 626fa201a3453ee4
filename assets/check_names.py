"""Asset check names, defined once so assets, tests and the run summary agree on them."""

from __future__ import annotations

# Whole-file contract rules on ``raw_<source>``: the source could be read, every required column is
# present and the files are not empty. Blocking: a failure stops the source's standardisation and
# everything downstream of it.
CONTRACT_FILE_RULES = "contract_file_rules"
