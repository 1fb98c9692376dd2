"""The Vega runtime shipped inside the package: Vega, Vega-Lite and Vega-Embed in one script,
served by each site from ``assets/vega-runtime.js`` so that a briefing needs no CDN.

It is built once, when the package is built or installed (``setup.py`` runs :func:`write` from
its ``build_py`` step, into the wheel or, for an editable install, into this folder), not on a
user's first build: ``vl_convert.javascript_bundle()`` takes about a second and 126 MiB. Its
first line names the bundled versions (:func:`marker`), and a site whose copy starts with the
same line keeps it.

This module imports only the standard library and vl-convert, so that ``setup.py`` can load it
by path in a build environment that has nothing else. To write it by hand::

    python -m reportgen.site.vega_runtime        # or: make vega-runtime
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

#: The file, beside this module in the installed package and under ``assets/`` in a site.
RUNTIME_FILE = "vega-runtime.js"


def marker() -> bytes:
    """The runtime's first line: the library versions the installed vl-convert bundles."""
    import vl_convert

    vl = vl_convert.get_vegalite_versions()[-1]
    return (
        f"/* reportgen vega-runtime: vega {vl_convert.get_vega_version()}, vega-lite {vl}, "
        f"vega-embed {vl_convert.get_vega_embed_version()} */\n"
    ).encode()


def bundle() -> bytes:
    """The whole runtime: :func:`marker` then vl-convert's bundle of Vega-Embed."""
    import vl_convert

    js = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # the snippet is optional
    return marker() + js.encode("utf-8")


def packaged_path() -> Path:
    """Where the packaged runtime is (it may be absent in a source checkout never installed)."""
    return Path(__file__).with_name(RUNTIME_FILE)


def write(target: Path) -> Path:
    """Write the runtime to ``target`` atomically (a temporary file renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    data = bundle()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    return target


if __name__ == "__main__":
    written = write(Path(sys.argv[1]) if len(sys.argv) > 1 else packaged_path())
    print(f"wrote {written} ({written.stat().st_size:,} bytes)")
