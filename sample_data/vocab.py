"""Vocabulary of the synthetic population: name pools by tradition, places, trades, streets.

Pools are ordered from most to least frequent: the generator samples them with Zipf-like weights, so the
first entries (Muhammad, Siti, Nur, Agus, Sri...) dominate the way they do in real Indonesian registers.
Everything is upper case, the way Dukcapil stores names; sources re-case as they please.
"""

from __future__ import annotations

# --- Names -----------------------------------------------------------------------------------------------

JAVANESE_MALE_FIRST = (
    "AGUS", "BUDI", "BAMBANG", "EKO", "JOKO", "DWI", "SLAMET", "HERU", "TRI", "ADI", "WAHYU", "TEGUH", "HADI",
    "SUGENG", "ANDI", "YUDI", "PRIYO", "BAYU", "RUDI", "ARIF", "IWAN", "DANANG", "GATOT", "SUPRIYADI", "SUTRISNO",
    "SUPARMAN", "SUGIYONO", "SUKARNO", "SUDARSONO", "SUMARNO", "PURWANTO", "WIDODO", "SUBAGYO", "HARYANTO",
    "SURYADI", "GUNAWAN", "NUGROHO", "PRASETYO", "SETYO", "YOGA", "DIMAS", "GILANG", "RIZKY", "FAJAR", "ILHAM",
)
JAVANESE_MALE_LAST = (
    "SETIAWAN", "SANTOSO", "PRASETYO", "WIBOWO", "SUSANTO", "NUGROHO", "HIDAYAT", "KURNIAWAN", "SAPUTRA",
    "PURNOMO", "SUGIARTO", "HARTONO", "WIJAYA", "SUSILO", "PRAMONO", "SULISTYO", "UTOMO", "RAHARJO", "HANDOKO",
    "SETIADI", "SURYANTO", "WAHYUDI", "PRATAMA", "RAMADHAN", "FIRMANSYAH", "SETIYONO", "MULYONO", "SUPRIYANTO",
)
JAVANESE_FEMALE_FIRST = (
    "SRI", "DWI", "TRI", "ENDANG", "SUSI", "RATNA", "DEWI", "WAHYU", "YULI", "ENY", "RINI", "TUTI", "ETI", "NINGSIH",
    "SUMARNI", "SUPARMI", "SUTINAH", "WARSIH", "PAINEM", "SUNARTI", "KARTINI", "INDAH", "PUTRI", "AYU", "NOVI",
    "DIAN", "FITRI", "LESTARI", "ANITA", "YUNI",
)
JAVANESE_FEMALE_LAST = (
    "WAHYUNI", "RAHAYU", "LESTARI", "HANDAYANI", "SUSANTI", "WULANDARI", "ASTUTI", "PURWANINGSIH", "MULYANI",
    "SETIAWATI", "KURNIASIH", "UTAMI", "PRATIWI", "RAHMAWATI", "SULISTYOWATI", "WIDYASTUTI", "MARYATI", "SUMARNI",
    "SRIYANI", "NINGRUM", "ANGGRAENI", "PERMATASARI", "SETYANINGSIH",
)
SUNDANESE_MALE_FIRST = (
    "ASEP", "UJANG", "DEDE", "CECEP", "DEDI", "YAYAN", "AEP", "ENDANG", "UDIN", "OMAN", "JAJANG", "DADANG", "ENJANG",
    "ENCEP", "IWAN", "AGUS", "YUSUF", "ADE", "DENI", "RIDWAN", "AAN", "EMAN", "UJA", "KOSASIH", "TATANG", "WAWAN",
)
SUNDANESE_MALE_LAST = (
    "SAEPUDIN", "SUHENDAR", "SOPYAN", "KURNIA", "HERMAWAN", "SUHERMAN", "SUPRIATNA", "RUSTANDI", "KUSNADI",
    "SUNARYA", "MULYANA", "SETIAWAN", "RUHIYAT", "HIDAYAT", "NURJAMAN", "SAPUTRA", "SOLEH", "GUNAWAN", "PERMANA",
    "SUTISNA", "WIJAYA", "HERDIANA", "FIRDAUS",
)
SUNDANESE_FEMALE_FIRST = (
    "EUIS", "NENENG", "IIS", "ENTIN", "IMAS", "ENENG", "YANTI", "NENG", "TITIN", "EMA", "CUCU", "ELIS", "LILIS",
    "YAYAH", "ENDAH", "NINA", "RINA", "WIWIN", "EVI", "TATI", "IDA", "OOM", "DEWI", "SITI",
)
SUNDANESE_FEMALE_LAST = (
    "KOMARIAH", "KURNIASIH", "RAHMAWATI", "NURHAYATI", "MULYATI", "SUMIATI", "ROSMIATI", "SUKMAWATI",
    "HERLINA", "NURLAELA", "HASANAH", "SOBARIAH", "JUBAEDAH", "MARLIANA", "SETIAWATI", "AISYAH", "RUKMINI",
)
MUSLIM_MALE_FIRST = (
    "MUHAMMAD", "AHMAD", "ABDUL", "MUHAMMAD", "RIZKI", "FAUZAN", "HASAN", "ALI", "IBRAHIM", "YUSUF", "ARIF",
    "ILHAM", "FIKRI", "HAFIZ", "RAHMAT", "HIDAYAT", "SYAHRUL", "FAISAL", "ZAINAL", "SAIFUL", "ARIFIN", "NURDIN",
    "HUSAIN", "RIDWAN", "AKBAR", "FARHAN", "RAFI", "NAUFAL", "DAFFA", "ALIF", "AZIZ", "HAMZAH", "UMAR", "UTSMAN",
)
MUSLIM_MALE_LAST = (
    "RIZKI", "HIDAYAT", "RAMADHAN", "FAUZI", "HAKIM", "RAHMAN", "ROZAK", "FIRMANSYAH", "MAULANA", "SYAHPUTRA",
    "NURHADI", "ABDULLAH", "IBRAHIM", "SALEH", "ARIFIN", "HASANUDIN", "KHOIRUL", "ANWAR", "ZAKARIA", "HUSAINI",
    "FADILAH", "ALFARIZI", "MUBAROK", "SYAFII", "IKHSAN", "NUGRAHA", "AL FATIH", "HABIBI",
)
MUSLIM_FEMALE_FIRST = (
    "SITI", "NUR", "SITI", "NURUL", "FITRI", "AISYAH", "FATIMAH", "ZAHRA", "KHADIJAH", "AMINAH", "RAHMA", "NABILA",
    "SALSABILA", "AULIA", "ANNISA", "HANIFAH", "ZAINAB", "MAR'ATUS", "NAJWA", "SYIFA", "HALIMAH", "MAISYAROH",
    "ROHMAH", "KHOIRUN", "UMI", "NADIA", "FARAH", "ALYA",
)
MUSLIM_FEMALE_LAST = (
    "AMINAH", "NURHALIZA", "AISYAH", "FAUZIAH", "HIDAYAH", "KHASANAH", "SHOLIHAH", "ROHMAH", "AINI", "HALIMAH",
    "MAULIDA", "FITRIANI", "RAHMAWATI", "NURJANAH", "ZAHRO", "AZZAHRA", "KAMILA", "MARDIYAH", "SAFITRI",
    "ULFA", "HANDAYANI", "LATIFAH", "KHOIRIYAH",
)
BATAK_MALE_FIRST = (
    "HOTMAN", "RUDI", "JHONNY", "ROBERT", "SAHAT", "TUMPAL", "PARLINDUNGAN", "BONAR", "MARUDUT", "DANIEL", "POLTAK",
    "TOGAR", "BINSAR", "HENDRIK", "ARDIANSYAH", "RIZAL", "FERRY", "MANGATUR", "LAMHOT",
)
BATAK_FEMALE_FIRST = (
    "MARIA", "RUGUN", "TIOMSI", "ROSLINA", "LAMRIA", "DEBORA", "SRI", "NURMALA", "RIA", "HOTMAULI", "ERNA",
    "MARTA", "SANTI", "YOSEPHINE", "LINDA",
)
BATAK_MARGA = (
    "SIREGAR", "NASUTION", "SIMANJUNTAK", "HARAHAP", "LUBIS", "SITOMPUL", "SIHOMBING", "PARDEDE", "SITUMORANG",
    "HUTAGALUNG", "MANURUNG", "PANJAITAN", "SIMATUPANG", "SINAGA", "TAMPUBOLON", "NAINGGOLAN", "HUTAPEA",
    "SIAHAAN", "SIMBOLON", "PASARIBU", "SILALAHI", "GULTOM", "HUTABARAT", "SIANTURI",
)
MINANG_MALE_FIRST = (
    "AFRIZAL", "YUSRIZAL", "SYAFRIZAL", "IRWANDI", "DEDI", "ZULKIFLI", "RAHMAT", "ERIZAL", "HENDRI", "FIRDAUS",
    "ANDRIZAL", "JONI", "ZULHENDRI", "ALFIAN", "YONDRI", "ROSMAN", "DASRIL",
)
MINANG_MALE_LAST = (
    "SYAHPUTRA", "PUTRA", "CHANIAGO", "TANJUNG", "PILIANG", "KOTO", "SIKUMBANG", "JAMBAK", "SAPUTRA", "RAHMAN",
    "EFENDI", "HIDAYAT", "ZAINAL",
)
MINANG_FEMALE_FIRST = (
    "YULIA", "ELVI", "YENNI", "DESNAWATI", "YUSNIDAR", "ROSMAINI", "NURHAYATI", "ELFIRA", "WIDIA", "RAHMI",
    "YUSMANIAR", "MASNIDAR", "DESI", "FITRI",
)
MINANG_FEMALE_LAST = (
    "FITRI", "WATI", "NOVITA", "SARI", "YANTI", "ELFIDA", "YUNITA", "ASMAR", "HAYATI", "ROSA",
)
CHINESE_MALE_FIRST = (
    "HENDRA", "BUDI", "KEVIN", "WILLIAM", "SUGIANTO", "HARTONO", "FELIX", "STEVEN", "JOHAN", "DANIEL", "ANTON",
    "SUWANDI", "HENDRIK", "ROBERT", "GUNAWAN", "TJIOE", "LIEM", "OEI", "TAN", "LIE", "NJO", "KWEE",
)
CHINESE_FEMALE_FIRST = (
    "SUSANTI", "LIANA", "JESSICA", "MELIANA", "LINDA", "FELICIA", "MICHELLE", "YENNY", "SHERLY", "VERONICA",
    "CHRISTINE", "LILY", "MEI", "WENNY", "NOVITA", "TJIOE", "LIEM", "OEI", "TAN",
)
CHINESE_LAST = (
    "WIJAYA", "HALIM", "GUNAWAN", "TANOTO", "KUSUMA", "SANTOSO", "SALIM", "HARTONO", "SETIAWAN", "SUTANTO",
    "TANUWIJAYA", "LIMANTO", "SUGIHARTO", "KURNIAWAN", "HALIMAN", "TJANDRA", "KWEE", "TANDIONO", "HADINATA",
    "KIM LIONG", "SWIE KING", "KIM HOK", "GIOK LAN",
)
CHRISTIAN_MALE_FIRST = (
    "YOHANES", "STEFANUS", "PETRUS", "PAULUS", "ANDREAS", "MARKUS", "FRANSISKUS", "YOSEF", "MATIUS", "TOMAS",
    "ADRIANUS", "BENEDIKTUS", "KORNELIS", "YAKOBUS", "RICKY", "JEFRI", "MICHAEL", "GABRIEL", "DAVID",
)
CHRISTIAN_FEMALE_FIRST = (
    "MARIA", "FRANSISKA", "YOSEPHINE", "MAGDALENA", "KRISTINA", "ELISABETH", "MARTHA", "AGUSTINA", "VERONIKA",
    "GRACE", "MELANIE", "NOVELA", "ANGELINA", "THERESIA", "YULIANA",
)
CHRISTIAN_LAST = (
    "WOWOR", "LUMENTUT", "SONDAKH", "TUMBELAKA", "RONDONUWU", "SAHETAPY", "MANUHUTU", "PATTIRADJAWANE",
    "DA COSTA", "FERNANDEZ", "LEIWAKABESSY", "MANOPPO", "PANGKEREGO", "PRATAMA", "SANTOSO", "KRISTIANTO",
    "PUTRA", "LEKATOMPESSY",
)
BALINESE_MALE_PREFIX = ("I WAYAN", "I MADE", "I KETUT", "I NYOMAN", "I GEDE", "I PUTU", "I KADEK", "I KOMANG",
                        "I GUSTI NGURAH")
BALINESE_FEMALE_PREFIX = ("NI WAYAN", "NI MADE", "NI KETUT", "NI NYOMAN", "NI PUTU", "NI KADEK", "NI KOMANG", "NI LUH")
BALINESE_MALE_LAST = (
    "SUDARMA", "ARSANA", "SUARDANA", "ADNYANA", "WIRAWAN", "SUDIARTA", "MERTAYASA", "ARTAWAN", "SUPARTA", "SUWITRA",
)
BALINESE_FEMALE_LAST = (
    "SARI", "AYU", "SUARNI", "SUASTINI", "WIDIASTUTI", "DEWI", "ARIANI", "PURNAMI", "SRIASIH", "KARTIKA",
)

#: tradition -> (weight, male first, male last, female first, female last)
TRADITIONS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "jawa": (0.34, JAVANESE_MALE_FIRST, JAVANESE_MALE_LAST, JAVANESE_FEMALE_FIRST, JAVANESE_FEMALE_LAST),
    "sunda": (0.21, SUNDANESE_MALE_FIRST, SUNDANESE_MALE_LAST, SUNDANESE_FEMALE_FIRST, SUNDANESE_FEMALE_LAST),
    "muslim": (0.24, MUSLIM_MALE_FIRST, MUSLIM_MALE_LAST, MUSLIM_FEMALE_FIRST, MUSLIM_FEMALE_LAST),
    "batak": (0.06, BATAK_MALE_FIRST, BATAK_MARGA, BATAK_FEMALE_FIRST, BATAK_MARGA),
    "minang": (0.05, MINANG_MALE_FIRST, MINANG_MALE_LAST, MINANG_FEMALE_FIRST, MINANG_FEMALE_LAST),
    "tionghoa": (0.04, CHINESE_MALE_FIRST, CHINESE_LAST, CHINESE_FEMALE_FIRST, CHINESE_LAST),
    "kristen": (0.04, CHRISTIAN_MALE_FIRST, CHRISTIAN_LAST, CHRISTIAN_FEMALE_FIRST, CHRISTIAN_LAST),
    "bali": (0.02, BALINESE_MALE_PREFIX, BALINESE_MALE_LAST, BALINESE_FEMALE_PREFIX, BALINESE_FEMALE_LAST),
}

#: Share of names, per tradition, that are a single token (mononym) and that have three tokens.
MONONYM_SHARE = {"jawa": 0.35, "sunda": 0.25, "muslim": 0.08, "batak": 0.0, "minang": 0.25, "tionghoa": 0.05,
                 "kristen": 0.05, "bali": 0.0}
THREE_TOKEN_SHARE = {"jawa": 0.10, "sunda": 0.08, "muslim": 0.30, "batak": 0.20, "minang": 0.05, "tionghoa": 0.15,
                     "kristen": 0.20, "bali": 0.25}

RELIGION_BY_TRADITION = {"jawa": "ISLAM", "sunda": "ISLAM", "muslim": "ISLAM", "batak": "KRISTEN", "minang": "ISLAM",
                         "tionghoa": "BUDHA", "kristen": "KATHOLIK", "bali": "HINDU"}

#: Old (pre-1972) spellings, still legal in names, as (modern pattern, old form, old pattern, modern form):
#: regexes so that J->Y does not touch the J of DJ/TJ/NJ/SJ, and C->TJ does not touch the C of CH.
OLD_SPELLINGS = (
    ("U", "OE", "OE", "U"),
    ("(?<![DTNS])J", "DJ", "DJ", "J"),
    ("C(?!H)", "TJ", "TJ", "C"),
    ("(?<![NS])Y", "J", "(?<![DTNS])J", "Y"),
    ("NY", "NJ", "NJ", "NY"),
    ("SY", "SJ", "SJ", "SY"),
    ("KH", "CH", "CH", "KH"),
)

MUHAMMAD_VARIANTS = ("M.", "M", "MOH.", "MOCH.", "MOCHAMMAD", "MUH.", "MHD.", "MUHAMAD", "MOHAMMAD", "MOHAMAD",
                     "MUCHAMMAD", "MOHD.", "MUHAMMAD")

TITLES_MALE_PREFIX = ("H.", "BPK.", "BAPAK", "DRS.", "IR.", "SDR.", "DR.", "H", "BPK")
TITLES_FEMALE_PREFIX = ("HJ.", "IBU", "NY.", "DRA.", "SDRI.", "IR.", "HJ", "BU")
DEGREE_SUFFIXES = (", S.E.", ", S.PD", " S.H.", ", S.T", ", S.KOM", ", S.SOS", " SE", ", M.M.", ", A.MD", ", S.PD.I",
                   ", M.KES", " S.AG")

#: Generic nicknames people go by on community lists, regardless of their registered name.
GENERIC_NICKNAMES_MALE = ("UCOK", "UJANG", "ASEP", "BANG JAGO", "KOMENG", "BONENG", "ENTONG", "UDIN", "ACONG",
                          "BEJO", "GENDUT", "BOIM", "IPIN", "OPIK", "KIPLI", "JAMAL", "BEWOK", "MAMAT")
GENERIC_NICKNAMES_FEMALE = ("NENG", "NDUK", "MBAK YU", "ICHA", "CICI", "NONIK", "EMAK", "UPIK", "TETEH", "NCUS")
NICKNAME_HONORIFICS = ("BANG ", "MAS ", "KANG ", "PAK ", "BU ", "MBAK ", "TEH ", "KAK ")

#: Forms of address in front of a call name on driver and courier lists ("CAK DIDI", "Pak Pupu", "Bang Sup").
CALL_NAME_PREFIXES_MALE = ("PAK ", "CAK ", "BANG ", "MAS ", "KANG ", "OM ", "BANG ")
CALL_NAME_PREFIXES_FEMALE = ("BU ", "MBAK ", "TEH ", "KAK ", "CEU ")

# --- Twins -----------------------------------------------------------------------------------------------
# Parents give twins rhyming or near names: one or two letters apart, or a boy's name and its feminine form.

#: Same-sex twin first names (boys).
TWIN_NAMES_MALE = (("ANDI", "ANDRI"), ("HASAN", "HUSEIN"), ("RIZKI", "RIZAL"), ("DIMAS", "DIMAN"),
                   ("ARDI", "ARDA"), ("FAJAR", "FAJRI"), ("RAFI", "RAFA"), ("IKHSAN", "IHSAN"), ("AGUS", "AGUNG"),
                   ("YUDA", "YUDI"), ("ARYA", "ARYO"), ("DAFA", "DAFI"), ("BIMA", "BAYU"), ("ZAKI", "ZIKRI"),
                   ("RAKA", "RAKI"), ("ADAM", "ADIM"))
#: Same-sex twin first names (girls).
TWIN_NAMES_FEMALE = (("ZAHRA", "ZAHWA"), ("AISYAH", "AISAH"), ("NAILA", "NAILI"), ("SALSA", "SALWA"),
                     ("RANI", "RINA"), ("DEWI", "DEWA"), ("NISA", "NISYA"), ("AULIA", "AMALIA"), ("FIRA", "FITRA"),
                     ("KEISHA", "KEYSA"), ("NADIA", "NADYA"), ("PUTRI", "PUTRA"), ("INTAN", "INTAR"),
                     ("ALYA", "ALYSA"))
#: Opposite-sex twin first names (boy, girl): the girl's name the feminine form of the boy's.
TWIN_NAMES_MIXED = (("FAJAR", "FAJRIA"), ("PUTRA", "PUTRI"), ("RIZKY", "RIZKA"), ("DIMAS", "DIMAH"),
                    ("ADAM", "HAWA"), ("RAMA", "SINTA"), ("ANDI", "ANDINI"), ("DAFA", "DAFINA"), ("REZA", "REZI"),
                    ("WAHYU", "WAHYUNI"), ("ARIF", "ARIFAH"), ("ZAKI", "ZAKIA"), ("NAUFAL", "NAUFALIA"),
                    ("YUSUF", "YUSFA"), ("IRFAN", "IRFANI"))
#: Balinese birth-order names: twins and triplets take consecutive ones (I PUTU / I MADE / I NYOMAN).
BALINESE_BIRTH_ORDER = ("PUTU", "MADE", "NYOMAN", "KETUT")
#: Triplet first names (any sex order is taken from the list position: boy names first).
TRIPLET_NAMES = (("ANDI", "ANDRI", "ANDRA"), ("RAFI", "RAFA", "RAFIQ"), ("ZAHRA", "ZAHWA", "ZAHIRA"),
                 ("NAILA", "NAILI", "NAILY"))

# --- Places ----------------------------------------------------------------------------------------------

#: NIK region prefixes (province + regency, 4 digits) for NIKs first issued outside Depok, with weights and the
#: highest kecamatan code used there. Depok residents come from everywhere; nearby Jabodetabek dominates.
NIK_ORIGINS: tuple[tuple[str, float, int, str], ...] = (
    ("3201", 0.14, 40, "BOGOR"), ("3271", 0.06, 6, "BOGOR"), ("3171", 0.05, 8, "JAKARTA"),
    ("3172", 0.06, 10, "JAKARTA"), ("3173", 0.05, 8, "JAKARTA"), ("3174", 0.10, 10, "JAKARTA"),
    ("3175", 0.07, 10, "JAKARTA"), ("3275", 0.06, 12, "BEKASI"), ("3216", 0.03, 23, "BEKASI"),
    ("3674", 0.03, 7, "TANGERANG SELATAN"), ("3671", 0.02, 13, "TANGERANG"), ("3273", 0.03, 30, "BANDUNG"),
    ("3204", 0.02, 31, "BANDUNG"), ("3209", 0.02, 26, "CIREBON"), ("3206", 0.02, 30, "TASIKMALAYA"),
    ("3374", 0.02, 16, "SEMARANG"), ("3372", 0.02, 5, "SURAKARTA"), ("3471", 0.02, 14, "YOGYAKARTA"),
    ("3309", 0.02, 19, "BOYOLALI"), ("3313", 0.02, 17, "KARANGANYAR"), ("3302", 0.02, 27, "BANYUMAS"),
    ("3578", 0.02, 31, "SURABAYA"), ("3507", 0.01, 33, "MALANG"), ("1271", 0.02, 21, "MEDAN"),
    ("1212", 0.01, 16, "TOBA"), ("1371", 0.01, 11, "PADANG"), ("1306", 0.01, 17, "AGAM"),
    ("1671", 0.01, 18, "PALEMBANG"), ("1871", 0.01, 20, "BANDAR LAMPUNG"), ("7371", 0.01, 15, "MAKASSAR"),
    ("7171", 0.005, 11, "MANADO"), ("5171", 0.005, 4, "DENPASAR"), ("8171", 0.005, 5, "AMBON"),
)

BIRTH_PLACES_LOCAL = ("DEPOK", "JAKARTA", "BOGOR", "JAKARTA", "DEPOK", "BEKASI", "TANGERANG")

STREET_NAMES = (
    "MARGONDA RAYA", "NUSANTARA", "KEMBOJA", "RAYA SAWANGAN", "RAYA BOGOR", "TOLE ISKANDAR", "SILIWANGI",
    "AKSES UI", "RAYA CINERE", "KARTINI", "RAYA PARUNG", "MERDEKA", "PEMUDA", "BEJI", "KUKUSAN", "RAYA MUCHTAR",
    "ARIF RAHMAN HAKIM", "JUANDA", "RAYA CITAYAM", "BOULEVARD GDC", "CAGAR ALAM", "KEDONDONG", "MAWAR", "MELATI",
    "DAHLIA", "ANGGREK", "NANGKA", "DURIAN", "RAMBUTAN", "MANGGA", "SAWO", "JAMBU", "H. ASMAWI", "H. SULAIMAN",
    "BUNGA", "PALEM", "CEMPAKA", "FLAMBOYAN", "KENANGA", "RAYA TAPOS", "RAYA CILODONG", "RAYA KALIMULYA",
)
KAMPUNG_NAMES = ("BULAK", "SIDAMUKTI", "RAWA DENOK", "BELIMBING", "KEKUPU", "PITARA", "GAS ALAM", "SUGUTAMU",
                 "LIO", "SETU", "PONDOK", "KRAMAT", "BARU", "PENGASINAN", "CIBEREUM")
PERUMAHAN_NAMES = ("DEPOK II", "DEPOK MAHARAJA", "GRIYA DEPOK ASRI", "PESONA KHAYANGAN", "TAMAN DEPOK PERMAI",
                   "VILLA PERMATA DEPOK", "BUKIT NUSA INDAH", "TELAGA GOLF SAWANGAN", "PONDOK SUKMAJAYA PERMAI",
                   "CITAYAM PERMAI", "GRAND DEPOK CITY", "PURI DEPOK MAS", "BOJONG DEPOK BARU")

#: Kecamatan split off in 2008, mapped to the kecamatan they belonged to before.
OLD_KECAMATAN = {"Cipayung": "Pancoran Mas", "Cilodong": "Sukmajaya", "Cinere": "Limo", "Tapos": "Cimanggis",
                 "Bojongsari": "Sawangan"}

# --- Work ------------------------------------------------------------------------------------------------

#: sector -> (share of informal workers, Dukcapil JENIS_PKRJN, Disnaker "Jenis Pekerjaan")
INFORMAL_SECTORS: dict[str, tuple[float, str, str]] = {
    "ojol": (0.14, "WIRASWASTA", "Ojek Online"),
    "kurir": (0.08, "KARYAWAN SWASTA", "Kurir"),
    "pedagang_pasar": (0.11, "PEDAGANG", "Pedagang Pasar"),
    "umkm": (0.16, "WIRASWASTA", "Usaha Mikro"),
    "buruh_harian": (0.15, "BURUH HARIAN LEPAS", "Buruh Harian"),
    "art": (0.08, "PEMBANTU RUMAH TANGGA", "Asisten Rumah Tangga"),
    "pedagang_keliling": (0.10, "PEDAGANG", "Pedagang Keliling"),
    "freelancer": (0.08, "WIRASWASTA", "Pekerja Lepas"),
    "sopir": (0.05, "SOPIR", "Sopir"),
    "tukang": (0.05, "TUKANG BATU", "Tukang Bangunan"),
}
#: sector -> (share of formal workers, Dukcapil JENIS_PKRJN)
FORMAL_SECTORS: dict[str, tuple[float, str]] = {
    "karyawan_swasta": (0.62, "KARYAWAN SWASTA"),
    "buruh_pabrik": (0.16, "BURUH HARIAN LEPAS"),
    "pns": (0.10, "PEGAWAI NEGERI SIPIL"),
    "guru_honorer": (0.05, "GURU"),
    "karyawan_bumn": (0.07, "KARYAWAN BUMN"),
}
NOT_WORKING_OCCUPATION = {
    "anak": "BELUM/TIDAK BEKERJA", "pelajar": "PELAJAR/MAHASISWA", "ibu_rumah_tangga": "MENGURUS RUMAH TANGGA",
    "pensiunan": "PENSIUNAN", "belum_bekerja": "BELUM/TIDAK BEKERJA",
}

COMPANIES = (
    "PT MAJU JAYA ABADI", "PT SUMBER REJEKI", "PT TELKOM INDONESIA", "PT ASTRA INTERNATIONAL TBK",
    "PT INDOMARCO PRISMATAMA",
    "PT SUMBER ALFARIA TRIJAYA", "PT BANK RAKYAT INDONESIA", "CV KARYA MANDIRI", "PT GLOBAL DIGITAL NIAGA",
    "PT MATAHARI DEPARTMENT STORE", "RS HERMINA DEPOK", "UNIVERSITAS INDONESIA", "PT KERETA COMMUTER INDONESIA",
    "PT PRIMA TEKNIK", "PT DEPOK GARMENT", "CV BERKAH SENTOSA", "PT TOKOPEDIA", "PT JNE EXPRESS",
    "YAYASAN PENDIDIKAN AL AZHAR",
    "PT HYPERMART", "PT SINAR MAS", "KOPERASI KARYAWAN MANDIRI",
)
EDUCATION = ("SD", "SMP", "SMA", "SMK", "D3", "S1", "S2", "PAKET C", "MA")
TRAININGS = ("Menjahit", "Tata Boga", "Las Listrik", "Teknisi AC", "Barista", "Desain Grafis", "Digital Marketing",
             "Operator Komputer", "Otomotif Sepeda Motor", "Tata Rias", "Bahasa Inggris", "Mengemudi")
APPS_OJOL = ("Gojek", "Grab", "Maxim", "Shopee Food", "inDrive")
APPS_KURIR = ("Shopee Express", "J&T", "Lalamove", "Anteraja", "SiCepat", "JNE", "Grab Express")
MARKETS = (("PKM", "Pasar Kemiri Muka"), ("PAG", "Pasar Agung"), ("PCS", "Pasar Cisalak"), ("PTG", "Pasar Tugu"),
           ("PMS", "Pasar Musi"), ("PST", "Pasar Sukatani"), ("PCN", "Pasar Cinere"), ("PDJ", "Pasar Depok Jaya"))
GOODS = ("Sayur Mayur", "Ikan Basah", "Daging Ayam", "Sembako", "Buah-buahan", "Bumbu Dapur", "Pakaian", "Kue Basah",
         "Daging Sapi", "Tahu Tempe", "Plastik", "Kelontong", "Telur", "Bakso")
BUSINESS_SECTORS = ("Kuliner", "Fashion", "Kerajinan", "Jasa", "Perdagangan", "Pertanian", "Otomotif", "Kecantikan")
#: Business names carry characters that exist in Windows-1252 but not ASCII (é, ’, –), as real registries do.
BUSINESS_WORDS = ("Warung", "Kedai", "Toko", "Dapur", "Kafé", "Bengkel", "Laundry", "Katering", "Konveksi", "Salon")
BUSINESS_TAILS = ("Berkah", "Barokah", "Sejahtera", "Mandiri", "Jaya", "Bu’e", "Mak Nyus", "Rasa – Sayang",
                  "Sumber Rezeki", "Maju", "Lancar", "Ceria", "Crème", "Sentosa", "Amanah")

INDONESIAN_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                     "Oktober", "November", "Desember")
INDONESIAN_MONTHS_VARIANT = ("Jan", "Pebruari", "Mar", "Apr", "Mei", "Jun", "Jul", "Ags", "Sept", "Okt", "Nop", "Des")
ENGLISH_MONTHS_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
INDONESIAN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")

MOBILE_PREFIXES = ("811", "812", "813", "821", "822", "823", "852", "853", "851", "814", "815", "816", "855", "856",
                   "857", "858", "817", "818", "819", "859", "877", "878", "831", "832", "838", "895", "896", "897",
                   "898", "899", "881", "882", "887", "888")
