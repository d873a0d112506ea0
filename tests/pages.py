"""Reading pages as a user does: the visible text, the error shown next to a field."""

import html
import re

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def _flatten(markup):
    return _SPACES.sub(" ", html.unescape(_TAGS.sub(" ", markup))).strip()


# What a page carries at random on every request: public identifiers (UUID), the CSRF token, the CSP nonce.
_RANDOM_IDS = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9]{32,}|nonce=\"[^\"]*\""
)


def without_random_ids(response):
    """The markup of the page without what is drawn at random for each request or object (UUIDs, tokens,
    nonces): a test that asserts some digits are absent (a birth year) cannot find them there by chance."""
    return _RANDOM_IDS.sub(" ", response.content.decode())


def text(response):
    """The text of the page, without tags, entities decoded and spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    return _flatten(body)


def field_error(response, field):
    """The error shown under a form field (DSFR puts it right after the input), or ""."""
    match = re.search(rf'<div id="id_{re.escape(field)}-desc-error">(.*?)</div>', response.content.decode(), re.DOTALL)
    return _flatten(match.group(1)) if match else ""


def input_value(response, field):
    """The value a text input of the page holds (what the user typed is kept)."""
    match = re.search(rf'<input[^>]*\bname="{re.escape(field)}"[^>]*>', response.content.decode())
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""
