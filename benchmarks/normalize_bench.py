"""Normaliser benchmark: 1M values with realistic repetition through each hot normaliser (run: python benchmarks/normalize_bench.py)."""

import datetime as dt
import time

import numpy as np
import pandas as pd

from matching.normalize import (
    RegionResolver,
    clean_address,
    clean_name,
    name_match_key,
    name_skeleton,
    normalize_phone,
    normalize_sex,
    parse_date,
    parse_month,
    parse_nik,
)

rng = np.random.default_rng(0)
N = 1_000_000
given = [
    "BUDI",
    "SITI",
    "MUHAMMAD",
    "MOCH.",
    "AHMAD",
    "SRI",
    "DEWI",
    "AGUS",
    "RINA",
    "JOKO",
    "DJOKO",
    "NUR",
    "FITRI",
    "HENDRA",
    "YUSUF",
    "RAHMAT",
    "ACHMAD",
    "EKO",
    "ANDI",
    "WAHYU",
    "SOEHARTO",
    "TJAHJO",
    "FAJAR",
]
family = [
    "SANTOSO",
    "RAHAYU",
    "HIDAYAT",
    "SAPUTRA",
    "WIJAYA",
    "LESTARI",
    "KURNIAWAN",
    "PRATAMA",
    "SETIAWAN",
    "NURHALIZA",
    "HASIBUAN",
    "SIREGAR",
    "SUPRIYADI",
    "HANDAYANI",
    "PURNOMO",
    "SUSANTO",
    "WIBOWO",
]
titles = ["", "", "", "", "BPK. ", "IBU ", "H. ", "HJ. "]
degrees = ["", "", "", "", ", S.E.", " S.PD", ", S.H., M.H."]
people = 300_000  # ~3.3 records per person
names = pd.Series(
    np.char.add(
        np.char.add(np.char.add(rng.choice(titles, people), rng.choice(given, people)), " "),
        np.char.add(np.char.add(rng.choice(given, people), " "), rng.choice(family, people)),
    )
).astype("str")
names = names + pd.Series(rng.choice(degrees, people)).astype("str")
names = names.sample(N, replace=True, random_state=1).reset_index(drop=True)

birth = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 60 * 365, people), unit="D")
day = birth.day + np.where(rng.random(people) < 0.5, 40, 0)
niks = pd.Series(
    [
        f"32760{k}{d:02d}{m:02d}{y % 100:02d}{s:04d}"
        for k, d, m, y, s in zip(
            rng.integers(1, 9, people), day, birth.month, birth.year, rng.integers(1, 9999, people), strict=True
        )
    ]
)
niks = niks.sample(N, replace=True, random_state=2).reset_index(drop=True).astype("str")
date_formats = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d %B %Y"]
fmt = rng.integers(0, len(date_formats), people)
dates = pd.Series(
    np.select([fmt == i for i in range(4)], [np.asarray(birth.strftime(f)) for f in date_formats])
).astype("str")
dates = dates.sample(N, replace=True, random_state=3).reset_index(drop=True)
phones = pd.Series([f"08{rng.integers(11, 99)}{n:08d}" for n in rng.integers(0, 10**8, people)]).astype("str")
phones = phones.sample(N, replace=True, random_state=4).reset_index(drop=True)

for label, function, values in [
    ("clean_name", clean_name, names),
    ("name_match_key", name_match_key, names),
    ("name_skeleton", name_skeleton, names),
    ("parse_nik", lambda s: parse_nik(s, dt.date(2026, 11, 21)), niks),
    ("parse_date", parse_date, dates),
    ("normalize_phone", normalize_phone, phones),
]:
    start = time.perf_counter()
    function(values)
    print(f"{label:16s} {len(values):,} values ({values.nunique():,} unique): {time.perf_counter() - start:5.2f} s")


reference = pd.read_csv("data_contracts/reference/wilayah_depok.csv", dtype=str)
variants = pd.concat(
    [
        reference["kelurahan"],
        "KEL. " + reference["kelurahan"].str.upper(),
        reference["kelurahan"].str.lower(),
        reference["kelurahan"].str[:-1] + "x",
    ]
)
kecamatan = pd.concat([reference["kecamatan"]] * 4)
pick = rng.integers(0, len(variants), N)
kel_values = pd.Series(variants.to_numpy()[pick]).astype("str")
kec_values = pd.Series(kecamatan.to_numpy()[pick]).astype("str")
streets = pd.Series(
    [f"JL. MAWAR {n % 500} NO. {n % 97} RT {n % 12 + 1:03d}/RW {n % 9 + 1:03d}" for n in rng.integers(0, 10**6, people)]
)
streets = streets.sample(N, replace=True, random_state=5).reset_index(drop=True).astype("str")
months = pd.Series(rng.choice(["202410", "10-2024", "Okt 2024", "2024-09", "Sep 2024"], N)).astype("str")
sexes = pd.Series(rng.choice(["L", "P", "LAKI-LAKI", "PEREMPUAN", "Lk", "Pr"], N)).astype("str")
resolver = RegionResolver(reference)
for label, function, values in [
    ("RegionResolver", lambda s: resolver.resolve(s, kec_values), kel_values),
    ("clean_address", clean_address, streets),
    ("parse_month", parse_month, months),
    ("normalize_sex", normalize_sex, sexes),
]:
    start = time.perf_counter()
    function(values)
    print(f"{label:16s} {len(values):,} values ({values.nunique():,} unique): {time.perf_counter() - start:5.2f} s")
