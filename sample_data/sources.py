"""Builders of every source table, exactly as the agency would hand it over, with the truth of who is who.

Each builder chooses its members from the population (``MembershipRates``), adds within-source duplicates, damages
the copied person fields with the source's ``NoiseRates``, then lays the values out in the agency's own columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sample_data import corrupt, formats, vocab
from sample_data.config import CorruptionRates, MembershipRates, NoiseRates
from sample_data.population import Population, zipf_choice

PERSON_FIELDS = (
    "person_id",
    "nik",
    "nik_alt",
    "kk",
    "name",
    "nickname",
    "birth_date",
    "birth_place",
    "sex",
    "phone",
    "phone_old",
    "street_address",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "sector",
    "occupation",
    "education",
    "company",
    "religion",
    "age",
    "position",
    "jkn_segment",
    "jkn_status",
    "jkn_relation",
    "father_name",
    "relative_nik",
    "ktp_occupation",
)

#: What changes when someone moves house: a record made before the move carries the old values.
ADDRESS_FIELDS = ("street_address", "rt", "rw", "kelurahan", "kecamatan")


@dataclass(frozen=True)
class KomunitasFile:
    """One community list: its file name, trade, the kecamatan it covers, and its own header for each field."""

    stem: str
    extension: str
    sector: str
    kecamatan: tuple[str, ...]
    headers: dict[str, str]

    @property
    def file_name(self) -> str:
        return f"{self.stem}.{self.extension}"


KOMUNITAS_FILES = (
    KomunitasFile(
        "ojol_beji_2026",
        "xlsx",
        "ojol",
        ("Beji", "Pancoran Mas"),
        {"name": "NAMA DRIVER", "alias": "Panggilan", "phone": "No WA", "app": "Aplikasi", "kelurahan": "Kelurahan"},
    ),
    KomunitasFile(
        "ojol_sawangan_bojongsari",
        "csv",
        "ojol",
        ("Sawangan", "Bojongsari"),
        {
            "name": "Nama",
            "alias": "Nama Panggilan",
            "phone": "WhatsApp",
            "nik": "NIK",
            "app": "Aplikasi",
            "domisili": "Domisili",
        },
    ),
    KomunitasFile(
        "komunitas_ojol_cimanggis_tapos",
        "xlsx",
        "ojol",
        ("Cimanggis", "Tapos"),
        {
            "name": "Nama Lengkap",
            "alias": "Panggilan",
            "phone": "No. HP",
            "nik": "NIK",
            "birth_date": "Tgl Lahir",
            "app": "Aplikasi",
            "kecamatan": "Kecamatan",
        },
    ),
    KomunitasFile(
        "ojol_sukmajaya_cilodong_cipayung",
        "csv",
        "ojol",
        ("Sukmajaya", "Cilodong", "Cipayung"),
        {
            "name": "Nama",
            "alias": "Panggilan",
            "phone": "No WA",
            "nik": "NIK",
            "app": "Aplikasi",
            "kelurahan": "Kelurahan",
            "kecamatan": "Kecamatan",
        },
    ),
    KomunitasFile(
        "ojol_limo_cinere",
        "xlsx",
        "ojol",
        ("Limo", "Cinere"),
        {"name": "Nama", "alias": "Nama Panggilan", "phone": "WhatsApp", "app": "Aplikasi", "domisili": "Domisili"},
    ),
    KomunitasFile(
        "kurir_sukmajaya",
        "csv",
        "kurir",
        ("Sukmajaya", "Cilodong", "Tapos", "Cimanggis"),
        {
            "name": "Nama",
            "alias": "Panggilan",
            "phone": "No WA",
            "nik": "NIK",
            "birth_date": "Tgl Lahir",
            "app": "Aplikasi",
            "kelurahan": "Kelurahan",
            "kecamatan": "Kecamatan",
        },
    ),
    KomunitasFile(
        "kurir_paket_depok_barat",
        "xlsx",
        "kurir",
        ("Beji", "Pancoran Mas", "Limo", "Cinere", "Sawangan", "Bojongsari", "Cipayung"),
        {
            "name": "Nama Kurir",
            "alias": "Panggilan",
            "phone": "No. HP",
            "birth_date": "Tanggal Lahir",
            "app": "Aplikasi",
            "domisili": "Domisili",
        },
    ),
)


@dataclass(frozen=True)
class BuiltSource:
    """A source table (or, for ``komunitas``, tables by file name) and its truth rows."""

    table: pd.DataFrame | dict[str, pd.DataFrame]
    records: pd.DataFrame


class SourceBuilder:
    """Builds every source from one population with one random generator, in a fixed order."""

    def __init__(
        self,
        population: Population,
        rng: np.random.Generator,
        as_of: dt.date,
        noise: CorruptionRates,
        membership: MembershipRates,
    ) -> None:
        self.people = population.people
        self.tk = population.tk_records
        self.rng = rng
        self.as_of = as_of
        self.noise = noise
        self.membership = membership

    # -- shared steps ---------------------------------------------------------------------------------------

    def _members(self, probability: np.ndarray | float) -> np.ndarray:
        return np.flatnonzero(self.rng.random(len(self.people)) < probability)

    def _with_duplicates(self, members: np.ndarray, rate: float) -> np.ndarray:
        duplicates = members[corrupt.pick(self.rng, len(members), rate)]
        rows = np.concatenate([members, duplicates])
        return rows[self.rng.permutation(len(rows))]

    def _draft(self, rows: np.ndarray, noise: NoiseRates, force_alt_nik: np.ndarray | None = None) -> pd.DataFrame:
        """The people behind ``rows`` with every person field damaged as this source damages it."""
        rng = self.rng
        draft = self.people.iloc[rows][list(PERSON_FIELDS)].reset_index(drop=True)
        n = len(draft)
        has_alt = draft["nik_alt"].notna().to_numpy()
        use_alt = has_alt & corrupt.pick(rng, n, noise.second_nik_used)
        if force_alt_nik is not None:  # the caller decides which rows carry the second NIK
            use_alt = has_alt & force_alt_nik
        draft["nik"] = draft["nik"].where(~use_alt, draft["nik_alt"])
        relative = corrupt.pick(rng, n, noise.nik_of_relative) & draft["relative_nik"].notna().to_numpy()
        draft["nik"] = draft["nik"].where(~relative, draft["relative_nik"])
        name = corrupt.spelling_variant(rng, draft["name"], noise.old_spelling)
        name = corrupt.muhammad_variant(rng, name, noise.muhammad_variant)
        name = corrupt.drop_token(rng, name, noise.token_drop)
        name = corrupt.abbreviate_token(rng, name, noise.token_abbreviate)
        name = corrupt.reorder_tokens(rng, name, noise.token_reorder)
        muslim = (draft["religion"] == "ISLAM").to_numpy()
        name = corrupt.add_patronymic(rng, name, draft["sex"], draft["father_name"], muslim, noise.patronymic)
        name = corrupt.add_title(rng, name, draft["sex"], noise.title)
        draft["name"] = corrupt.blank(rng, corrupt.typo(rng, name, noise.name_typo), noise.name_missing)
        draft["nik"] = corrupt.nik_noise(rng, draft["nik"], draft["sex"], draft["kk"], noise)
        draft["nik"] = corrupt.nik_separators(rng, draft["nik"], noise.nik_separators)
        draft["birth_date"] = corrupt.birth_date_noise(rng, draft["birth_date"], noise)
        moved = corrupt.pick(rng, n, noise.moved)
        previous_home = rng.integers(0, len(self.people), int(moved.sum()))
        for column in ADDRESS_FIELDS:
            draft.loc[moved, column] = self.people[column].to_numpy()[previous_home]
        old_phone = draft["phone_old"].notna().to_numpy() & corrupt.pick(rng, n, noise.phone_old)
        draft["phone"] = corrupt.blank(rng, draft["phone"].where(~old_phone, draft["phone_old"]), noise.phone_missing)
        draft["kelurahan"], draft["kecamatan"] = corrupt.region_noise(
            rng, draft["kelurahan"], draft["kecamatan"], noise
        )
        draft["street_address"] = corrupt.blank(rng, draft["street_address"], noise.address_missing)
        draft["sex"] = corrupt.blank(rng, draft["sex"], noise.sex_missing)
        return draft

    def _mixed_case(self, values: pd.Series, upper: float, title: float) -> pd.Series:
        """Re-case text: upper for a share, Title Case for a share, lower case for the rest."""
        u = self.rng.random(len(values))
        return pd.Series(
            np.where(
                u < upper, values.str.upper(), np.where(u < upper + title, values.str.title(), values.str.lower())
            ),
            dtype="str",
        )

    def _address_with_rt_rw(self, draft: pd.DataFrame, share_with_rt_rw: float) -> pd.Series:
        """Street address, abbreviated every way, with RT/RW appended for a share of rows."""
        street = formats.addresses(self.rng, draft["street_address"], 0.4)
        rt_rw = formats.rt_rw(self.rng, draft["rt"].to_numpy(), draft["rw"].to_numpy(), RT_RW_STYLES)
        append = (self.rng.random(len(draft)) < share_with_rt_rw) & street.notna().to_numpy()
        return street.where(~append, street + " " + rt_rw)

    def _dates_between(self, start: np.ndarray | dt.date, end: dt.date, size: int) -> pd.Series:
        start_day = np.asarray(start, dtype="datetime64[D]")
        end_day = np.datetime64(end, "D")
        span = np.maximum((end_day - start_day).astype(np.int64), 1)
        return pd.Series((start_day + (self.rng.random(size) * span).astype(np.int64)).astype("datetime64[s]"))

    @staticmethod
    def _keys(rng: np.random.Generator, size: int, start: int, max_gap: int) -> np.ndarray:
        """Increasing unique integers with random gaps, the way sequence-issued ids look after deletions."""
        return start + np.cumsum(rng.integers(1, max_gap + 1, size))

    @staticmethod
    def _truth(source: str, keys: pd.Series, draft: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "source": source,
                "record_id": (source + ":" + keys.astype(str)).astype("str"),
                "person_id": draft["person_id"].astype("str"),
                "case": "",
            }
        )

    # -- sources --------------------------------------------------------------------------------------------

    def dukcapil(self) -> BuiltSource:
        p, rng = self.people, self.rng
        noise = self.noise.dukcapil
        members = self._members(self.membership.dukcapil)
        ganda = members[p["nik_ganda"].to_numpy()[members]]
        rows = np.concatenate([members, members[corrupt.pick(rng, len(members), noise.duplicate)], ganda])
        force_alt = np.zeros(len(rows), dtype=bool)
        force_alt[len(rows) - len(ganda) :] = True
        order = rng.permutation(len(rows))
        rows, force_alt = rows[order], force_alt[order]
        d = self._draft(rows, noise, force_alt_nik=force_alt)
        repeated = pd.Series(rows).duplicated().to_numpy()
        # A double registration (two NIKs) sits on a newer family card, or on the same card entered twice.
        same_card = force_alt & (rng.random(len(d)) < DOUBLE_REGISTRATION_SAME_KK)
        d["kk"] = self._split_family_kk(d, repeated=repeated & ~same_card)
        occupation = d["ktp_occupation"]  # the KTP's occupation, often years old (population._ktp_occupation)
        keys = pd.Series(self._keys(rng, len(d), 1_000_000, 5))
        table = pd.DataFrame(
            {
                "ID_PENDUDUK": keys.astype("int64"),
                "NIK": d["nik"],
                "NO_KK": d["kk"],
                "NAMA_LGKP": d["name"].str.upper(),
                "TMPT_LHR": d["birth_place"],
                "TGL_LHR": d["birth_date"].astype("datetime64[s]"),
                "JENIS_KLMIN": formats.sex_labels(rng, d["sex"], {"full": ("LAKI-LAKI", "PEREMPUAN")}, {"full": 1.0}),
                "AGAMA": d["religion"],
                "STAT_KWN": self._marital_status(d),
                "JENIS_PKRJN": occupation.astype("str"),
                "ALAMAT": d["street_address"],
                "NO_RT": d["rt"].astype("int64"),
                "NO_RW": d["rw"].astype("int64"),
                "KEL_NAME": d["kelurahan"].str.upper(),
                "KEC_NAME": d["kecamatan"].str.upper(),
            }
        )
        truth = self._truth("dukcapil", keys, d)
        truth["case"] = np.where(force_alt, "second_nik", "")
        return BuiltSource(table, truth)

    def _marital_status(self, draft: pd.DataFrame) -> pd.Series:
        """Heads and spouses married, minors single, other adults mostly single, some elderly widowed."""
        age = draft["age"].to_numpy()
        u = self.rng.random(len(draft))
        status = np.select(
            [age < 19, draft["position"].to_numpy() <= 1, u < 0.3], ["BELUM KAWIN", "KAWIN", "KAWIN"], "BELUM KAWIN"
        )
        return pd.Series(np.where((age > 65) & (u > 0.7), "CERAI MATI", status), dtype="str")

    def _split_family_kk(self, draft: pd.DataFrame, repeated: np.ndarray) -> pd.Series:
        """A person's second Dukcapil row sits on a newer family card (moved out, married, family split)."""
        kk = draft["kk"].copy()
        count = int(repeated.sum())
        issued = np.datetime64(self.as_of, "D") - self.rng.integers(30, 3000, count)
        issued = pd.Series(issued.astype("datetime64[s]"))
        serial = pd.Series(self.rng.integers(5000, 10000, count)).astype(str)  # above the household serials
        kk[repeated] = (
            kk[repeated].str.slice(0, 6).to_numpy() + issued.dt.strftime("%d%m%y").to_numpy() + serial.to_numpy()
        )
        return kk

    def bpjs_kesehatan(self) -> BuiltSource:
        p, rng = self.people, self.rng
        noise = self.noise.bpjs_kesehatan
        rows = self._with_duplicates(self._members(self.membership.jkn_any), noise.duplicate)
        d = self._draft(rows, noise)
        keys = pd.Series(self._keys(rng, len(d), 1_000_000_000, 40)).astype(str).str.zfill(13)
        birth = p["birth_date"].to_numpy()[rows].astype("datetime64[D]")
        since = np.maximum(birth, np.datetime64("2014-01-01", "D"))
        table = pd.DataFrame(
            {
                "NO_KARTU": keys,
                "NIK": d["nik"],
                "NAMA_PESERTA": d["name"].str.upper(),
                "TGL_LAHIR": formats.dates_as_text(rng, d["birth_date"], {"dmy": 0.8, "dmy_slash": 0.15, "iso": 0.05}),
                "JENIS_KELAMIN": d["sex"],
                "ALAMAT": formats.addresses(rng, d["street_address"], 0.3).str.upper(),
                "RT_RW": formats.rt_rw(rng, d["rt"].to_numpy(), d["rw"].to_numpy(), RT_RW_STYLES),
                "KELURAHAN": d["kelurahan"].str.upper(),
                "KECAMATAN": d["kecamatan"].str.upper(),
                "SEGMEN": d["jkn_segment"],
                "STATUS_PESERTA": d["jkn_status"],
                "HUBUNGAN_KELUARGA": d["jkn_relation"],
                "NO_HP": formats.phones(rng, d["phone"], {"local": 0.7, "intl": 0.2, "dashed": 0.1}),
                "TMT_PESERTA": formats.dates_as_text(rng, self._dates_between(since, self.as_of, len(d)), {"dmy": 1.0}),
            }
        )
        return BuiltSource(table, self._truth("bpjs_kesehatan", keys, d))

    def disnaker_pencari_kerja(self) -> BuiltSource:
        p, rng, m = self.people, self.rng, self.membership
        noise = self.noise.disnaker
        age = p["age"].to_numpy()
        sector = p["sector"].to_numpy()
        working = p["employment_type"].to_numpy() != "not_working"
        probability = np.select(
            [
                (sector == "belum_bekerja") & (age >= 18) & (age <= 35),
                (sector == "pelajar") & (age >= 18),
                working & (age >= 18) & (age <= 45),
            ],
            [m.job_seeker_young_unemployed, m.job_seeker_student, m.job_seeker_worker],
            0.0,
        )
        rows = self._with_duplicates(self._members(probability), noise.duplicate)
        d = self._draft(rows, noise)
        registered = self._dates_between(self.as_of - dt.timedelta(days=3 * 365), self.as_of, len(d))
        keys = (
            "AK1-"
            + registered.dt.year.astype(str)
            + "-"
            + pd.Series(self._keys(rng, len(d), 0, 3)).astype(str).str.zfill(6)
        )
        table = pd.DataFrame(
            {
                "No": np.arange(1, len(d) + 1),
                "No. AK/1": keys,
                "NIK": formats.nik_in_excel(rng, d["nik"], noise.nik_spreadsheet),
                "Nama Lengkap": self._mixed_case(d["name"], 0.6, 0.4),
                "Tempat Lahir": self._mixed_case(d["birth_place"], 0.5, 0.5),
                "Tanggal Lahir": formats.dates_as_excel_cells(rng, d["birth_date"], EXCEL_DATE_STYLES),
                "L/P": d["sex"],
                "Alamat": self._address_with_rt_rw(d, 0.6),
                "Kelurahan": d["kelurahan"],
                "Kecamatan": d["kecamatan"],
                "No. HP": formats.phones(rng, d["phone"], PHONE_STYLES),
                "Pendidikan Terakhir": d["education"],
                "Tanggal Daftar": pd.Series([v.to_pydatetime() for v in registered], dtype=object),
            }
        )
        return BuiltSource(table, self._truth("disnaker_pencari_kerja", keys, d))

    def disnaker_pelatihan(self) -> BuiltSource:
        p, rng, m = self.people, self.rng, self.membership
        noise = self.noise.disnaker
        age = p["age"].to_numpy()
        probability = np.select(
            [
                p["employment_type"].to_numpy() == "informal",
                (p["sector"].to_numpy() == "belum_bekerja") & (age >= 18) & (age <= 40),
            ],
            [m.training_informal, m.training_unemployed],
            0.0,
        )
        rows = self._with_duplicates(self._members(probability), noise.duplicate)
        d = self._draft(rows, noise)
        started = self._dates_between(self.as_of - dt.timedelta(days=2 * 365), self.as_of, len(d))
        keys = (
            "PLT-"
            + started.dt.year.astype(str)
            + "-"
            + pd.Series(self._keys(rng, len(d), 0, 3)).astype(str).str.zfill(5)
        )
        batch = rng.integers(1, 13, len(d))
        table = pd.DataFrame(
            {
                "No": np.arange(1, len(d) + 1),
                "No. Peserta": keys,
                "NIK": formats.nik_in_excel(rng, d["nik"], noise.nik_spreadsheet),
                "Nama": self._mixed_case(d["name"], 0.4, 0.6),
                "Tgl Lahir": formats.dates_as_excel_cells(rng, d["birth_date"], EXCEL_DATE_STYLES),
                "JK": d["sex"],
                "Alamat": self._address_with_rt_rw(d, 0.5),
                "Kelurahan": d["kelurahan"],
                "Kecamatan": d["kecamatan"],
                "HP": formats.phones(rng, d["phone"], PHONE_STYLES),
                "Jenis Pelatihan": pd.Series(zipf_choice(rng, vocab.TRAININGS, len(d), 0.5), dtype="str"),
                "Angkatan": pd.Series(
                    np.where(rng.random(len(d)) < 0.5, batch.astype(str), np.char.add("Angkatan ", batch.astype(str))),
                    dtype="str",
                ),
                "Tanggal Mulai": pd.Series([v.to_pydatetime() for v in started], dtype=object),
            }
        )
        return BuiltSource(table, self._truth("disnaker_pelatihan", keys, d))

    def disnaker_pekerja_informal(self) -> BuiltSource:
        p, rng = self.people, self.rng
        noise = self.noise.disnaker
        informal = p["employment_type"].to_numpy() == "informal"
        rows = self._with_duplicates(
            self._members(np.where(informal, self.membership.informal_registration, 0.0)), noise.duplicate
        )
        d = self._draft(rows, noise)
        job = d["sector"].map({k: v[2] for k, v in vocab.INFORMAL_SECTORS.items()}).astype("str")
        job = job.where(rng.random(len(d)) > 0.08, "Lainnya")
        keys = "INF-3276-" + pd.Series(self._keys(rng, len(d), 0, 4)).astype(str).str.zfill(6)
        registered = self._dates_between(self.as_of - dt.timedelta(days=4 * 365), self.as_of, len(d))
        table = pd.DataFrame(
            {
                "No": np.arange(1, len(d) + 1),
                "No. Registrasi": keys,
                "NIK": formats.nik_in_excel(rng, d["nik"], noise.nik_spreadsheet),
                "Nama": self._mixed_case(d["name"], 0.5, 0.5),
                "Tanggal Lahir": formats.dates_as_excel_cells(rng, d["birth_date"], EXCEL_DATE_STYLES),
                "Jenis Kelamin": formats.sex_labels(rng, d["sex"], SEX_WORDS, {"word": 0.7, "lp": 0.3}),
                "Alamat": formats.addresses(rng, d["street_address"], 0.4),
                "RT/RW": formats.rt_rw(rng, d["rt"].to_numpy(), d["rw"].to_numpy(), RT_RW_STYLES),
                "Kelurahan": d["kelurahan"],
                "Kecamatan": d["kecamatan"],
                "No HP": formats.phones(rng, d["phone"], PHONE_STYLES),
                "Jenis Pekerjaan": job,
                "Tanggal Registrasi": formats.dates_as_excel_cells(rng, registered, {"date": 0.8, "dmy_slash": 0.2}),
            }
        )
        return BuiltSource(table, self._truth("disnaker_pekerja_informal", keys, d))

    def umkm(self) -> BuiltSource:
        p, rng, m = self.people, self.rng, self.membership
        noise = self.noise.umkm
        sector = p["sector"].to_numpy()
        probability = np.select(
            [sector == "umkm", np.isin(sector, ["pedagang_pasar", "pedagang_keliling"]), sector == "freelancer"],
            [m.umkm_owner, m.umkm_trader, m.umkm_freelancer],
            0.0,
        )
        rows = self._with_duplicates(self._members(probability), noise.duplicate)
        d = self._draft(rows, noise)
        n = len(d)
        keys = "UMKM-" + pd.Series(self._keys(rng, n, 0, 3)).astype(str).str.zfill(6)
        call_name = d["nickname"].str.title().to_numpy(dtype=object)
        business = np.where(
            rng.random(n) < 0.4,
            zipf_choice(rng, vocab.BUSINESS_WORDS, n) + " " + call_name,
            zipf_choice(rng, vocab.BUSINESS_WORDS, n) + " " + zipf_choice(rng, vocab.BUSINESS_TAILS, n),
        )
        turnover = rng.integers(5, 300, n) * 100_000
        rupiah = pd.Series(turnover).map("Rp {:,}".format).astype("str").str.replace(",", ".", regex=False)
        turnover_text = np.where(rng.random(n) < 0.5, turnover.astype(str), rupiah.to_numpy())
        table = pd.DataFrame(
            {
                "ID UMKM": keys,
                "Nama Pemilik": self._mixed_case(d["name"], 0.3, 0.7),
                "NIK": formats.nik_in_csv(rng, d["nik"], noise.nik_spreadsheet),
                "Nama Usaha": pd.Series(business, dtype="str"),
                "Sektor Usaha": pd.Series(zipf_choice(rng, vocab.BUSINESS_SECTORS, n, 0.6), dtype="str"),
                "Alamat Usaha": self._address_with_rt_rw(d, 0.5),
                "Kelurahan": d["kelurahan"],
                "Kecamatan": d["kecamatan"],
                "No Telp": formats.phones(rng, d["phone"], PHONE_STYLES),
                "Tahun Berdiri": pd.Series(rng.integers(1995, self.as_of.year + 1, n).astype(str), dtype="str"),
                "Omzet per Bulan": pd.Series(turnover_text, dtype="str"),
                "Tanggal Input": formats.dates_as_text(
                    rng, self._dates_between(self.as_of - dt.timedelta(days=5 * 365), self.as_of, n), {"dmy_slash": 1.0}
                ),
            }
        )
        return BuiltSource(table, self._truth("umkm", keys, d))

    def pedagang_pasar(self) -> BuiltSource:
        p, rng, m = self.people, self.rng, self.membership
        noise = self.noise.pedagang_pasar
        sector = p["sector"].to_numpy()
        probability = np.select([sector == "pedagang_pasar", sector == "umkm"], [m.market_trader, m.market_umkm], 0.0)
        rows = self._with_duplicates(self._members(probability), noise.duplicate)
        d = self._draft(rows, noise)
        n = len(d)
        market = rng.integers(0, len(vocab.MARKETS), n)
        codes = np.asarray([c for c, _ in vocab.MARKETS], dtype=object)[market]
        keys = pd.Series(
            codes + "-" + pd.Series(self._keys(rng, n, 0, 3)).astype(str).str.zfill(5).to_numpy(), dtype="str"
        )
        stall = np.char.add(np.char.add(rng.choice(list("ABCDEF"), n), "-"), rng.integers(1, 120, n).astype(str))
        table = pd.DataFrame(
            {
                "id_pedagang": keys,
                "nama_pedagang": self._mixed_case(d["name"], 0.6, 0.4),
                "nik": formats.nik_in_csv(rng, d["nik"], noise.nik_spreadsheet),
                "tgl_lahir": formats.dates_as_text(
                    rng,
                    d["birth_date"],
                    {"dmy_slash": 0.4, "iso": 0.2, "long": 0.2, "dmy_short": 0.1, "long_variant": 0.1},
                ),
                "jenis_kelamin": formats.sex_labels(rng, d["sex"], SEX_CODES, {"lp": 0.6, "lkpr": 0.4}),
                "pasar": pd.Series(np.asarray([name for _, name in vocab.MARKETS], dtype=object)[market], dtype="str"),
                "blok_kios": pd.Series(stall, dtype="str"),
                "jenis_dagangan": pd.Series(zipf_choice(rng, vocab.GOODS, n, 0.5), dtype="str"),
                "no_hp": formats.phones(rng, d["phone"], PHONE_STYLES),
                "alamat": self._address_with_rt_rw(d, 0.7),
                "kelurahan": d["kelurahan"],
                "kecamatan": d["kecamatan"],
                "tgl_update": formats.date_iso(
                    self._dates_between(self.as_of - dt.timedelta(days=3 * 365), self.as_of, n)
                ),
            }
        )
        return BuiltSource(table, self._truth("pedagang_pasar", keys, d))

    def komunitas(self) -> BuiltSource:
        p, rng, m = self.people, self.rng, self.membership
        noise = self.noise.komunitas
        sector = p["sector"].to_numpy()
        kecamatan = p["kecamatan"].to_numpy()
        on_list = np.flatnonzero(np.isin(sector, ["ojol", "kurir"]) & (rng.random(len(p)) < m.community_ojol_kurir))
        home_file = np.full(len(p), -1)
        for i, spec in enumerate(KOMUNITAS_FILES):
            serves = (sector == spec.sector) & np.isin(kecamatan, spec.kecamatan)
            home_file[serves] = i
        second = on_list[rng.random(len(on_list)) < m.community_second_list]
        other_file = rng.integers(0, len(KOMUNITAS_FILES), len(second))
        rows = np.concatenate([on_list, second])
        files = np.concatenate([home_file[on_list], other_file])
        tables: dict[str, pd.DataFrame] = {}
        truth = []
        for i, spec in enumerate(KOMUNITAS_FILES):
            file_rows = self._with_duplicates(rows[files == i], noise.duplicate)
            if len(file_rows) == 0:  # a list with no members would not have been handed over
                file_rows = self._stand_in_member(spec)
            table, records = self._komunitas_file(spec, file_rows, noise)
            tables[spec.file_name] = table
            truth.append(records)
        return BuiltSource(tables, pd.concat(truth, ignore_index=True))

    def _stand_in_member(self, spec: KomunitasFile) -> np.ndarray:
        """One member for a list the draw left empty (small samples): someone of its trade, else any adult."""
        sector = self.people["sector"].to_numpy()
        candidates = np.flatnonzero(sector == spec.sector)
        if len(candidates) == 0:
            candidates = np.flatnonzero(self.people["age"].to_numpy() >= 17)
        if len(candidates) == 0:
            candidates = np.arange(len(self.people))
        return candidates[self.rng.integers(0, len(candidates), 1)]

    def _komunitas_file(
        self, spec: KomunitasFile, rows: np.ndarray, noise: NoiseRates
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        rng = self.rng
        d = self._draft(rows, noise)
        n = len(d)
        nickname_only = corrupt.pick(rng, n, noise.nickname_only)
        name = d["name"].where(~nickname_only, d["nickname"])
        # A call name made from the registered name (SUP, JIJI, CAK DIDI, Pak Pupu), with the current phone as
        # the only evidence shared with the registers: no NIK, no birth date.
        call = corrupt.pick(rng, n, noise.call_name) & ~nickname_only & d["phone"].notna().to_numpy()
        if call.any():
            people_phone = self.people["phone"].to_numpy()[rows]
            name = name.where(~call, corrupt.call_names(rng, d["name"], d["sex"], call))
            d.loc[call, "phone"] = people_phone[call]
            d.loc[call, "nik"] = None
            d.loc[call, "birth_date"] = pd.NaT
        apps = vocab.APPS_OJOL if spec.sector == "ojol" else vocab.APPS_KURIR
        in_csv = spec.extension == "csv"
        # Domisili: the kelurahan (two styles) or only the kecamatan (three styles: Sawangan, Kec. Sawangan,
        # SAWANGAN, DEPOK).
        style = rng.random(n)
        kec_style = rng.integers(0, 3, n)
        kecamatan_text = d["kecamatan"].fillna("").to_numpy(dtype=object)
        as_kecamatan = np.select(
            [kec_style == 0, kec_style == 1],
            [kecamatan_text, "Kec. " + kecamatan_text],
            pd.Series(kecamatan_text).str.upper().to_numpy(dtype=object) + ", DEPOK",
        )
        domisili_kecamatan = style >= 1 - noise.domisili_kecamatan
        domisili = np.select(
            [domisili_kecamatan, style < 0.55],
            [as_kecamatan, "Kel. " + d["kelurahan"].fillna("Depok").to_numpy(dtype=object)],
            d["kelurahan"].fillna("").to_numpy(dtype=object) + ", Depok",
        )
        fields = {
            "name": self._mixed_case(name, 0.35, 0.45),
            "alias": corrupt.blank(rng, self._mixed_case(d["nickname"], 0.4, 0.5), 0.3),
            "phone": formats.phones(
                rng, d["phone"], {"local": 0.5, "intl": 0.2, "plus": 0.15, "spaced": 0.1, "no_zero": 0.05}
            ),
            "nik": formats.nik_in_csv(rng, d["nik"], noise.nik_spreadsheet)
            if in_csv
            else formats.nik_in_excel(rng, d["nik"], noise.nik_spreadsheet),
            "birth_date": formats.dates_as_text(rng, d["birth_date"], KOMUNITAS_DATE_STYLES)
            if in_csv
            else formats.dates_as_excel_cells(rng, d["birth_date"], {"date": 0.5, **KOMUNITAS_DATE_STYLES}),
            "app": pd.Series(zipf_choice(rng, apps, n, 0.8), dtype="str"),
            "kelurahan": d["kelurahan"],
            "kecamatan": d["kecamatan"],
            "domisili": pd.Series(domisili, dtype="str").str.strip(", "),
        }
        table = pd.DataFrame({header: fields[field] for field, header in spec.headers.items()})
        source_rows = pd.Series(np.arange(n) + 2)  # header on row/line 1, data from row/line 2
        keys = spec.stem + ":" + source_rows.astype(str)
        truth = self._truth("komunitas", keys, d)
        case = np.where(call, "call_name", np.where(nickname_only, "nickname_only", ""))
        if "domisili" in spec.headers:
            case = np.where(domisili_kecamatan & (case == ""), "domisili_kecamatan", case)
        truth["case"] = case
        return table, truth

    def bpjs_ketenagakerjaan(self) -> BuiltSource:
        rng = self.rng
        noise = self.noise.bpjs_ketenagakerjaan
        record_index = self._with_duplicates(np.arange(len(self.tk)), noise.duplicate)
        tk = self.tk.iloc[record_index].reset_index(drop=True)
        d = self._draft(tk["person_index"].to_numpy(), noise)
        n = len(d)
        segment = tk["segment"].to_numpy()
        full_program = rng.random(n) < 0.8
        program = np.select(
            [segment == "PU", segment == "BPU", segment == "PMI"],
            [
                np.where(full_program, "JKK, JKM, JHT, JP", "JKK, JKM, JHT"),
                np.where(full_program, "JKK, JKM", "JKK, JKM, JHT"),
                "JKK, JKM, JHT",
            ],
            "JKK, JKM",
        )
        company = d["company"].where(segment == "PU")
        keys = pd.Series(self._keys(rng, n, 11_000_000_000, 900)).astype(str)
        table = pd.DataFrame(
            {
                "KPJ": keys,
                "NIK": d["nik"],
                "NAMA": d["name"].str.upper(),
                "TGL_LAHIR": formats.dates_as_text(rng, d["birth_date"], {"mon_upper": 0.6, "iso": 0.25, "dmy": 0.15}),
                "JENIS_KELAMIN": formats.sex_labels(rng, d["sex"], SEX_CODES, {"lp": 0.8, "full": 0.2}),
                "SEGMEN": pd.Series(segment, dtype="str"),
                "PROGRAM": pd.Series(program, dtype="str"),
                "STATUS": tk["status"].astype("str"),
                "BLTH_TERAKHIR_BAYAR": formats.paid_months(
                    rng, tk["last_paid_month"], {"yyyymm": 0.6, "mm-yyyy": 0.25, "mon yyyy": 0.15}
                ),
                "NAMA_PERUSAHAAN": company.astype("str"),
                "ALAMAT": self._address_with_rt_rw(d, 0.6).str.upper(),
                "KELURAHAN": d["kelurahan"].str.upper(),
                "NO_HP": formats.phones(rng, d["phone"], {"local": 0.5, "intl": 0.4, "plus_compact": 0.1}),
                "TGL_KEPESERTAAN": formats.dates_as_text(rng, tk["start_date"], {"dmy": 0.7, "iso": 0.3}),
            }
        )
        return BuiltSource(table, self._truth("bpjs_ketenagakerjaan", keys, d))


#: Of double registrations in Dukcapil, the share whose second row is on the same family card (entered twice).
DOUBLE_REGISTRATION_SAME_KK = 0.5
RT_RW_STYLES = {"rt_rw_3": 0.3, "rt_rw_dot": 0.2, "mixed_case": 0.15, "slash_3": 0.15, "slash": 0.1, "compact": 0.1}
PHONE_STYLES = {"local": 0.55, "intl": 0.15, "plus": 0.1, "spaced": 0.08, "dashed": 0.08, "plus_compact": 0.04}
EXCEL_DATE_STYLES = {"date": 0.55, "serial": 0.1, "dmy": 0.1, "dmy_slash": 0.1, "long": 0.1, "dmy_short": 0.05}
KOMUNITAS_DATE_STYLES = {"dmy_slash": 0.4, "long": 0.3, "dmy_short": 0.2, "iso": 0.1}
SEX_CODES = {"lp": ("L", "P"), "lkpr": ("LK", "PR"), "full": ("LAKI-LAKI", "PEREMPUAN")}
SEX_WORDS = {"word": ("Laki-laki", "Perempuan"), "lp": ("L", "P")}

#: Build order is part of the seed contract: changing it changes every source drawn after the change.
SOURCE_ORDER = (
    "dukcapil",
    "bpjs_kesehatan",
    "disnaker_pencari_kerja",
    "disnaker_pelatihan",
    "disnaker_pekerja_informal",
    "umkm",
    "pedagang_pasar",
    "komunitas",
    "bpjs_ketenagakerjaan",
)
