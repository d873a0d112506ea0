"""Text messages to people: a pluggable backend, the same for every app that tells a person something.

The backend is chosen by ``RELAIS_SMS_BACKEND`` (dotted path to a class with ``send(phone, text)``); in
development the console backend writes the message to the standard output, without the number.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class ConsoleSmsBackend:
    """Development: the text is printed, the number is not (no personal data in logs)."""

    sent = []

    def send(self, phone, text):
        type(self).sent.append((phone, text))
        print(f"[SMS] {text}")


def sms_backend():
    return import_string(getattr(settings, "RELAIS_SMS_BACKEND", "relais.sms.ConsoleSmsBackend"))()


def send_sms(phone, text):
    sms_backend().send(phone, text)
