"""Publishing: the warehouse analysts query and the rules for what may reach it.

The Parquet warehouse with its DuckDB views and atomic snapshot swaps (:mod:`.warehouse`), the guards that
must hold before a snapshot is published (:mod:`.guards`) and the removal of snapshots past their retention
(:mod:`.retention`).
"""
