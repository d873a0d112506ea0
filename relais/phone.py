"""French phone numbers: validated and stored in E.164, shown as « 01 23 45 67 89 »."""

import functools
import re

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError

# A French number written nationally, its pairs of digits maybe apart: « 06 12 34 56 78 », « 01.23.45.67.89 ».
_NATIONAL = re.compile(r"0([1-9](?:[ .-]?\d{2}){4})")
# The same number as stored (E.164), as files exported from Relais or another tool give it back.
_E164 = re.compile(r"\+33([1-9]\d{8})")


@functools.lru_cache(maxsize=10_000)
def _valid_national_start(start):
    """Whether French numbers beginning with these five digits (after the 0) are valid: the numbering plan's
    patterns tell numbers apart by their first five digits at most, then any digits follow."""
    return phonenumbers.is_valid_number(phonenumbers.parse(f"0{start}0000", "FR"))


def normalise_phone(value):
    """Return the number in E.164 (``+33123456789``), or raise a French ValidationError. Empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
    # The common case (an import reads thousands), decided without parsing each number.
    national = _NATIONAL.fullmatch(value)
    if national:
        digits = re.sub(r"[ .-]", "", national.group(1))
        if _valid_national_start(digits[:5]):
            return f"+33{digits}"
        raise ValidationError("Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89.")
    stored = _E164.fullmatch(value)
    if stored and _valid_national_start(stored.group(1)[:5]):
        return value
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        raise ValidationError("Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value):
    """National format for French numbers, international format for others."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneInput(forms.TextInput):
    """A phone field that shows a stored number as it is written in France (« 06 12 34 56 78 »), not in E.164."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "tel", **(attrs or {})})

    def format_value(self, value):
        return format_phone(value) if value and str(value).startswith("+") else super().format_value(value)
