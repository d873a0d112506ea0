"""The diagnostic in progress as a draft: what of a posted form is kept, how it fills the form again, and the
signed token that lets a submit arriving after the session expired be kept for its author.

The token names the author, their structure and the person; it only lets a draft be *written* for that author
(never read) and lasts a working day. Whoever logs in again as the author finds the draft.
"""

from django.core import signing
from django.http import QueryDict

TOKEN_FIELD = "brouillon_jeton"
TOKEN_SALT = "entry.diagnostic-draft"
TOKEN_MAX_AGE = 12 * 3600
FIELD_PREFIXES = ("q_", "level_", "situations_", "comment_")
MAX_FIELDS = 300
MAX_LENGTH = 2000


def draft_data(post):
    """The diagnostic's fields of a posted form, as lists of strings (nothing else: no token, no CSRF)."""
    data = {}
    for name in post:
        if len(data) >= MAX_FIELDS:
            break
        if "\x00" not in name and (name == "comments" or name.startswith(FIELD_PREFIXES)):
            values = [value[:MAX_LENGTH].replace("\x00", "") for value in post.getlist(name)[:50]]
            data[name[:100]] = values
    return data


def initial_from_draft(form, data):
    """The values of ``data`` for the fields ``form`` offers, read as its widgets read a POST."""
    posted = QueryDict(mutable=True)
    for name, values in data.items():
        if isinstance(values, list):
            posted.setlist(name, [str(value) for value in values])
    initial = {}
    for name, field in form.fields.items():
        if name in posted:
            initial[name] = field.widget.value_from_datadict(posted, {}, form.add_prefix(name))
        elif name.startswith("situations_"):
            initial[name] = []
    return initial


def issue_token(membership, person):
    return signing.dumps(
        {"u": membership.user_id, "s": membership.structure_id, "p": str(person.public_id)}, salt=TOKEN_SALT
    )


def read_token(token, person_public_id):
    """(user id, structure id) of a valid token for this person, None otherwise."""
    try:
        value = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("p") != str(person_public_id):
        return None
    return value.get("u"), value.get("s")
