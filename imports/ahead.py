"""Reading the next batch ahead, on the machine's other core, while the current one is written.

Writing a batch waits on the database most of its time, on one core; reading the next one (normalising its rows,
then finding in the matching index the candidates of each identity) needs the index as the current batch left it,
and nothing else. A copy of the process (``os.fork``: the index is shared, not copied, until either side changes a
page of it) reads the next batch while this one writes the current one, and hands back the rows and where their
candidates are held in the index (``Index.candidates(..., places=True)``): the places stay valid, the entries
written meanwhile keeping theirs. The copy never touches the database (its connections are made unusable first);
should it fail for any reason, the batch is read here as it would have been without it.
"""

import contextlib
import os
import pickle
import signal

from django.db import connections


class _Forbidden:
    """A database connection the copy must not use: a query raises, and the copy's work is thrown away."""

    def __getattr__(self, name):
        raise RuntimeError("La copie qui lit le lot suivant n'a pas accès à la base de données.")


def _forbid_database():
    """Make the inherited connections unusable, without closing them: closing would end the session the parent
    process still uses (the connection objects are kept, the copy leaves by ``os._exit`` without finalising them)."""
    kept = []
    for connection in connections.all(initialized_only=True):
        kept.append(connection.connection)
        connection.connection = _Forbidden()
    return kept


class Ahead:
    """The rows of ``cells`` ((line, cells) pairs) read by ``engine.prepare`` in a copy of the process."""

    def __init__(self, engine, cells):
        self.cells = cells
        self.pid = None
        self.reader = None
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the copy
            status = 1
            try:
                os.close(read)
                kept = _forbid_database()  # noqa: F841 (kept alive until the copy leaves)
                prepared = engine.prepare(cells)
                with os.fdopen(write, "wb") as out:
                    pickle.dump(prepared, out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            except BaseException:  # noqa: BLE001, S110 (whatever happens, the copy leaves; the parent reads the batch)
                pass
            finally:
                os._exit(status)
        os.close(write)
        self.pid, self.reader = pid, read

    def result(self):
        """What ``engine.prepare`` gave in the copy, or ``None`` when it could not (the caller reads the batch)."""
        if self.pid is None:
            return None
        try:
            with os.fdopen(self.reader, "rb") as source:
                data = source.read()
        finally:
            self.reader = None
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
        if status != 0 or not data:
            return None
        return pickle.loads(data)  # noqa: S301 (written by this process's own copy, through a pipe)

    def close(self):
        """Stop the copy if it still runs (the run stopped before it was read)."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        os.waitpid(self.pid, 0)
        self.pid = None
