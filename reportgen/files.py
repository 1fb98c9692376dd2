"""Files written whole or not at all: a temporary file beside the target, synced, then renamed
over it. A reader sees the old file or the new one, never a part; a symbolic link at the target
is replaced, never followed. Used by the site writer, ``data export`` and the prepared sample.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# Files are world-readable (mkstemp creates 0600), minus the user's umask; read once, here.
_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK
DIR_MODE = 0o777 & ~_UMASK


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data``. The temporary file is ``.<name>.<8 characters>.tmp``
    beside it, removed on any failure (the site writer also clears leftovers of a killed
    process by that pattern)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
