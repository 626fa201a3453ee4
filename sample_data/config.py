"""Every probability the generator uses: who appears in which source, and how each source corrupts a record.

This is the one place to tune how hard the synthetic data is. ``docs/sample_data.md`` lists the same rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class NoiseRates:
    """Per-record probabilities of each corruption, for one source. 0 disables a corruption."""

    # names
    name_typo: float = 0.0  # keyboard neighbour, dropped, doubled or swapped letter
    old_spelling: float = 0.0  # modern <-> old spelling (u/oe, j/dj, c/tj, y/j, ny/nj, sy/sj, kh/ch)
    title: float = 0.0  # H., Hj., Bpk, Ibu, Drs. before; S.E., S.Pd. after
    muhammad_variant: float = 0.0  # of names containing MUHAMMAD: M., Moh., Moch., Muh., Mhd., Muhamad...
    token_drop: float = 0.0  # a name token dropped (multi-token names)
    token_abbreviate: float = 0.0  # a later token reduced to its initial ("AGUS S.")
    token_reorder: float = 0.0  # first two tokens swapped
    patronymic: float = 0.0  # of Muslims: "BIN"/"BINTI" and the father's first name appended
    name_missing: float = 0.0  # the clerk left the name empty: the contract quarantines the row
    # NIK
    nik_missing: float = 0.0
    nik_typo: float = 0.0  # one digit mistyped
    nik_transpose: float = 0.0  # two adjacent digits swapped
    nik_female_no40: float = 0.0  # of women: day written without +40
    nik_kk: float = 0.0  # family-card number typed in the NIK field
    nik_of_relative: float = 0.0  # the NIK of the household head (or, for the head, of the spouse)
    nik_wrong_length: float = 0.0  # a digit dropped or doubled
    nik_spreadsheet: float = 0.0  # CSV: 3.27603E+15 / 15 significant digits; Excel: number cell
    nik_separators: float = 0.0  # written in groups: "3276 0312 3456 0001", "327603.120590.0001"
    # other fields
    birth_date_missing: float = 0.0
    day_month_swap: float = 0.0  # only where the day is <= 12, so the swapped date is still valid
    birth_year_typo: float = 0.0  # year off by one digit
    sex_missing: float = 0.0
    phone_missing: float = 0.0
    phone_old: float = 0.0  # the person's previous number
    address_missing: float = 0.0
    moved: float = 0.0  # record made at a previous address (other kelurahan, street, RT/RW)
    kelurahan_missing: float = 0.0
    kelurahan_misspelled: float = 0.0
    old_kecamatan: float = 0.0  # kecamatan split off in 2008 written as its pre-2008 parent
    kecamatan_as_kelurahan: float = 0.0  # kelurahan column holds the kecamatan name
    duplicate: float = 0.0  # extra records of the same person with their own key
    second_nik_used: float = 0.0  # of people with two NIKs: the record carries the other one
    nickname_only: float = 0.0  # community lists: the name column holds the nickname
    call_name: float = 0.0  # community lists: a call name made from the name (SUP, CAK DIDI), phone only
    domisili_kecamatan: float = 0.0  # community lists with a free-text domisili: only the kecamatan given


@dataclass(frozen=True)
class CorruptionRates:
    """Noise profile of every source. Registers kept by clerks are cleaner than outreach spreadsheets."""

    dukcapil: NoiseRates = field(
        default_factory=lambda: NoiseRates(name_typo=0.01, day_month_swap=0.002, address_missing=0.002, duplicate=0.006)
    )
    bpjs_kesehatan: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_missing=0.001,
            name_typo=0.03,
            old_spelling=0.04,
            title=0.02,
            muhammad_variant=0.25,
            token_drop=0.02,
            token_abbreviate=0.04,
            patronymic=0.01,
            nik_missing=0.02,
            nik_typo=0.01,
            nik_transpose=0.005,
            nik_female_no40=0.01,
            nik_kk=0.01,
            nik_of_relative=0.005,
            nik_wrong_length=0.003,
            second_nik_used=0.5,
            birth_date_missing=0.005,
            day_month_swap=0.01,
            birth_year_typo=0.005,
            phone_missing=0.3,
            phone_old=0.25,
            address_missing=0.01,
            moved=0.06,
            kelurahan_missing=0.02,
            kelurahan_misspelled=0.05,
            old_kecamatan=0.15,
            kecamatan_as_kelurahan=0.01,
            duplicate=0.025,
        )
    )
    disnaker: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_missing=0.004,
            name_typo=0.05,
            old_spelling=0.05,
            title=0.06,
            muhammad_variant=0.45,
            token_drop=0.04,
            token_abbreviate=0.05,
            token_reorder=0.01,
            patronymic=0.02,
            nik_missing=0.04,
            nik_typo=0.02,
            nik_transpose=0.01,
            nik_female_no40=0.03,
            nik_kk=0.02,
            nik_of_relative=0.01,
            nik_wrong_length=0.01,
            nik_separators=0.01,
            nik_spreadsheet=0.3,
            second_nik_used=0.3,
            birth_date_missing=0.03,
            day_month_swap=0.03,
            birth_year_typo=0.01,
            sex_missing=0.02,
            phone_missing=0.05,
            phone_old=0.15,
            address_missing=0.03,
            moved=0.08,
            kelurahan_missing=0.05,
            kelurahan_misspelled=0.1,
            old_kecamatan=0.1,
            kecamatan_as_kelurahan=0.03,
            duplicate=0.04,
        )
    )
    umkm: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_missing=0.004,
            name_typo=0.06,
            old_spelling=0.05,
            title=0.1,
            muhammad_variant=0.45,
            token_drop=0.06,
            token_abbreviate=0.06,
            token_reorder=0.01,
            patronymic=0.02,
            nik_missing=0.1,
            nik_typo=0.02,
            nik_transpose=0.01,
            nik_female_no40=0.03,
            nik_kk=0.03,
            nik_of_relative=0.01,
            nik_wrong_length=0.01,
            nik_separators=0.02,
            nik_spreadsheet=0.08,
            second_nik_used=0.3,
            phone_missing=0.08,
            phone_old=0.2,
            address_missing=0.05,
            moved=0.05,
            kelurahan_missing=0.08,
            kelurahan_misspelled=0.12,
            old_kecamatan=0.2,
            kecamatan_as_kelurahan=0.04,
            duplicate=0.04,
        )
    )
    pedagang_pasar: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_missing=0.005,
            name_typo=0.07,
            old_spelling=0.06,
            title=0.12,
            muhammad_variant=0.5,
            token_drop=0.08,
            token_abbreviate=0.06,
            token_reorder=0.01,
            patronymic=0.03,
            nik_missing=0.15,
            nik_typo=0.03,
            nik_transpose=0.01,
            nik_female_no40=0.04,
            nik_kk=0.03,
            nik_of_relative=0.015,
            nik_wrong_length=0.01,
            nik_separators=0.02,
            nik_spreadsheet=0.1,
            second_nik_used=0.3,
            birth_date_missing=0.15,
            day_month_swap=0.04,
            birth_year_typo=0.02,
            sex_missing=0.05,
            phone_missing=0.15,
            phone_old=0.25,
            address_missing=0.08,
            moved=0.05,
            kelurahan_missing=0.1,
            kelurahan_misspelled=0.12,
            old_kecamatan=0.2,
            kecamatan_as_kelurahan=0.05,
            duplicate=0.05,
        )
    )
    komunitas: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_typo=0.08,
            old_spelling=0.03,
            title=0.02,
            muhammad_variant=0.6,
            token_drop=0.15,
            token_abbreviate=0.08,
            token_reorder=0.02,
            nickname_only=0.35,
            nik_missing=0.8,
            nik_typo=0.04,
            nik_transpose=0.02,
            nik_female_no40=0.05,
            nik_kk=0.05,
            nik_of_relative=0.01,
            nik_wrong_length=0.03,
            nik_separators=0.04,
            nik_spreadsheet=0.15,
            second_nik_used=0.3,
            birth_date_missing=0.75,
            day_month_swap=0.05,
            birth_year_typo=0.02,
            phone_missing=0.03,
            phone_old=0.2,
            moved=0.1,
            kelurahan_missing=0.25,
            kelurahan_misspelled=0.15,
            old_kecamatan=0.15,
            kecamatan_as_kelurahan=0.15,
            duplicate=0.03,
            call_name=0.12,
            domisili_kecamatan=0.3,
        )
    )
    bpjs_ketenagakerjaan: NoiseRates = field(
        default_factory=lambda: NoiseRates(
            name_missing=0.001,
            name_typo=0.03,
            old_spelling=0.04,
            title=0.03,
            muhammad_variant=0.3,
            token_drop=0.03,
            token_abbreviate=0.05,
            patronymic=0.02,
            nik_missing=0.01,
            nik_typo=0.01,
            nik_transpose=0.005,
            nik_female_no40=0.01,
            nik_kk=0.01,
            nik_of_relative=0.005,
            nik_wrong_length=0.003,
            second_nik_used=0.5,
            birth_date_missing=0.005,
            day_month_swap=0.01,
            birth_year_typo=0.005,
            phone_missing=0.25,
            phone_old=0.3,
            address_missing=0.02,
            moved=0.12,
            kelurahan_missing=0.05,
            kelurahan_misspelled=0.06,
            duplicate=0.01,
        )
    )

    def for_source(self, source: str) -> NoiseRates:
        """The noise profile of a source id; the three Disnaker services share one clerk office."""
        return getattr(self, "disnaker" if source.startswith("disnaker_") else source)

    def as_dict(self) -> dict[str, dict[str, float]]:
        """Nested plain dict, for the manifest."""
        return {
            f.name: {g.name: getattr(getattr(self, f.name), g.name) for g in fields(NoiseRates)} for f in fields(self)
        }


@dataclass(frozen=True)
class MembershipRates:
    """Probability that a person appears in a source, given who they are (see ``sources.select_members``)."""

    dukcapil: float = 0.93  # of residents: the rest never transferred their KTP to Depok
    jkn_any: float = 0.90  # BPJS Kesehatan coverage of residents
    job_seeker_young_unemployed: float = 0.45  # 18-35, not working and not studying
    job_seeker_student: float = 0.10  # students 18+, registering for their first job
    job_seeker_worker: float = 0.12  # workers 18-45: the AK/1 card is asked for in job applications
    training_informal: float = 0.07
    training_unemployed: float = 0.10
    informal_registration: float = 0.35  # of informal workers, registered with Disnaker
    umkm_owner: float = 0.70  # of sector umkm
    umkm_trader: float = 0.20  # of market and mobile traders
    umkm_freelancer: float = 0.08
    market_trader: float = 0.70  # of sector pedagang_pasar
    market_umkm: float = 0.05  # UMKM owners who also rent a market stall
    community_ojol_kurir: float = 0.60  # of ojol drivers and couriers, on at least one community list
    community_second_list: float = 0.20  # of those, also on a second list
    formal_pu_active: float = 0.78  # of private/BUMN formal workers: active PU
    formal_pu_inactive: float = 0.08
    pns_tk: float = 0.08  # civil servants are under Taspen; a few contract staff are in TK
    informal_bpu_ever: float = 0.22  # of informal workers: a BPU record exists
    bpu_lapsed_share: float = 0.30  # of BPU records: status AKTIF but last paid > 3 months ago
    bpu_nonaktif_share: float = 0.15  # of BPU records: NONAKTIF
    informal_former_pu: float = 0.15  # informal workers with an old NONAKTIF PU record (left 1-10 years ago)
    jakon_share: float = 0.10  # of tukang/buruh harian: a construction (JAKON) record
    retired_former_pu: float = 0.40  # of retirees: their old NONAKTIF PU record
    returned_pmi: float = 0.01  # of adults not working: a NONAKTIF migrant-worker (PMI) record
