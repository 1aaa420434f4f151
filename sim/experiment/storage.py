"""Writing results so that a file that exists is complete: one rename, never half a file.

Every results file (runs, batches, manifests, indices, posteriors, charts) is written through
:func:`atomic`, so an interrupted sweep or calibration leaves only complete files and resumes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Files are created private by mkstemp; give them the mode any other new file would get.
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic(path: Path) -> Iterator[str]:
    """Yield a temporary path beside ``path``; once written, it becomes ``path`` in one rename
    with the usual permissions. On any error (Ctrl-C included) it is removed: a file that
    exists is complete, and nothing half-written is left behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
