"""Vocabulary of the English-language register: written for this project (no benchmark data set copied).

Given names carry the nicknames people are known by (``ROBERT`` → ``BOB``, ``BOBBY``, ``ROB``); weights make
a few names common (many ``JOHN``, few ``PERCIVAL``) so that namesakes occur, as in any real register.
Suburbs carry a plausible postcode and their state.
"""

from __future__ import annotations

# given name: (weight, nicknames)
MALE_GIVEN_NAMES: dict[str, tuple[int, tuple[str, ...]]] = {
    "james": (40, ("jim", "jimmy", "jamie")), "john": (40, ("johnny", "jack")),
    "robert": (35, ("bob", "bobby", "rob", "robbie")), "michael": (35, ("mike", "mick", "mikey")),
    "william": (30, ("bill", "billy", "will", "liam")), "david": (30, ("dave", "davy")),
    "richard": (20, ("rick", "dick", "richie")), "joseph": (15, ("joe", "joey")),
    "thomas": (25, ("tom", "tommy")), "charles": (15, ("charlie", "chuck")),
    "christopher": (20, ("chris", "kit")), "daniel": (20, ("dan", "danny")),
    "matthew": (20, ("matt",)), "anthony": (15, ("tony",)), "mark": (15, ()),
    "donald": (8, ("don", "donnie")), "steven": (12, ("steve",)), "stephen": (10, ("steve", "stevie")),
    "paul": (12, ()), "andrew": (18, ("andy", "drew")), "joshua": (12, ("josh",)),
    "kenneth": (8, ("ken", "kenny")), "kevin": (8, ("kev",)), "brian": (8, ()), "george": (10, ()),
    "timothy": (8, ("tim", "timmy")), "ronald": (6, ("ron", "ronnie")), "edward": (10, ("ed", "eddie", "ted", "ned")),
    "jason": (8, ()), "jeffrey": (6, ("jeff",)), "ryan": (10, ()), "jacob": (10, ("jake",)),
    "gary": (6, ()), "nicholas": (12, ("nick", "nicky")), "eric": (6, ()), "jonathan": (8, ("jon", "jonny")),
    "benjamin": (14, ("ben", "benny")), "samuel": (12, ("sam", "sammy")), "alexander": (12, ("alex", "xander", "sandy")),
    "patrick": (8, ("pat", "paddy")), "peter": (12, ("pete",)), "gregory": (6, ("greg",)),
    "frank": (5, ("frankie",)), "raymond": (5, ("ray",)), "jack": (14, ()), "dennis": (4, ("denny",)),
    "jerry": (3, ()), "tyler": (6, ()), "aaron": (6, ()), "henry": (8, ("harry", "hank")),
    "douglas": (5, ("doug",)), "nathan": (8, ("nate", "nat")), "zachary": (5, ("zach", "zac")),
    "lawrence": (4, ("larry", "laurie")), "terence": (3, ("terry",)), "gerald": (3, ("gerry",)),
    "philip": (6, ("phil",)), "frederick": (3, ("fred", "freddie")), "albert": (3, ("al", "bert")),
    "arthur": (4, ("art", "artie")), "harold": (3, ("harry", "hal")), "lachlan": (8, ("lachie",)),
    "angus": (5, ()), "hamish": (4, ()), "callum": (6, ("cal",)), "oliver": (10, ("ollie",)),
    "noah": (8, ()), "ethan": (8, ()), "lucas": (6, ("luke",)), "mason": (5, ()), "liam": (8, ()),
    "cooper": (5, ()), "riley": (5, ()), "hudson": (3, ()), "archie": (4, ()), "flynn": (3, ()),
    "darren": (4, ("daz",)), "shane": (5, ()), "craig": (5, ()), "bradley": (5, ("brad",)),
    "wayne": (4, ()), "dean": (4, ()), "glenn": (4, ()), "trevor": (3, ("trev",)), "barry": (3, ()),
    "malcolm": (3, ("mal",)), "neville": (2, ("nev",)), "clifford": (2, ("cliff",)), "leonard": (3, ("len", "lenny", "leo")),
    "vincent": (3, ("vince", "vinnie")), "walter": (3, ("walt", "wally")), "francis": (3, ("frank", "fran")),
    "maxwell": (4, ("max",)), "percival": (1, ("percy",)), "reginald": (1, ("reg", "reggie")),
    "stanley": (2, ("stan",)), "bernard": (2, ("bernie",)), "rupert": (1, ()), "hugo": (3, ()),
}

FEMALE_GIVEN_NAMES: dict[str, tuple[int, tuple[str, ...]]] = {
    "mary": (30, ("molly", "polly", "mae")), "patricia": (15, ("pat", "patty", "trish", "tricia")),
    "jennifer": (20, ("jen", "jenny")), "linda": (12, ("lindy",)), "elizabeth": (30, ("liz", "beth", "betty", "lizzie", "eliza")),
    "barbara": (10, ("barb", "babs")), "susan": (15, ("sue", "susie")), "jessica": (18, ("jess", "jessie")),
    "sarah": (22, ("sally",)), "karen": (10, ()), "nancy": (6, ()), "lisa": (10, ()),
    "margaret": (15, ("maggie", "meg", "peggy", "marge")), "sandra": (8, ("sandy",)),
    "ashley": (8, ("ash",)), "kimberly": (8, ("kim",)), "emily": (18, ("em", "emmy")),
    "donna": (5, ()), "michelle": (12, ("shelley",)), "dorothy": (5, ("dot", "dottie", "dolly")),
    "carol": (6, ()), "amanda": (10, ("mandy",)), "melissa": (10, ("mel", "missy")),
    "deborah": (6, ("deb", "debbie")), "stephanie": (8, ("steph",)), "rebecca": (12, ("becky", "bec")),
    "laura": (10, ()), "sharon": (6, ()), "cynthia": (4, ("cindy",)), "kathleen": (6, ("kathy", "kate", "kath")),
    "katherine": (14, ("kate", "kathy", "katie", "kat")), "catherine": (10, ("cathy", "cate", "cat")),
    "amy": (10, ()), "angela": (8, ("angie",)), "helen": (8, ()), "anna": (10, ()), "brenda": (3, ()),
    "pamela": (5, ("pam",)), "nicole": (10, ("nikki",)), "samantha": (10, ("sam", "sammy")),
    "christine": (8, ("chris", "chrissy", "tina")), "rachel": (8, ()), "carolyn": (4, ("carrie",)),
    "janet": (5, ("jan",)), "virginia": (3, ("ginny",)), "maria": (6, ()), "heather": (5, ()),
    "diane": (5, ("di",)), "julie": (6, ()), "joyce": (3, ()), "victoria": (8, ("vicky", "tori")),
    "olivia": (12, ("liv", "livvy")), "charlotte": (12, ("charlie", "lottie")), "amelia": (10, ("millie", "amy")),
    "isabella": (8, ("bella", "izzy")), "sophie": (10, ()), "chloe": (8, ()), "grace": (8, ()),
    "ruby": (6, ()), "zoe": (6, ()), "emma": (10, ()), "hannah": (8, ()), "lucy": (6, ()),
    "abigail": (5, ("abby", "gail")), "madeleine": (4, ("maddy", "maddie")), "georgia": (6, ("georgie",)),
    "alexandra": (6, ("alex", "lexie", "sandra")), "jacqueline": (4, ("jackie",)), "josephine": (3, ("jo", "josie")),
    "louise": (5, ("lou",)), "gillian": (3, ("gill", "jill")), "judith": (4, ("judy",)), "beverley": (3, ("bev",)),
    "kerry": (4, ()), "tracey": (4, ()), "leanne": (4, ()), "joanne": (5, ("jo",)), "wendy": (4, ()),
    "denise": (3, ()), "rosemary": (3, ("rose", "rosie")), "eleanor": (4, ("ellie", "nell", "nora")),
    "florence": (2, ("flo", "florrie")), "frances": (3, ("fran", "frankie")), "theresa": (3, ("tess", "terri")),
    "penelope": (2, ("penny",)), "winifred": (1, ("winnie",)), "harriet": (2, ("hattie",)),
}

SURNAMES: dict[str, int] = {
    "smith": 60, "jones": 40, "williams": 38, "brown": 36, "wilson": 30, "taylor": 30, "johnson": 22,
    "white": 20, "martin": 22, "anderson": 18, "thompson": 20, "nguyen": 18, "thomas": 16, "walker": 16,
    "harris": 15, "lee": 18, "ryan": 14, "robinson": 14, "kelly": 14, "king": 12, "davis": 12, "wright": 12,
    "evans": 10, "roberts": 10, "green": 10, "hall": 10, "wood": 9, "jackson": 9, "clarke": 9, "patel": 9,
    "khan": 6, "lewis": 8, "james": 8, "phillips": 7, "mitchell": 8, "campbell": 8, "young": 7, "turner": 7,
    "hughes": 7, "edwards": 7, "moore": 7, "baker": 7, "collins": 6, "stewart": 6, "morris": 6, "murphy": 7,
    "cook": 6, "rogers": 5, "morgan": 6, "cooper": 6, "peterson": 5, "bailey": 5, "reed": 5, "kennedy": 5,
    "sullivan": 5, "bell": 5, "murray": 5, "fraser": 4, "graham": 4, "hamilton": 4, "mcdonald": 5,
    "macdonald": 3, "mackenzie": 3, "mcleod": 3, "ross": 4, "henderson": 4, "paterson": 4, "watson": 5,
    "hill": 5, "scott": 5, "adams": 5, "baxter": 3, "carter": 4, "chapman": 3, "cole": 3, "cox": 3,
    "crawford": 3, "cunningham": 3, "dawson": 3, "dixon": 3, "doyle": 3, "duncan": 3, "ellis": 3,
    "ferguson": 3, "fisher": 3, "fitzgerald": 3, "fletcher": 3, "foster": 3, "gardner": 3, "gibson": 3,
    "gordon": 3, "grant": 3, "gray": 3, "griffiths": 3, "hart": 3, "hayes": 3, "holmes": 3, "howard": 3,
    "hunt": 3, "hunter": 3, "johnston": 3, "knight": 3, "lawson": 2, "marshall": 3, "mason": 3,
    "matthews": 3, "mills": 3, "morrison": 3, "nash": 2, "newman": 2, "o'brien": 4, "o'connor": 3,
    "o'neill": 3, "owen": 2, "palmer": 3, "parker": 3, "pearce": 2, "perry": 2, "porter": 2, "powell": 2,
    "price": 2, "quinn": 2, "reid": 3, "reynolds": 2, "richardson": 3, "riley": 2, "russell": 3,
    "saunders": 2, "shaw": 3, "simpson": 3, "spencer": 2, "stevens": 2, "stone": 2, "sutton": 2,
    "tran": 6, "tucker": 2, "wallace": 3, "ward": 3, "warren": 2, "watts": 2, "webb": 3, "webster": 2,
    "wells": 2, "west": 2, "wheeler": 2, "whitehead": 1, "wilkinson": 2, "willis": 2, "woods": 2,
    "young-smith": 1, "van der berg": 1, "de silva": 2, "di stefano": 1, "papadopoulos": 2, "rossi": 2,
    "russo": 2, "romano": 1, "esposito": 1, "kowalski": 1, "novak": 1, "schmidt": 2, "muller": 1,
    "wong": 5, "chen": 6, "li": 5, "zhang": 4, "wang": 5, "liu": 3, "singh": 6, "kaur": 3, "sharma": 3,
    "pham": 3, "le": 3, "kim": 3, "park": 2, "ali": 3, "ahmed": 3, "hassan": 2, "costa": 2, "silva": 2,
    "brennan": 2, "burke": 2, "byrne": 2, "callaghan": 1, "dunn": 2, "farrell": 2, "flanagan": 1,
    "gallagher": 2, "healy": 1, "keane": 1, "lynch": 2, "maguire": 1, "mcgrath": 2, "nolan": 2,
    "quigley": 1, "sheehan": 1, "walsh": 3, "blackwood": 1, "ashworth": 1, "pemberton": 1, "thornton": 1,
    "whitfield": 1, "kingsley": 1, "lockwood": 1, "hargreaves": 1, "fairweather": 1, "underwood": 1,
}

STREET_NAMES: tuple[str, ...] = (
    "george", "king", "queen", "elizabeth", "victoria", "albert", "william", "church", "high", "main",
    "park", "station", "railway", "bridge", "river", "beach", "ocean", "hill", "mountain", "valley",
    "forest", "oak", "pine", "elm", "wattle", "banksia", "acacia", "jacaranda", "eucalyptus", "grevillea",
    "waratah", "boronia", "kurrajong", "bottlebrush", "melaleuca", "lilly pilly", "macquarie", "hume",
    "flinders", "cook", "phillip", "bligh", "hunter", "darling", "murray", "sturt", "mitchell", "oxley",
    "lachlan", "collins", "bourke", "swanston", "elizabeth bay", "pitt", "kent", "sussex", "clarence",
    "york", "castlereagh", "chapel", "glenferrie", "burwood", "canterbury", "coronation", "jubilee",
    "anzac", "gallipoli", "kitchener", "edward", "alfred", "arthur", "charles", "frederick", "henry",
    "james", "john", "margaret", "mary", "ann", "grey", "wellington", "nelson", "marine", "esplanade",
    "harbour", "bay", "lake", "creek", "spring", "garden", "orchard", "mill", "school", "college",
    "hospital", "market", "cemetery", "golf links", "racecourse", "showground", "airport", "industrial",
    "wilson", "thompson", "campbell", "stewart", "fraser", "murphy", "kelly", "ryan", "brown", "smith",
)

# street type: (full, abbreviation)
STREET_TYPES: tuple[tuple[str, str, int], ...] = (
    ("street", "st", 40), ("road", "rd", 25), ("avenue", "ave", 12), ("drive", "dr", 8), ("court", "ct", 5),
    ("place", "pl", 5), ("crescent", "cres", 4), ("parade", "pde", 3), ("close", "cl", 3), ("lane", "ln", 3),
    ("terrace", "tce", 2), ("highway", "hwy", 2), ("circuit", "cct", 2), ("grove", "gr", 2), ("way", "wy", 2),
    ("boulevard", "blvd", 1), ("square", "sq", 1),
)

# suburb: (postcode, state)
SUBURBS: dict[str, tuple[str, str]] = {
    "parramatta": ("2150", "nsw"), "blacktown": ("2148", "nsw"), "penrith": ("2750", "nsw"),
    "liverpool": ("2170", "nsw"), "chatswood": ("2067", "nsw"), "bondi": ("2026", "nsw"),
    "manly": ("2095", "nsw"), "hornsby": ("2077", "nsw"), "campbelltown": ("2560", "nsw"),
    "newcastle": ("2300", "nsw"), "wollongong": ("2500", "nsw"), "gosford": ("2250", "nsw"),
    "dubbo": ("2830", "nsw"), "orange": ("2800", "nsw"), "bathurst": ("2795", "nsw"), "wagga wagga": ("2650", "nsw"),
    "albury": ("2640", "nsw"), "tamworth": ("2340", "nsw"), "port macquarie": ("2444", "nsw"),
    "richmond": ("3121", "vic"), "st kilda": ("3182", "vic"), "footscray": ("3011", "vic"),
    "frankston": ("3199", "vic"), "dandenong": ("3175", "vic"), "box hill": ("3128", "vic"),
    "geelong": ("3220", "vic"), "ballarat": ("3350", "vic"), "bendigo": ("3550", "vic"),
    "shepparton": ("3630", "vic"), "mildura": ("3500", "vic"), "brunswick": ("3056", "vic"),
    "werribee": ("3030", "vic"), "craigieburn": ("3064", "vic"), "ringwood": ("3134", "vic"),
    "toowoomba": ("4350", "qld"), "cairns": ("4870", "qld"), "townsville": ("4810", "qld"),
    "ipswich": ("4305", "qld"), "southport": ("4215", "qld"), "caboolture": ("4510", "qld"),
    "maroochydore": ("4558", "qld"), "rockhampton": ("4700", "qld"), "mackay": ("4740", "qld"),
    "bundaberg": ("4670", "qld"), "logan central": ("4114", "qld"), "redcliffe": ("4020", "qld"),
    "fremantle": ("6160", "wa"), "joondalup": ("6027", "wa"), "rockingham": ("6168", "wa"),
    "mandurah": ("6210", "wa"), "bunbury": ("6230", "wa"), "geraldton": ("6530", "wa"),
    "kalgoorlie": ("6430", "wa"), "midland": ("6056", "wa"), "glenelg": ("5045", "sa"),
    "elizabeth": ("5112", "sa"), "mount gambier": ("5290", "sa"), "whyalla": ("5600", "sa"),
    "port adelaide": ("5015", "sa"), "salisbury": ("5108", "sa"), "hobart": ("7000", "tas"),
    "launceston": ("7250", "tas"), "devonport": ("7310", "tas"), "burnie": ("7320", "tas"),
    "belconnen": ("2617", "act"), "tuggeranong": ("2900", "act"), "woden": ("2606", "act"),
    "gungahlin": ("2912", "act"), "palmerston": ("0830", "nt"), "alice springs": ("0870", "nt"),
    "katherine": ("0850", "nt"), "casuarina": ("0810", "nt"),
}

STATE_NAMES: dict[str, str] = {
    "nsw": "new south wales", "vic": "victoria", "qld": "queensland", "wa": "western australia",
    "sa": "south australia", "tas": "tasmania", "act": "australian capital territory", "nt": "northern territory",
}

# Landline area code per state (mobiles start with 04).
AREA_CODES: dict[str, str] = {
    "nsw": "02", "act": "02", "vic": "03", "tas": "03", "qld": "07", "wa": "08", "sa": "08", "nt": "08",
}

ADDRESS_2_KINDS: tuple[str, ...] = ("unit", "flat", "apartment", "level", "suite")
BUILDING_NAMES: tuple[str, ...] = (
    "the gardens", "harbour view", "rose cottage", "kookaburra lodge", "sunset villas", "park towers",
    "river retreat", "the terraces", "willow court", "banksia house", "emerald apartments", "seaview",
)
