"""What every action of the domain shares: how it refuses, who acts, what happens after the commit.

An action is one function per state change, keyword-only, with the actor named: ``decide_orientation(orientation,
*, by, pathway_type, ...)``. ``by`` is the membership the professional acts through (user + structure), or
``SYSTEM`` for trusted code that acts on its own (a command, a daily task, an import run by a coordinator is still
``by=membership``). The action checks the access rule itself — a view that forgets a check opens no hole —, locks
what it changes, writes the change history (``save()`` on tracked models, never ``.update()``) and the carnet's
timeline, and hands messages to ``after_commit`` so that nothing is sent for a change that was rolled back.
"""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction


class ActionError(Exception):
    """An action refused, with a French message for the user (shown next to the form, nothing typed lost)."""


class Forbidden(ActionError, PermissionDenied):
    """The actor may not do this. Views answer 403 (or 404 where existence itself is need-to-know)."""


class Conflict(ActionError):
    """Someone else changed the object meanwhile: nothing is overwritten, the user is told who and what."""


class _System:
    """The actor of trusted code with no professional behind it (daily task, demo seed, command)."""

    user = None
    user_id = None
    structure = None
    structure_id = None

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()

FORBIDDEN = "Vous n'avez pas accès à cette action pour la structure pour laquelle vous agissez."


def require(allowed, message=FORBIDDEN):
    """Refuse the action unless ``allowed``: the action's own access check."""
    if not allowed:
        raise Forbidden(message)


def require_actor(by):
    """A professional acting through an active membership, or ``SYSTEM``: never an anonymous or absent actor."""
    require(by is SYSTEM or (by is not None and getattr(by, "pk", None) is not None and by.is_active))


def after_commit(function, *args, **kwargs):
    """Run ``function`` once the current transaction commits (at once outside a transaction); never on rollback."""
    transaction.on_commit(partial(function, *args, **kwargs))
