"""Department names and e-mail addresses, normalised the one way every comparison uses.

A department writes its name as it likes: with spaces or full-width letters, with the district
in front (环翠区商务局, 威海市环翠区商务局) or the short form of the district's own offices
(区商务局), with （盖章） after it. :func:`name_key` maps all of these to one key (商务局), so
the roster, the 单位名称 cell, a file name and last year's roster can be compared. Keys are only
compared with keys: both sides go through the same function, so a prefix stripped from one is
stripped from the other.
"""

from __future__ import annotations

import re
import unicodedata

from ..spec.labels import normalize_text

# A leading "<2–4 characters>省/市" (province, city) and "<2–4 characters>区/县/市/旗" (district),
# whose name part holds none of those characters (so 区城市管理局 is not read as "区城市" + …);
# else a bare leading 区 or 县, the short form the district's own offices use (区商务局).
_ADMIN = "省市区县旗"
_PROVINCE_CITY = re.compile(rf"^(?:[^{_ADMIN}\W\d]{{2,4}}省)?(?:[^{_ADMIN}\W\d]{{2,4}}市)?")
_DISTRICT = re.compile(rf"^[^{_ADMIN}\W\d]{{2,4}}?[区县市旗]")
_SHORT = re.compile(r"^[区县](?=\w{2})")
_SEAL = re.compile(r"[(（]?(?:盖章|公章|印章|章)[)）]?$")
_LABEL = re.compile(r"^单位名称[:：]?")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_EMAIL_SPLIT = re.compile(r"[;,；，、\s]+")


def clean_name(name: str) -> str:
    """The name as written, without the label, spaces of any kind, and full-width forms."""
    text = normalize_text(name)
    text = _LABEL.sub("", text)
    return _SEAL.sub("", text)


def name_key(name: str) -> str:
    """The key two spellings of one department share: cleaned, district prefix removed."""
    text = clean_name(name)
    rest = _PROVINCE_CITY.sub("", text, count=1)
    stripped = _DISTRICT.sub("", rest, count=1)
    if stripped == rest:
        stripped = _SHORT.sub("", rest, count=1)
    return (stripped if len(stripped) >= 2 else text).lower()


def split_emails(text: str) -> list[str]:
    """The addresses in a roster cell (several may be separated by ; , 、 or spaces), with
    full-width forms made half-width (＠ to @)."""
    return [part for part in _EMAIL_SPLIT.split(unicodedata.normalize("NFKC", text)) if part]


def is_email(address: str) -> bool:
    """A plausible address: local@domain.tld, ASCII, no spaces."""
    return bool(_EMAIL.match(address)) and len(address) <= 254


def email_key(address: str) -> str:
    """Addresses compare case-insensitively."""
    return address.strip().lower()
