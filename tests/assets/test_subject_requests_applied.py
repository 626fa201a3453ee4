"""A data-subject erasure in the register is honoured by the next run: the person's records are gone."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.resources import PrivacyResource
from satupekerja.privacy import pseudonyms
from satupekerja.privacy.subject_requests import append_request, make_request_row

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dagster")]


def test_an_erasure_request_removes_every_record_of_the_person(pipeline_run, pipeline_runner, snapshot, tmp_path):
    records = pipeline_run.stored("person_records")
    valid = records[records["nik_valid"] & records["source"].eq("dukcapil")]
    nik = valid["nik"].iloc[0]
    register = tmp_path / "subject_requests.csv"
    key = pseudonyms.load_pseudonymisation_key()
    append_request(
        register, make_request_row(nik, "erasure", key=key, request_id="DSR-1", received_date=dt.date(2026, 11, 1))
    )
    privacy = PrivacyResource(subject_requests=str(register))

    rerun = pipeline_runner(pipeline_run.inbox, tmp_path / "outputs", partition_key=snapshot, privacy=privacy)

    assert rerun.result.success
    after = rerun.stored("person_records")
    assert not after["nik"].eq(nik).any()
    assert rerun.materialization("person_records")["records erased"] >= 1
    assert len(after) == len(records) - rerun.materialization("person_records")["records erased"]
    assert not rerun.stored("unified_workers")["nik"].eq(nik).any()
