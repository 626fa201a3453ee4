import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.normalize import (
    clean_name,
    first_token,
    last_token,
    name_match_key,
    name_skeleton,
    name_sorted_key,
    split_patronymic,
)


def one(function, value):
    return function(pd.Series([value], dtype=object)).iloc[0]


# ------------------------------------------------------------------ clean_name


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("budi santoso", "BUDI SANTOSO"),
        ("  Budi    Santoso ", "BUDI SANTOSO"),
        ("Bapak Budi", "BUDI"),
        ("Bpk. Budi", "BUDI"),
        ("BP BUDI", "BUDI"),
        ("Ibu Siti Aminah", "SITI AMINAH"),
        ("Ny. Siti", "SITI"),
        ("Nj. Siti", "SITI"),
        ("Nn. Rina", "RINA"),
        ("Sdr. Andi", "ANDI"),
        ("Sdri. Ani", "ANI"),
        ("Tn. Hasan", "HASAN"),
        ("H. Ahmad Dahlan", "AHMAD DAHLAN"),
        ("Hj. Fatimah", "FATIMAH"),
        ("Hajjah Fatimah", "FATIMAH"),
        ("Haji Ahmad", "AHMAD"),
        ("Drs. Budi", "BUDI"),
        ("Dra. Ani", "ANI"),
        ("Ir. Joko", "JOKO"),
        ("Dr. Ir. H. Djoko Santoso", "DJOKO SANTOSO"),
        ("dr. Rina", "RINA"),
        ("drg. Rina", "RINA"),
        ("Prof. Dr. Budi", "BUDI"),
        ("KH. Ahmad Dahlan", "AHMAD DAHLAN"),
        ("K.H. Ahmad Dahlan", "AHMAD DAHLAN"),
        ("Ustadz Abdul Somad", "ABDUL SOMAD"),
        ("BPK.BUDI", "BUDI"),
        ("Budi Santoso, S.E.", "BUDI SANTOSO"),
        ("Budi Santoso SE", "BUDI SANTOSO"),
        ("Budi Santoso, S.H., M.H.", "BUDI SANTOSO"),
        ("Siti Aminah, S.Pd.", "SITI AMINAH"),
        ("Siti Aminah S.Pd.I", "SITI AMINAH"),
        ("Andi S.T.", "ANDI"),
        ("Rina, S.Sos", "RINA"),
        ("Rina S.Kom", "RINA"),
        ("Rina S.Kep., Ners", "RINA"),
        ("Rina Amd.", "RINA"),
        ("Rina, A.Md.Keb", "RINA"),
        ("Budi, M.M.", "BUDI"),
        ("Budi M.Kes", "BUDI"),
        ("Budi, M.Si", "BUDI"),
        ("Budi MBA", "BUDI"),
        ("Budi, Ph.D", "BUDI"),
        ("Budi.SE", "BUDI"),
        ("Bapak H. Moch. Soeharto, S.E., M.M.", "MOCH SOEHARTO"),
        ("Ma'ruf Amin", "MARUF AMIN"),
        ("MA`RUF", "MARUF"),
        ("Siti-Aminah", "SITI AMINAH"),
        ("José Müller", "JOSE MULLER"),
        ("M. Nur", "M NUR"),
        ("Budi (Alm)", "BUDI"),
        ("Budi 2", "BUDI"),
    ],
)
def test_clean_name(raw, clean):
    assert one(clean_name, raw) == clean


@pytest.mark.parametrize("raw", ["HAJI", "Haji", "IBU", "H.", "DR", "SE", "Bapak"])
def test_title_alone_is_kept_as_the_name(raw):
    assert one(clean_name, raw) == raw.upper().rstrip(".")


@pytest.mark.parametrize("raw", ["IRWAN", "HARIS", "BUDIMAN", "NYOMAN", "PAKPAHAN", "SEPTIAN", "DRAJAT", "HAJAR"])
def test_names_starting_like_titles_are_untouched(raw):
    assert one(clean_name, raw + " SAPUTRA") == raw + " SAPUTRA"


@pytest.mark.parametrize("raw", ["Soeharto", "Djoko", "Tjahjo", "Muhamad", "Abdullah"])
def test_clean_name_never_changes_spelling(raw):
    assert one(clean_name, raw) == raw.upper()


@pytest.mark.parametrize("raw", [None, "", "   ", "...", "123", float("nan")])
def test_clean_name_missing_or_empty_is_na(raw):
    assert pd.isna(one(clean_name, raw))


def test_clean_name_keeps_index_and_dtype():
    out = clean_name(pd.Series(["budi", None], index=["a", "b"]))
    assert list(out.index) == ["a", "b"] and out.dtype == "str"


NAME_ALPHABET = st.characters(codec="latin-1", categories=["Lu", "Ll", "Zs", "Pd", "Po", "Nd"], exclude_characters="ßÿ")
NAME_PARTS = st.sampled_from(
    ["BAPAK", "H.", "HJ.", "IBU", "DRS.", "BUDI", "SITI", "MA'RUF", "S.E.", ",", "M.M.", "SE", "SANTOSO", "BIN"]
)


@settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(NAME_ALPHABET, max_size=30), st.lists(NAME_PARTS, max_size=6).map(" ".join)), max_size=20
    )
)
def test_clean_name_is_idempotent_and_never_longer(names):
    series = pd.Series(names, dtype="str")
    once = clean_name(series)
    twice = clean_name(once)
    assert once.fillna("<NA>").tolist() == twice.fillna("<NA>").tolist()
    for raw, cleaned in zip(names, once, strict=True):
        if not pd.isna(cleaned):
            assert len(cleaned) <= len(raw)
            assert cleaned == cleaned.strip() and "  " not in cleaned


# ------------------------------------------------------------------ name_match_key


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Soeharto", "Suharto"),
        ("Djoko", "Joko"),
        ("Tjahjo", "Cahyo"),
        ("Jusuf", "Yusuf"),
        ("Njoto", "Nyoto"),
        ("Sjahrir", "Syahrir"),
        ("Chairul", "Khairul"),
        ("Achmad", "Ahmad"),
        ("Akhmad", "Ahmad"),
        ("Rachmat", "Rahmat"),
        ("Soedjono", "Sujono"),
        ("Widjaja", "Wijaya"),
        ("Soejono", "Suyono"),
        ("Abdullah", "Abdulah"),
        ("Hassan", "Hasan"),
        ("Christina", "Kristina"),
        ("Rahaju", "Rahayu"),
        ("Wahju", "Wahyu"),
        ("Muljana", "Mulyana"),
        ("Ardjuna", "Arjuna"),
        ("Jahja", "Yahya"),
    ],
)
def test_match_key_maps_old_spelling_to_current(old, new):
    assert one(name_match_key, old) == one(name_match_key, new)


@pytest.mark.parametrize(
    "modern",
    ["PANJI", "ANJAR", "SANJAYA", "RAJA", "PUJI", "HAJAR", "JOKO", "JUNAIDI", "CANDRA", "NYOMAN", "AISYAH"],
)
def test_match_key_leaves_modern_spelling_alone(modern):
    assert one(name_match_key, modern) == modern


@pytest.mark.parametrize(
    "variant",
    [
        "M",
        "M.",
        "Moh",
        "Moch.",
        "Mochamad",
        "Mochammad",
        "Mohamad",
        "Mohammad",
        "Muhamad",
        "Muhammad",
        "Muh",
        "Mhd",
        "Mohd",
        "Muchammad",
        "Mohammed",
        "Moehammad",
    ],
)
def test_muhammad_variants_are_unified(variant):
    assert one(name_match_key, variant + " Rizki") == "MUHAMMAD RIZKI"


def test_lone_m_at_the_end_is_an_initial_not_muhammad():
    assert one(name_match_key, "Budi M") == "BUDI M"
    assert one(name_match_key, "M") == "M"


def test_match_key_keeps_patronymic_tokens():
    assert one(name_match_key, "Ahmad bin Abdullah") == "AHMAD BIN ABDULAH"


def test_match_key_equals_for_titles_and_degrees():
    assert one(name_match_key, "H. Moch. Soeharto, S.E.") == one(name_match_key, "Muhammad Suharto")


OLD_TO_NEW_SYLLABLES = [
    ("TJA", "CA"),
    ("DJO", "JO"),
    ("SOE", "SU"),
    ("SJA", "SYA"),
    ("KOE", "KU"),
    ("TJI", "CI"),
    ("DJA", "JA"),
    ("NOE", "NU"),
    ("RA", "RA"),
    ("TO", "TO"),
    ("WI", "WI"),
    ("MAN", "MAN"),
    ("HAR", "HAR"),
    ("DI", "DI"),
    ("CHA", "KHA"),
    ("LI", "LI"),
]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.lists(st.sampled_from(OLD_TO_NEW_SYLLABLES), min_size=1, max_size=4), min_size=1, max_size=3))
def test_match_key_equal_for_generated_old_and_new_spellings(tokens):
    old = " ".join("".join(o for o, _ in token) for token in tokens)
    new = " ".join("".join(n for _, n in token) for token in tokens)
    keys = name_match_key(pd.Series([old, new]))
    assert keys[0] == keys[1]


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(
        ["M", "MOH", "MOCH", "MOCHAMAD", "MOHAMAD", "MOHAMMAD", "MUHAMAD", "MUH", "MHD", "MOHD", "MUCHAMMAD"]
    ),
    st.lists(st.sampled_from(["RIZKI", "NUR", "FAJAR", "ALI", "HIDAYAT"]), min_size=1, max_size=3),
)
def test_match_key_equal_for_muhammad_variants(variant, rest):
    keys = name_match_key(pd.Series([" ".join([variant, *rest]), " ".join(["MUHAMMAD", *rest])]))
    assert keys[0] == keys[1]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.text(NAME_ALPHABET, max_size=25), max_size=20))
def test_match_key_is_idempotent(names):
    once = name_match_key(pd.Series(names, dtype="str"))
    assert once.fillna("<NA>").tolist() == name_match_key(once).fillna("<NA>").tolist()


# ------------------------------------------------------------------ patronymic, sorted key, skeleton, tokens


@pytest.mark.parametrize(
    ("raw", "given", "patronym"),
    [
        ("Ahmad bin Abdullah", "AHMAD", "ABDULLAH"),
        ("Siti Aminah binti Salim", "SITI AMINAH", "SALIM"),
        ("Siti Aminah B. Salim", "SITI AMINAH", "SALIM"),
        ("H. Ahmad Bin H. Umar", "AHMAD", "H UMAR"),
        ("Budi Santoso", "BUDI SANTOSO", None),
        ("Bin", "BIN", None),
        ("Ahmad bin", "AHMAD BIN", None),
        (None, None, None),
    ],
)
def test_split_patronymic(raw, given, patronym):
    out = split_patronymic(pd.Series([raw], dtype=object)).iloc[0]
    assert (None if pd.isna(out["given"]) else out["given"]) == given
    assert (None if pd.isna(out["patronym"]) else out["patronym"]) == patronym


def test_sorted_key_is_token_order_insensitive():
    keys = name_sorted_key(pd.Series(["Santoso Budi", "Budi Santoso", "Soeharto Moch"]))
    assert keys[0] == keys[1] == "BUDI SANTOSO"
    assert keys[2] == "MUHAMMAD SUHARTO"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Fitri", "Pitri"),
        ("Saiful", "Syaiful"),
        ("Zaenal", "Jaenal"),
        ("Fatimah", "Fatima"),
        ("Ramadhan", "Ramadan"),
        ("Supriyadi", "Supriadi"),
        ("Achmad Rachmat", "Ahmad Rahmat"),
        ("Chandra", "Candra"),
        ("Khoirul", "Choirul"),
        ("Taufik", "Taufiq"),
        ("Nur", "Noor"),
        ("Sri Rahayu", "Sri Rahaju"),
    ],
)
def test_skeleton_collides_spelling_variants(a, b):
    skeletons = name_skeleton(pd.Series([a, b]))
    assert skeletons[0] == skeletons[1]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Budi", "Bayu"),
        ("Siti", "Sari"),
        ("Dedi", "Dewi"),
        ("Andi", "Anton"),
        ("Rina", "Rini Yanti"),
        ("Budi Santoso", "Santoso Budi"),
    ],
)
def test_skeleton_separates_different_names(a, b):
    skeletons = name_skeleton(pd.Series([a, b]))
    assert skeletons[0] != skeletons[1]


def test_skeleton_keeps_one_code_per_token():
    assert one(name_skeleton, "Muhammad Nur Hidayat") == "MHMD NR HDYT".replace("Y", "")


def test_first_and_last_token_for_mononyms_and_full_names():
    names = pd.Series(["SUKARNO", "BUDI SANTOSO", None])
    assert first_token(names).tolist()[:2] == ["SUKARNO", "BUDI"]
    assert last_token(names).tolist()[:2] == ["SUKARNO", "SANTOSO"]
    assert pd.isna(first_token(names)[2]) and pd.isna(last_token(names)[2])


@settings(max_examples=10, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats()), max_size=20))
def test_name_functions_never_raise_and_keep_na(values):
    series = pd.Series(values, dtype=object, index=range(5, 5 + len(values)))
    for function in (clean_name, name_match_key, name_sorted_key, name_skeleton, first_token, last_token):
        out = function(series)
        assert list(out.index) == list(series.index)
        assert out[series.isna()].isna().all()
    assert list(split_patronymic(series).index) == list(series.index)


NAME_WORDS = st.sampled_from(["BUDI", "SOEHARTO", "DJOKO", "TJAHJONO", "ABDULLAH", "KHOIRUL", "M", "NUR", "SYAIFUL"])


@settings(max_examples=40, deadline=None)
@given(st.lists(NAME_WORDS, min_size=1, max_size=5))
def test_match_key_and_skeleton_rewrite_each_word_on_its_own(words):
    # Spelling rules apply word by word; a lone M is Muhammad only when another word follows it.
    keys = [one(name_match_key, word) for word in words]
    expected = ["MUHAMMAD" if key == "M" and position < len(words) - 1 else key for position, key in enumerate(keys)]
    assert one(name_match_key, " ".join(words)) == " ".join(expected)
    skeletons = [one(name_skeleton, "MUHAMMAD" if key == "MUHAMMAD" else key) for key in expected]
    assert one(name_skeleton, " ".join(words)) == " ".join(skeletons)
