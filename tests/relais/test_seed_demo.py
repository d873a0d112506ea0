"""``make run`` loads the demo consortium: the command says what it loaded and prints the logins, not the
messages the demo's actions would send to fictional people."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from relais.sms import ConsoleSmsBackend

pytestmark = pytest.mark.django_db


def test_the_demo_prints_the_logins_and_sends_nothing(capsys):
    out = io.StringIO()
    ConsoleSmsBackend.sent.clear()

    call_command("seed_demo", stdout=out)

    lines = out.getvalue().splitlines()
    assert "coordination@demo.relais.test" in out.getvalue()
    assert len(lines) < 20
    assert mail.outbox == []
    assert ConsoleSmsBackend.sent == []
    assert "[SMS]" not in capsys.readouterr().out
