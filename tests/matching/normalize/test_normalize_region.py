from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import RESOLVED_COLUMNS, RegionResolver, region_key

REFERENCE_CSV = Path(__file__).parents[3] / "data_contracts" / "reference" / "wilayah_depok.csv"


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_CSV, dtype=str)


@pytest.fixture(scope="module")
def resolver(reference) -> RegionResolver:
    return RegionResolver(reference)


def resolve(resolver, kelurahan, kecamatan=None) -> pd.Series:
    kec = None if kecamatan is None else pd.Series([kecamatan], dtype=object)
    return resolver.resolve(pd.Series([kelurahan], dtype=object), kec).iloc[0]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Kel. Depok Jaya", "DEPOKJAYA"),
        ("KELURAHAN DEPOK JAYA", "DEPOKJAYA"),
        ("Desa Depok", "DEPOK"),
        ("Kec. Pancoran Mas", "PANCORANMAS"),
        ("KECAMATAN PANCORAN MAS", "PANCORANMAS"),
        ("Pancoran Mas, Kota Depok", "PANCORANMAS"),
        ("Depok Jaya Kec. Pancoran Mas", "DEPOKJAYA"),
        ("Pasir Gn. Selatan", "PASIRGUNUNGSELATAN"),
        ("Abadi Jaya", "ABADIJAYA"),
        ("Pd. Cina", "PONDOKCINA"),
    ],
)
def test_region_key(raw, key):
    assert region_key(pd.Series([raw])).iloc[0] == key


@pytest.mark.parametrize(
    ("kelurahan", "kecamatan", "code"),
    [
        ("Depok Jaya", None, "32.76.01.1007"),
        ("KEL. DEPOK JAYA", "KEC. PANCORAN MAS", "32.76.01.1007"),
        ("Depok", None, "32.76.01.1006"),
        ("abadijaya", None, "32.76.05.1003"),
        ("Kelurahan Pondok Cina, Kota Depok", None, "32.76.06.1005"),
        # traps
        ("Curug", "Cimanggis", "32.76.02.1008"),
        ("Curug", "Bojongsari", "32.76.11.1005"),
        ("Sukamaju", None, "32.76.08.1001"),
        ("Sukamaju Baru", None, "32.76.10.1004"),
        ("Cisalak", None, "32.76.05.1008"),
        ("Cisalak Pasar", None, "32.76.02.1012"),
        ("Sawangan", None, "32.76.03.1010"),
        ("Sawangan Baru", None, "32.76.03.1011"),
        ("Pangkalan Jati", None, "32.76.09.1003"),
        ("Pangkalan Jati Baru", None, "32.76.09.1004"),
        ("Bojongsari", None, "32.76.11.1001"),
        ("Beji", None, "32.76.06.1001"),
        ("Beji Timur", None, "32.76.06.1006"),
        # fuzzy
        ("Sukamju", None, "32.76.08.1001"),
        ("Sawangn", None, "32.76.03.1010"),
        ("Sawangan Bru", None, "32.76.03.1011"),
        ("Cisalak Psr", None, "32.76.02.1012"),
        ("Leuwinangung", None, "32.76.10.1002"),
        ("Curg", "Cimanggis", "32.76.02.1008"),
        ("Cuurg", "Bojongsari", "32.76.11.1005"),  # transposition
        ("Tguu", None, "32.76.02.1009"),  # one edit in a short name
        ("Fandul", None, "32.76.09.1002"),
        ("eDpok", None, "32.76.01.1006"),
        # kelurahan of a kecamatan split off in 2008, recorded under the old kecamatan
        ("Curug", "Sawangan", "32.76.11.1005"),
        ("Duren Seribu", "Sawangan", "32.76.11.1007"),
        ("Sukamaju Baru", "Cimanggis", "32.76.10.1004"),
        ("Ratu Jaya", "Pancoran Mas", "32.76.07.1003"),
        ("Gandul", "Limo", "32.76.09.1002"),
        ("Kalimulya", "Sukmajaya", "32.76.08.1004"),
    ],
)
def test_resolve_kelurahan(resolver, kelurahan, kecamatan, code):
    row = resolve(resolver, kelurahan, kecamatan)
    assert row["kelurahan_code"] == code
    assert row["kecamatan_code"] == code[:8]
    assert 0 < row["region_match_score"] <= 100


def test_exact_match_scores_100_and_fuzzy_less(resolver):
    assert resolve(resolver, "Depok Jaya")["region_match_score"] == 100
    assert 85 <= resolve(resolver, "Depok Jya")["region_match_score"] < 100


@pytest.mark.parametrize("kecamatan", [None, "Beji", "Tidak Tahu"])
def test_ambiguous_curug_without_a_deciding_kecamatan(resolver, kecamatan):
    row = resolve(resolver, "Curug", kecamatan)
    assert pd.isna(row["kelurahan_code"])
    expected_kecamatan = "32.76.06" if kecamatan == "Beji" else None
    assert (None if pd.isna(row["kecamatan_code"]) else row["kecamatan_code"]) == expected_kecamatan


def test_exact_name_never_moves_to_its_baru_or_pasar_twin(resolver):
    names = pd.Series(["Sawangan", "Sawangan Baru", "Sukamaju", "Sukamaju Baru", "Cisalak", "Cisalak Pasar"])
    codes = resolver.resolve(names)["kelurahan_code"].tolist()
    assert codes == [
        "32.76.03.1010",
        "32.76.03.1011",
        "32.76.08.1001",
        "32.76.10.1004",
        "32.76.05.1008",
        "32.76.02.1012",
    ]


def test_contradicting_kecamatan_keeps_the_kelurahan_with_a_lower_score(resolver):
    row = resolve(resolver, "Cisalak", "Cimanggis")
    assert row["kelurahan_code"] == "32.76.05.1008"
    assert row["region_match_score"] == 80


@pytest.mark.parametrize(
    ("kecamatan", "code"),
    [
        ("Pancoran Mas", "32.76.01"),
        ("KEC. CIMANGGIS", "32.76.02"),
        ("Cimangis", "32.76.02"),
        ("Kecamatan Bojongsari", "32.76.11"),
        ("TAPOS", "32.76.10"),
    ],
)
def test_kecamatan_alone(resolver, kecamatan, code):
    row = resolve(resolver, None, kecamatan)
    assert pd.isna(row["kelurahan_code"])
    assert row["kecamatan_code"] == code
    assert row["region_match_score"] > 0


@pytest.mark.parametrize(
    "kelurahan", [None, "", "Jakarta Selatan", "xyz", "Baru", "Kota Depok", "KOTA DEPOK, JAWA BARAT"]
)
def test_unknown_names_resolve_to_nothing(resolver, kelurahan):
    row = resolve(resolver, kelurahan)
    assert row.isna().all()


def test_output_shape_and_index(resolver):
    kelurahan = pd.Series(["Beji", None, "Beji"], index=[30, 10, 20])
    out = resolver.resolve(kelurahan, pd.Series(["Beji", "Beji", None], index=[30, 10, 20]))
    assert list(out.columns) == RESOLVED_COLUMNS and list(out.index) == [30, 10, 20]
    assert out["kelurahan_code"].dtype == "str" and out["region_match_score"].dtype == "float64"
    assert out["kecamatan_code"].tolist() == ["32.76.06"] * 3


def test_every_reference_kelurahan_resolves_to_itself(resolver, reference):
    out = resolver.resolve(reference["kelurahan"], reference["kecamatan"])
    assert out["kelurahan_code"].tolist() == reference["kode_wilayah"].tolist()
    assert (out["region_match_score"] == 100).all()


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.text(max_size=25)), st.one_of(st.none(), st.text(max_size=25))), max_size=20
    )
)
def test_resolve_never_raises(resolver, pairs):
    kelurahan = pd.Series([k for k, _ in pairs], dtype=object)
    kecamatan = pd.Series([k for _, k in pairs], dtype=object)
    out = resolver.resolve(kelurahan, kecamatan)
    assert len(out) == len(pairs)
    assert out["region_match_score"].dropna().between(0, 100).all()
