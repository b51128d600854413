"""Per-market rules for customer records (Partner Center's market data, as data).

Sources: Partner Center "Add a new customer" ("Company registration ID and
phone number are required for some countries/regions if you're a direct bill
partner or an indirect provider") and "Create a customer" (the countries where
the company registration ID is required).
"""

#: ISO 3166-1 alpha-2 codes of the markets where the primary contact's phone
#: number is required.
PHONE_REQUIRED_COUNTRIES = frozenset(
    {
        "AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA", "BR",
        "IN", "ZA", "PL", "AE", "SA", "TR", "TH", "VN", "MM", "IQ", "SS", "VE",
    }
)  # fmt: skip

#: Language-and-culture choices offered for a customer (``culture`` value, label).
CULTURES = [
    ("en-US", "English (United States)"),
    ("en-GB", "English (United Kingdom)"),
    ("ko-KR", "한국어 (대한민국)"),
    ("ja-JP", "日本語 (日本)"),
    ("de-DE", "Deutsch (Deutschland)"),
    ("fr-FR", "Français (France)"),
    ("es-ES", "Español (España)"),
    ("pt-BR", "Português (Brasil)"),
    ("zh-CN", "中文 (中国)"),
    ("it-IT", "Italiano (Italia)"),
    ("nl-NL", "Nederlands (Nederland)"),
    ("pl-PL", "Polski (Polska)"),
]

#: The culture a new customer in a country starts with; others fall back to en-US.
DEFAULT_CULTURE = {
    "KR": "ko-KR", "JP": "ja-JP", "DE": "de-DE", "AT": "de-DE", "GB": "en-GB", "IE": "en-GB",
    "FR": "fr-FR", "ES": "es-ES", "BR": "pt-BR", "CN": "zh-CN", "IT": "it-IT", "NL": "nl-NL",
    "PL": "pl-PL",
}  # fmt: skip


def phone_required(country: str) -> bool:
    """Whether the primary contact's phone number is required in ``country`` (ISO alpha-2)."""
    return str(country).upper() in PHONE_REQUIRED_COUNTRIES


def default_culture(country: str) -> str:
    """The default culture (``ko-KR``) for a customer in ``country``; ``en-US`` otherwise."""
    return DEFAULT_CULTURE.get(str(country).upper(), "en-US")


#: The time zone of a market's customer admin (what "today" and times mean in its admin
#: center); a country spanning several gets its most populous one. Others: UTC.
DEFAULT_TIME_ZONE = {
    "KR": "Asia/Seoul", "JP": "Asia/Tokyo", "CN": "Asia/Shanghai", "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong", "SG": "Asia/Singapore", "IN": "Asia/Kolkata", "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh", "AE": "Asia/Dubai", "SA": "Asia/Riyadh", "TR": "Europe/Istanbul",
    "DE": "Europe/Berlin", "AT": "Europe/Vienna", "GB": "Europe/London", "IE": "Europe/Dublin",
    "FR": "Europe/Paris", "ES": "Europe/Madrid", "IT": "Europe/Rome", "NL": "Europe/Amsterdam",
    "PL": "Europe/Warsaw", "SE": "Europe/Stockholm", "CH": "Europe/Zurich", "US": "America/New_York",
    "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg",
}  # fmt: skip


def default_time_zone(country: str) -> str:
    """The time zone (IANA name) of a customer admin in ``country``; UTC where unknown."""
    return DEFAULT_TIME_ZONE.get(str(country).upper(), "UTC")
