"""Names of the generated world: horses, people, owners, races. Pure functions of integer keys."""

from __future__ import annotations

from hippique_replay.gen_hash import Bits

_ONSETS = ("B", "C", "D", "F", "G", "J", "L", "M", "N", "P", "R", "S", "T", "V", "CH", "BR", "TR", "GR", "PR")
_VOWELS = ("A", "E", "I", "O", "U", "A", "O", "E", "I", "A", "OU", "AN", "ON", "IN")
_CODAS = ("", "", "", "", "N", "R", "S", "L", "X", "T")
_ENDINGS = ("", "", "", "O", "A", "E", "IS", "ETTE", "INE", "AS", "OR", "ANE", "EL", "IA", "US")
_PARTICLES = ("DE ", "DU ", "DE ")
_PLACES = (
    "SIMM",
    "ISIGNY",
    "OLONNE",
    "ARGENTAN",
    "AUTHUIT",
    "ERABLE",
    "YERRES",
    "OLIVERIE",
    "BAUGY",
    "LEVANT",
    "GODREL",
    "PLESSIS",
    "BARBES",
    "MER",
    "VAL",
    "CORBIERE",
    "BELLOUET",
    "HOUX",
    "JUHES",
    "LORRAINE",
    "NEVELE",
    "BRUYERE",
    "CHENE",
    "GIRONDE",
    "NIEL",
    "RIVIERE",
    "MONTFORT",
    "LAUNAY",
    "FONTAINE",
    "ROCHE",
    "VALLEE",
    "BOCAGE",
    "BUISSON",
    "MARAIS",
    "PERCHE",
    "SOLOGNE",
    "BRETAGNE",
    "VENDEE",
    "VIVIER",
    "BOIS",
    "ETANG",
    "MOULIN",
    "CLOS",
    "PRE",
    "MANOIR",
    "TERTRE",
    "LANDE",
)
_WORDS = (
    "GOLD",
    "STAR",
    "ROYAL",
    "BELLE",
    "MAGIC",
    "SILVER",
    "PRINCE",
    "REINE",
    "SPIRIT",
    "STORM",
    "LUCKY",
    "BLUE",
    "DREAM",
    "KING",
    "QUEEN",
    "FLASH",
    "NIGHT",
    "SUN",
    "MOON",
    "WIND",
    "FIRE",
    "LADY",
    "LORD",
    "SWEET",
    "WILD",
    "BRAVE",
    "SMART",
    "GLORY",
    "EMPIRE",
    "LEGEND",
    "DIAMANT",
    "ETOILE",
    "SOLEIL",
    "ROI",
    "DOUX",
    "FOLIE",
    "ESPOIR",
    "TRESOR",
    "REVE",
    "NUAGE",
    "ECLAIR",
    "MISTRAL",
    "VICTOIRE",
    "AMOUR",
    "BONHEUR",
    "CHARME",
)
SURNAMES = (
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANCOIS",
    "LEGRAND",
    "GARNIER",
    "FAURE",
    "ROUSSEAU",
    "BLANC",
    "GUERIN",
    "HENRY",
    "ROUSSEL",
    "NICOLAS",
    "PERRIN",
    "MORIN",
    "MATHIEU",
    "CLEMENT",
    "GAUTHIER",
    "DUMONT",
    "FONTAINE",
    "CHEVALIER",
    "ROBIN",
    "MASSON",
    "GERARD",
    "BOYER",
    "DENIS",
    "LEMAIRE",
    "DUVAL",
    "JOLY",
    "ROGER",
    "ROCHE",
    "NOEL",
    "LUCAS",
    "MEUNIER",
    "MARCHAND",
    "DUFOUR",
    "BLANCHARD",
    "BARBIER",
    "BRUN",
    "DUMAS",
    "BRUNET",
    "LEROUX",
    "COLIN",
    "RENARD",
    "ARNAUD",
    "ROLLAND",
    "CARON",
    "AUBERT",
    "GIRAUD",
    "LECLERC",
    "VIDAL",
    "BOURGEOIS",
    "RENAUD",
    "LEMOINE",
    "PICARD",
    "GAILLARD",
    "FABRE",
    "DUPUIS",
    "OLIVIER",
    "HUBERT",
    "GUILLOT",
    "RIVIERE",
    "LE GALL",
    "ADAM",
    "BOUTIN",
    "HAMELIN",
    "BRIDAULT",
    "HEON",
    "BOISNARD",
    "GENDROT",
    "BONNE",
    "CLIN",
    "ROUSSET",
    "CRASTUS",
    "SUBIAS",
    "MENARD",
    "FOURRIER",
    "PLISSON",
    "CHOTARD",
    "LEBOURGEOIS",
    "RAFFIN",
    "ABRIVARD",
    "THOMAIN",
    "NIVARD",
    "GOOP",
    "VERVA",
    "BAZIRE",
)
_FIRST_NAMES = (
    "Stéphane",
    "Rémi",
    "Charles",
    "Brunehilde",
    "Pierre",
    "Jean",
    "Marie",
    "Sophie",
    "Philippe",
    "Alain",
    "Isabelle",
    "Laurent",
    "Nathalie",
    "François",
    "Catherine",
    "Thierry",
    "Christine",
    "Eric",
    "Anne",
    "Yves",
)
_INITIALS = (
    "A.",
    "B.",
    "C.",
    "D.",
    "E.",
    "F.",
    "G.",
    "H.",
    "J.",
    "L.",
    "M.",
    "N.",
    "P.",
    "R.",
    "S.",
    "T.",
    "Y.",
    "CH.",
    "PH.",
    "J.M.",
    "J.PH.",
    "M.A.",
    "F.X.",
)
_FOREIGN_ENDINGS = {
    "SWE": ("SSON", "BERG", "STROM", "LUND", "QVIST"),
    "DEU": ("MANN", "ER", "BERGER", "HOFF", "ECKE"),
    "AUT": ("HUBER", "BAUER", "LEHNER", "WIRTH", "MAYR"),
    "AAA": ("CHAN", "WONG", "LEUNG", "LAU", "HO"),
    "ARG": ("EZ", "ANO", "ERA", "IDO", "ONDO"),
    "CHL": ("EZ", "ADA", "ERA", "ILLO", "ONA"),
    "URY": ("EZ", "ANO", "ERO", "UZ", "ADO"),
}
_PRIX_PEOPLE = (
    "JEAN-MARIE DAVID",
    "ALBERT VIEL",
    "HENRI LEVESQUE",
    "PAUL BUQUET",
    "JACQUES DE VIENNE",
    "ANDRE BOUGHEY",
    "GUY DELOISON",
    "LOUIS JOUANNE",
    "ROGER HOLLIER",
)
_PRIX_THINGS = (
    "SOLEIL DE BRETAGNE",
    "CHATEAU",
    "BOIS DE BOULOGNE",
    "PAVILLON",
    "GRAND PARC",
    "PONT NEUF",
    "VIEUX PORT",
    "MOULIN ROUGE",
    "JARDIN",
    "LAC",
    "CAP",
    "PHARE",
    "MARCHE AUX FLEURS",
)
TROT_LETTERS = "ABCDEFGHIJKLMNOPRSTUV"  # French trotters' names start with their birth year's letter


def trot_letter(birth_year: int) -> str:
    """The initial of a French trotter born in ``birth_year`` (2021 -> ``L``, the sequence skips Q)."""
    return TROT_LETTERS[(birth_year - 2021 + 11) % len(TROT_LETTERS)]


def pseudo_word(bits: Bits, initial: str | None = None, syllables: int | None = None) -> str:
    """A pronounceable upper-case word; ``initial`` forces its first letter."""
    count = syllables if syllables is not None else 2 + (bits.below(4) == 0)
    parts = [bits.pick(_ONSETS) + bits.pick(_VOWELS) for _ in range(count)]
    if initial is not None:
        if initial in "AEIOUY":
            parts[0] = initial + bits.pick(("L", "R", "N", "S", "V", "D")) + bits.pick(_VOWELS)
        else:
            parts[0] = initial + bits.pick(_VOWELS)
    tail = bits.pick(_ENDINGS) if bits.below(2) else bits.pick(_CODAS)
    return "".join(parts) + tail


def _with_particle(place: str, bits: Bits) -> str:
    if place[0] in "AEIOUY":
        return f"D'{place}"
    return f"{bits.pick(_PARTICLES)}{place}"


def horse_name(h: int, initial: str | None = None) -> str:
    """A horse name such as ``LORIAN DE SIMM`` or ``MAGIC TOVA``."""
    bits = Bits(h, 200)
    style = bits.below(10)
    first = pseudo_word(bits, initial)
    if style < 4:
        return f"{first} {_with_particle(bits.pick(_PLACES), bits)}"
    if style < 6 and initial is None:
        return f"{bits.pick(_WORDS)} {pseudo_word(bits, syllables=2)}"
    if style < 8:
        return f"{first} {bits.pick(_WORDS)}"
    return first


def person_name(h: int, country: str = "FRA") -> str:
    """A rider or trainer as the programme writes them: ``D. BONNE``, ``PIER.MENARD``."""
    bits = Bits(h, 300)
    endings = _FOREIGN_ENDINGS.get(country)
    if endings is not None:
        surname = pseudo_word(bits, syllables=1 + bits.below(2)) + bits.pick(endings)
    elif bits.below(3) == 0:
        surname = pseudo_word(bits, syllables=2)
    else:
        surname = bits.pick(SURNAMES)
    if bits.below(6) == 0 and len(surname) > 4:
        return f"{bits.pick(('PIER', 'JEAN', 'MARC', 'ALEX', 'CHRIS', 'NICO'))}.{surname}"
    return f"{bits.pick(_INITIALS)} {surname}"


def owner_name(h: int) -> str:
    """An owner: a stable, a company or a person."""
    bits = Bits(h, 400)
    style = bits.below(7)
    if style == 0:
        return f"ECURIE {pseudo_word(bits, syllables=2)}"
    if style == 1:
        return f"SARL {bits.pick(_WORDS)} {pseudo_word(bits, syllables=1)}"
    if style == 2:
        return f"Stal {pseudo_word(bits, syllables=2)}"
    if style == 3:
        return f"HARAS {_with_particle(bits.pick(_PLACES), bits)}"
    if style == 4:
        return f"MME {bits.pick(_INITIALS)}{bits.pick(SURNAMES)}"
    return f"M. {bits.pick(SURNAMES)}-{pseudo_word(bits, syllables=1)}"


def breeder_name(h: int) -> str:
    """A breeder: ``M. Stéphane LEVOY``, ``ECURIE D'AUTHUIT``..."""
    bits = Bits(h, 500)
    style = bits.below(4)
    if style == 0:
        return f"ECURIE {_with_particle(bits.pick(_PLACES), bits)}"
    if style == 1:
        return f"EARL {bits.pick(_PLACES)}"
    return f"M. {bits.pick(_FIRST_NAMES)} {bits.pick(SURNAMES)}"


def race_name(h: int) -> str:
    """A race name: ``PRIX DE LAUNAY``, ``PRIX JEAN-MARIE DAVID``, ``PRIX DU PAVILLON``."""
    bits = Bits(h, 600)
    style = bits.below(4)
    if style == 0:
        return f"PRIX {bits.pick(_PRIX_PEOPLE)}"
    if style == 1:
        thing = bits.pick(_PRIX_THINGS)
        return f"PRIX DE L'{thing}" if thing[0] in "AEIOU" else f"PRIX DU {thing}"
    place = bits.pick(_PLACES)
    return f"PRIX D'{place}" if place[0] in "AEIOUY" else f"PRIX DE {place}"


def short_race_name(name: str) -> str:
    """``libelleCourt``: the name without ``PRIX``, at most 15 characters."""
    short = name.removeprefix("PRIX ")
    for article in ("DE L'", "DU ", "DE ", "D'"):
        short = short.removeprefix(article)
    return short[:15].strip()
