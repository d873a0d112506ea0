"""Who is acting, for which structure: set per request by the middleware, per command by ``acting_as``."""

import contextvars
from contextlib import contextmanager

_actor = contextvars.ContextVar("relais_actor", default=None)


def current_actor():
    """(user, structure) acting now; (None, None) for the system. Resolved only when asked."""
    resolve = _actor.get()
    return resolve() if resolve else (None, None)


@contextmanager
def acting_as(user=None, structure=None, *, resolve=None):
    """Make ``user`` acting for ``structure`` (or what ``resolve()`` returns) the actor within the block."""
    token = _actor.set(resolve or (lambda: (user, structure)))
    try:
        yield
    finally:
        _actor.reset(token)
