"""Normalisation of French text for search and matching."""

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SAINT = re.compile(r"\b(saint|ste|sainte|st)\b")


def fold(value):
    """Lowercase, strip accents, turn every separator (hyphen, apostrophe, space) into one space."""
    if not value:
        return ""
    if type(value) is str:
        return _fold(value)
    return _fold.__wrapped__(str(value))


# Names repeat (an import folds the same ones thousands of times): the last ones folded are kept, a bounded number.
@lru_cache(maxsize=32_768)
def _fold(value):
    if value.isascii():  # Most names: nothing to decompose (a fast path, same result).
        return _NON_ALNUM.sub(" ", value.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_LETTERS)
    return _NON_ALNUM.sub(" ", ascii_only.lower()).strip()


# Letters that carry no accent to strip, written as French keyboards write them (Yılmaz is typed Yilmaz, Weiß Weiss).
_LETTERS = str.maketrans(
    {
        **dict.fromkeys("œŒ", "oe"),
        **dict.fromkeys("æÆ", "ae"),
        "ı": "i",
        "ß": "ss",
        **dict.fromkeys("øØ", "o"),
        **dict.fromkeys("đĐðÐ", "d"),
        **dict.fromkeys("łŁ", "l"),
        **dict.fromkeys("þÞ", "th"),
    }
)


def place_key(value):
    """Search key of a place name: folded, with Saint/Sainte/St/Ste written one way."""
    return _SAINT.sub("st", fold(value))
