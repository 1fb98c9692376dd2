"""The bundled sample, imported once: a prepared copy of its store in the user's cache.

Importing the sample's CSV files (parsing, checking, writing an in-memory store) takes about
0.2 s, and every ``--sample`` build and command did it again for the same files. The first
import writes the store's database image to ``<cache>/sample-<stamp>-<hash>.sqlite``; later
ones load that image into memory (a few milliseconds), so a command still gets a store of its
own that nothing else sees.

The stamp is a hash of the sample's files and of the code that decides what is stored (the
importers in ``reportgen/sources``, the store, the catalog): a changed file or importer never
reads an older copy. A copy's name ends with the hash of its bytes: one that is damaged, or
not a store, is imported again and replaced. A cache folder that cannot be written is not used
(the sample is then imported each time, as before). The cache folder is
``REPORTGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/reportgen``, else ``~/.cache/reportgen``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from reportgen.errors import StoreError
from reportgen.files import write_atomically
from reportgen.store import Store

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parents[1]
#: The code whose change makes a prepared copy stale.
_IMPORTER = ("store.py", "catalog.py", "sources", "sample")


def cache_dir() -> Path | None:
    """The folder of the prepared copies; None where there is no home folder to put it in."""
    given = os.environ.get("REPORTGEN_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no passwd entry
            return None
    return Path(base) / "reportgen"


def stamp(files: Sequence[Path]) -> str:
    """A hash of ``files`` (names and bytes, in import order) and of the importing code."""
    digest = hashlib.sha256()
    code = sorted(p for name in _IMPORTER for p in (
        (_PACKAGE / name).rglob("*.py") if (_PACKAGE / name).is_dir() else [_PACKAGE / name]))
    for path in [*files, *code]:
        data = path.read_bytes()
        digest.update(f"{path.name}:{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()[:24]


def _content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def read(files: Sequence[Path]) -> Store | None:
    """An in-memory store from the prepared copy of ``files``, or None when there is none
    that can be read. A copy's name ends with the hash of its bytes, so a damaged one is
    found and never read."""
    folder = cache_dir()
    if folder is None:
        return None
    for path in sorted(folder.glob(f"sample-{stamp(files)}-*.sqlite")):
        try:
            data = path.read_bytes()
            if path.stem.rsplit("-", 1)[-1] != _content_hash(data):
                raise StoreError("its bytes do not match the hash in its name")
            return Store.from_bytes(data, str(path))
        except (StoreError, OSError) as exc:
            log.info("the prepared sample %s cannot be read (%s); importing the sample", path,
                     exc)
    return None


def write(store: Store, files: Sequence[Path]) -> None:
    """Keep ``store`` (the sample just imported from ``files``) for the next import, written
    atomically; older copies are removed. Nothing happens where the cache folder cannot be
    written."""
    folder = cache_dir()
    if folder is None:
        return
    data = store.to_bytes()
    path = folder / f"sample-{stamp(files)}-{_content_hash(data)}.sqlite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        for old in folder.glob("sample-*.sqlite"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("the prepared sample cannot be kept in %s (%s)", folder, exc)
