"""Text messages to people, through a pluggable backend, for any app (a domain module imports it from below).

The backend is chosen by ``RELAIS_SMS_BACKEND`` (dotted path to a class with ``send(phone, text)``); in
development the console backend prints the message to the standard output, never the number.
"""

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "relais.sms.ConsoleSmsBackend"


class ConsoleSmsBackend:
    """Development: the text is printed, the number is not (no personal data in logs)."""

    sent = []

    def send(self, phone, text):
        type(self).sent.append((phone, text))
        print(f"[SMS] {text}", flush=True)


class SilentSmsBackend:
    """Nothing is sent nor printed: the demo seed's messages to fictional people."""

    def send(self, phone, text):
        return None


def sms_backend():
    return import_string(getattr(settings, "RELAIS_SMS_BACKEND", DEFAULT_BACKEND))()


def can_receive_sms(phone):
    """A mobile number (or one that may be): a landline never gets the text."""
    if not phone:
        return False
    try:
        number = phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def send_sms(phone, text):
    """One text to one number, through the configured backend."""
    sms_backend().send(phone, text)
