"""The one vocabulary for every label staff read on the pages and in the downloads (Bahasa Indonesia)."""

from __future__ import annotations

from matching import stable_ids
from satupekerja.registry.coverage import (
    ACTIVE,
    FORMAL,
    INFORMAL,
    LAPSED,
    NEVER_REGISTERED,
    NOT_WORKING,
    TIER_KEMUNGKINAN,
    TIER_PASTI,
    UNKNOWN,
)
from satupekerja.staff import checklist, exports, review
from satupekerja.web.models import OUTCOMES, ROLE_LABELS

SECTOR = exports.SECTOR_LABELS
UNCOVERED_REASON = exports.STATUS_LABELS
TK_STATUS = {
    ACTIVE: "Terdaftar & aktif",
    LAPSED: "Terdaftar tetapi menunggak/nonaktif",
    NEVER_REGISTERED: "Belum pernah terdaftar",
}
EMPLOYMENT = {
    FORMAL: "Pekerja formal",
    INFORMAL: "Pekerja informal",
    NOT_WORKING: "Tidak bekerja",
    UNKNOWN: "Tidak diketahui",
}
JKN_SEGMENT = {
    "PBI_APBN": "PBI (APBN)",
    "PBI_APBD": "PBI (APBD)",
    "PBPU": "Mandiri (PBPU)",
    "PPU": "Pekerja penerima upah (PPU)",
    "BP": "Bukan pekerja (BP)",
}
CHECK_STATUS = (
    checklist.STATUS_ACTIVE,
    checklist.STATUS_LAPSED,
    checklist.STATUS_UNCOVERED,
    checklist.STATUS_AMBIGUOUS,
    checklist.STATUS_NOT_FOUND,
    checklist.STATUS_NOT_CHECKED,
)
#: Outreach tier of the uncovered list (issue 11): informal work the person registered, or only weak statements.
TIER = {TIER_PASTI: "Pasti", TIER_KEMUNGKINAN: "Kemungkinan"}
TIER_HELP = {
    TIER_PASTI: "Pasti: terdaftar sebagai pekerja informal (register, BPU/JAKON, daftar pedagang atau komunitas)",
    TIER_KEMUNGKINAN: "Kemungkinan: hanya petunjuk lemah (segmen JKN keluarga, pekerjaan di KTP)",
}
#: Membership status as the JKN and BPJS TK sources write it.
MEMBER_STATUS = {"AKTIF": "Aktif", "NONAKTIF": "Nonaktif"}
TK_SEGMENT = {
    "PU": "Penerima upah (PU)",
    "BPU": "Bukan penerima upah (BPU)",
    "JAKON": "Jasa konstruksi (JAKON)",
    "PMI": "Pekerja migran (PMI)",
}
#: Where a piece of employment evidence comes from (the ``prefix:`` of the contracts' evidence labels).
EVIDENCE_SOURCE = {
    "ktp": "KTP",
    "jkn": "JKN",
    "tk": "BPJS TK",
    "disnaker": "Disnaker",
    "daftar": "Daftar komunitas",
    "pasar": "Pasar",
    "umkm": "UMKM",
    "usia": "Usia",
}
EVIDENCE_VALUE = {"pekerja_informal": "terdaftar pekerja informal", "pencari_kerja": "pencari kerja"}
#: ``worker_id_history``: its columns and its events (matching.stable_ids).
HISTORY_COLUMNS = {
    "snapshot_date": "Tanggal",
    "event_date": "Tanggal",
    "worker_id": "ID pekerja",
    "event": "Peristiwa",
    "related_worker_id": "ID terkait",
    "records": "Jumlah catatan",
}
HISTORY_EVENT = {
    stable_ids.CREATED: "ID dibuat",
    stable_ids.KEPT: "ID tetap",
    stable_ids.MERGED_INTO: "Digabung ke",
    stable_ids.SPLIT_FROM: "Dipisah dari",
    stable_ids.RETIRED: "ID tidak dipakai lagi",
}
OUTCOME = OUTCOMES
ROLE = ROLE_LABELS
SEX = {"L": "Laki-laki", "P": "Perempuan", "M": "Laki-laki", "F": "Perempuan"}
#: Priority bands of the outreach score (see satupekerja.registry.coverage): vulnerable first, then recent lapses.
PRIORITY_BANDS = {"tinggi": ("Tinggi (rentan)", 100, None), "sedang": ("Sedang", 40, 99), "biasa": ("Biasa", None, 39)}

#: Person fields: the side-by-side fields of the review (``satupekerja review``, Meja review), plus the coverage
#: fields of a person's source records.
FIELD_LABELS = {
    **review.FIELD_LABELS,
    "jkn_segment": "Segmen JKN",
    "jkn_status": "Status JKN",
    "tk_segment": "Segmen BPJS TK",
    "tk_status": "Status BPJS TK",
    "tk_last_paid_month": "Bulan iuran terakhir",
    "registered_date": "Tanggal daftar",
    "record_id": "ID catatan",
}


def label(mapping: dict, code: object) -> str:
    if code is None or (isinstance(code, float) and code != code):
        return "–"
    text = str(code)
    if text in ("", "<NA>", "nan", "None"):
        return "–"
    return mapping.get(text, text.replace("_", " ").capitalize())


def evidence_text(evidence: object) -> str:
    """``disnaker:pekerja_informal; jkn:PBI_APBN`` → ``Disnaker: terdaftar pekerja informal; JKN: PBI (APBN)``.
    Codes get their label; what a source wrote in words (a KTP occupation) is shown as written."""
    if label({}, evidence) == label({}, None):
        return label({}, None)
    shown = []
    for piece in str(evidence).split("; "):
        prefix, colon, value = piece.partition(":")
        if not colon:
            shown.append(piece)
            continue
        words = value.split(" ", 1)
        code = words[0]
        named = next(
            (mapping[code] for mapping in (EVIDENCE_VALUE, SECTOR, JKN_SEGMENT, TK_SEGMENT) if code in mapping), code
        )
        rest = (" " + words[1]) if len(words) > 1 else ""
        shown.append(f"{EVIDENCE_SOURCE.get(prefix, prefix.capitalize())}: {named}{rest}")
    return "; ".join(shown)
