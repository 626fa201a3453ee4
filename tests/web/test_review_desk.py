"""Meja review: area staff see and decide only their area's pairs (enforced on the server), side by side with the
weights; decisions need CSRF and a reason, land in the register with who and why, and are audited."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.orm import Session

from satupekerja.privacy.audit import AuditLog
from satupekerja.staff.review import register_frame, register_problem
from tests.web.conftest import BEJI, SAWANGAN
from tests.web.test_web_app import csrf, make_app, signed_in

pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture(scope="module")
def review_state(tmp_path_factory):
    return tmp_path_factory.mktemp("review_desk")


@pytest.fixture(scope="module")
def app(web_warehouse, review_state):
    return make_app(web_warehouse, review_state)


def pairs_in(web_warehouse, kecamatan: str) -> list[str]:
    queue = web_warehouse.review_queue
    return sorted(queue.loc[queue["kecamatan_code"].eq(kecamatan), "pair_id"])


def register(app):
    with Session(app.extensions["sp_engine"]) as session:
        return register_frame(session)


def audit_actions(review_state) -> list[dict]:
    path = review_state / "audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_area_staff_see_only_their_area_s_pairs(app, web_warehouse):
    sawangan, beji = pairs_in(web_warehouse, SAWANGAN), pairs_in(web_warehouse, BEJI)
    assert sawangan and beji
    page = signed_in(app, "sawangan").get("/review").get_data(as_text=True)
    assert all(pair in page for pair in sawangan)
    assert not any(pair in page for pair in beji)
    city = signed_in(app, "cabang").get("/review").get_data(as_text=True)
    assert all(pair in city for pair in sawangan + beji)


def test_another_area_s_pair_cannot_be_opened_or_decided_by_url(app, web_warehouse, review_state):
    client = signed_in(app, "sawangan")
    beji = pairs_in(web_warehouse, BEJI)[0]
    assert client.get(f"/review/{beji}").status_code == 404
    token = csrf(client, "/review")
    response = client.post(f"/review/{beji}", data={"keputusan": "same", "alasan": "sama sekali", "csrf_token": token})
    assert response.status_code == 404
    assert register(app).empty
    denied = [entry for entry in audit_actions(review_state) if entry["action"] == "web_review_ditolak"]
    assert {entry["filters"]["pair_id"] for entry in denied} == {beji}


def test_the_pair_page_shows_both_records_and_the_weights_with_niks_masked(app, web_warehouse):
    pair_id = pairs_in(web_warehouse, SAWANGAN)[0]
    pair = web_warehouse.review_queue.set_index("pair_id").loc[pair_id]
    page = signed_in(app, "sawangan").get(f"/review/{pair_id}").get_data(as_text=True)
    assert "Dua catatan berdampingan" in page and 'id="bobot"' in page
    for comparison in json.loads(pair["comparisons"]):
        assert (comparison["level"] or "tidak ada data") in page
    assert pair["worker_id_l"] in page and pair["worker_id_r"] in page
    for nik in (pair["nik_l"], pair["nik_r"]):
        if isinstance(nik, str):
            assert nik not in page and nik[-4:] in page


def test_a_decision_needs_csrf_and_a_reason_and_is_registered_with_who_and_why(app, web_warehouse, review_state):
    pair_id = pairs_in(web_warehouse, SAWANGAN)[0]
    client = signed_in(app, "sawangan")
    assert client.post(f"/review/{pair_id}", data={"keputusan": "same", "alasan": "HP sama"}).status_code == 400
    token = csrf(client, f"/review/{pair_id}")
    no_reason = client.post(f"/review/{pair_id}", data={"keputusan": "same", "alasan": "", "csrf_token": token})
    assert no_reason.status_code == 200 and "alasan wajib" in no_reason.get_data(as_text=True)
    assert register(app).empty

    saved = client.post(
        f"/review/{pair_id}", data={"keputusan": "different", "alasan": "kembar satu KK", "csrf_token": token}
    )
    assert saved.status_code == 302
    rows = register(app)
    assert rows[["pair_id", "decision", "reason", "reviewer"]].values.tolist() == [
        [pair_id, "different", "kembar satu KK", "web:sawangan"]
    ]
    assert register_problem(rows, AuditLog(review_state / "audit.jsonl").key) is None
    assert pair_id not in client.get("/review").get_data(as_text=True)  # no longer open
    decided = [entry for entry in audit_actions(review_state) if entry["action"] == "review_putuskan"]
    assert [entry["phase"] for entry in decided] == ["intent", "done"]
    assert decided[-1]["filters"]["decision_id"] == int(rows["id"].iloc[0])
    assert "kembar" not in (review_state / "audit.jsonl").read_text(encoding="utf-8")  # the reason stays out


def test_agents_have_no_review_desk_and_english_is_offered(app):
    assert signed_in(app, "agen").get("/review").status_code == 403
    client = signed_in(app, "sawangan")
    client.get("/bahasa/en")
    page = client.get("/review").get_data(as_text=True)
    assert "Review desk" in page and re.search(r"open pairs", page)
