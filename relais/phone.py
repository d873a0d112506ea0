"""French phone numbers: validated and stored in E.164, shown as « 01 23 45 67 89 »."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError


def normalise_phone(value):
    """Return the number in E.164 (``+33123456789``), or raise a French ValidationError. Empty stays empty."""
    value = (value or "").strip()
    if not value:
        return ""
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
