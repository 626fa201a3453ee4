"""Staff tools: what outreach staff and agents use outside the web application.

The ``satupekerja`` command line (:mod:`.cli`), checking a community list against the registry
(:mod:`.checklist`), Excel/CSV exports and the report (:mod:`.exports`, :mod:`.report`), formula-safe,
owner-only files (:mod:`.safe_output`) and the nightly read of outreach outcomes (:mod:`.outreach`).
"""
