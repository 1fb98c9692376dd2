"""The one writer of the static site: nothing outside the output folder, nothing half-written.

Layout of the output folder (every link in it is relative, so the folder works from ``file://``,
a sub-path of GitHub Pages or any static host)::

    output/
      index.html                      the latest briefing (rendered for the site root)
      archive.html                    every week present, newest first
      feed.xml                        Atom feed, one entry per week
      assets/vega-runtime.js          Vega + Vega-Lite + Vega-Embed, written once per version
      assets/*.css                    the stylesheets the briefing templates link
      briefings/YYYY-MM-DD/
        briefing.html  briefing.pdf  brief.json  data/<chart>.csv

How a week is published (see :meth:`Site.publish`):

1. A lock on the output folder itself (no lock file) serialises builds that share it.
2. The week is written in full into a staging folder *beside* the output folder (same file
   system, so the final move is a rename). A failure here leaves the site untouched.
3. Shared assets are written file by file, each through a temporary file and ``os.replace``.
4. The staged week is renamed into ``briefings/``; a rebuilt week replaces its old folder, which
   is removed only after the new one is in place. Other weeks are never touched or deleted.
5. ``index.html``, ``archive.html`` and ``feed.xml`` are regenerated from the briefings present
   (their ``brief.json``), each replaced atomically.

Every path goes through :func:`safe_join` (after pelican's ``sanitised_join``), which refuses
absolute paths, ``..`` and symlinks that would lead outside the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from reportgen import __version__
from reportgen.errors import RenderError
from reportgen.files import DIR_MODE
from reportgen.files import write_atomically as _atomic_write
from reportgen.formatting import phase_title

BRIEFINGS_DIR = "briefings"
ASSETS_DIR = "assets"
BRIEFING_HTML = "briefing.html"
BRIEFING_PDF = "briefing.pdf"
BRIEF_JSON = "brief.json"
DATA_DIR = "data"
INDEX_HTML = "index.html"
ARCHIVE_HTML = "archive.html"
FEED_XML = "feed.xml"
#: Written into the output folder on the first publish: only a folder holding it (or an older
#: reportgen site, adopted) is ever written into, so a user's own folder is never overwritten.
SITE_MARKER = ".reportgen-site"
_STAGED_OK = ".staged-complete"  # in a staging folder: every file of the week is written

#: Called with the name of each publish step as it completes (tests kill the process there).
#: Steps: staged, assets, old-moved-aside, new-in-place, old-removed, index, archive, feed.
step_hook: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if step_hook is not None:
        step_hook(name)

_WEEK_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The temporary files of write_atomically (``mkstemp``: 8 random characters).
_TEMP_RE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HEAD_RE = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
_MARKER_RE = re.compile(r'<meta name="reportgen-week" content="(\d{4}-\d{2}-\d{2})">')


def safe_join(root: str | os.PathLike[str], *parts: str | os.PathLike[str]) -> Path:
    """``root / parts``, refusing any result outside ``root`` and any symlink below it.

    Absolute parts and ``..`` segments raise :class:`RenderError` instead of writing somewhere
    unexpected (pelican's ``sanitised_join``). Below the root no path component may be a
    symlink, not even one that points back inside: a link placed in the site is never followed,
    so no write can land on its target. The root itself may be a link (a user's choice).

    Example
    -------
    >>> safe_join("/srv/site", "briefings/2025-12-18/brief.json")
    PosixPath('/srv/site/briefings/2025-12-18/brief.json')
    >>> safe_join("/srv/site", "../etc/passwd")
    Traceback (most recent call last):
    reportgen.errors.RenderError: refusing to write '../etc/passwd' outside the output folder ...
    """
    base = os.path.realpath(root)
    shown = "/".join(os.fspath(p) for p in parts)
    joined = os.path.normpath(os.path.join(base, *(os.fspath(p) for p in parts)))
    if joined == base or os.path.commonpath([base, joined]) != base:
        raise RenderError(
            f"refusing to write {shown!r} outside the output folder {base}; "
            "chart and file names must be plain relative names"
        )
    current = base
    for segment in os.path.relpath(joined, base).split(os.sep):
        current = os.path.join(current, segment)
        if os.path.islink(current):
            raise RenderError(
                f"refusing to write {shown!r}: {current} is a symbolic link, and links inside "
                "the output folder are never followed; remove the link and build again"
            )
    return Path(joined)


class SiteWriter:
    """Writes files under one root, each atomically, each at most once per build.

    Example
    -------
    >>> writer = SiteWriter(Path("/tmp/staging"))
    >>> writer.write_text("briefings/2025-12-18/brief.json", "{}")
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.written: list[Path] = []

    def path(self, relative: str) -> Path:
        return safe_join(self.root, relative)

    def write_text(self, relative: str, text: str) -> Path:
        return self.write_bytes(relative, text.encode("utf-8"))

    def write_bytes(self, relative: str, data: bytes) -> Path:
        """Write ``data`` to ``root/relative`` through a temporary file and ``os.replace``."""
        target = self.path(relative)
        if target in self.written:
            raise RenderError(f"{relative} would be written twice in one build (a naming clash)")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, data)
        except OSError as exc:
            raise RenderError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self.written.append(target)
        return target


# -- what a build hands to the site ------------------------------------------------------------
@dataclass(frozen=True)
class WeekFiles:
    """Everything one week's briefing consists of, produced in memory before anything is written.

    ``html`` is the briefing rendered for ``briefings/DATE/`` (assets at ``../../assets/``,
    CSVs at ``data/``); ``index_html`` is the same briefing rendered for the site root, used as
    ``index.html`` when this week is the latest. ``brief`` is always written: the archive and
    the feed are built from the ``brief.json`` files present.
    """

    as_of: date
    brief: Mapping[str, Any]
    html: str | None = None
    index_html: str | None = None
    pdf: bytes | None = None
    csvs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Asset:
    """A shared file under ``assets/``. ``version`` lets an expensive asset be written once:
    when the file present starts with ``marker`` it is kept, otherwise ``produce()`` is called."""

    name: str
    produce: Callable[[], bytes]
    marker: bytes | None = None


@dataclass(frozen=True)
class BriefingEntry:
    """One week present in the site, as read back from its folder."""

    as_of: date
    folder: str  # relative to the site root, e.g. "briefings/2025-12-18"
    brief: Mapping[str, Any] | None
    has_html: bool
    has_pdf: bool
    has_json: bool

    @property
    def href(self) -> str:
        """The week's main document, relative to the site root."""
        if self.has_html:
            return f"{self.folder}/{BRIEFING_HTML}"
        if self.has_pdf:
            return f"{self.folder}/{BRIEFING_PDF}"
        return f"{self.folder}/{BRIEF_JSON}"


@dataclass(frozen=True)
class PublishResult:
    root: Path
    week_dir: Path
    files: tuple[Path, ...]  # every file written (week files, assets, index, archive, feed)
    replaced: bool  # the week existed before and was rebuilt
    weeks: tuple[date, ...]  # every week present after publishing
    index_week: date | None  # the week index.html shows


# -- the site ------------------------------------------------------------------------------------
class Site:
    """The output folder of ``reportgen build``.

    Example
    -------
    >>> site = Site(Path("output"), title="Fed liquidity briefing")
    >>> site.previous_brief(date(2025, 12, 18))       # brief.json of the latest earlier week
    >>> site.publish(WeekFiles(date(2025, 12, 18), brief, html=..., pdf=...))
    """

    def __init__(self, root: Path, *, title: str = "Fed liquidity briefing",
                 base_url: str | None = None, feed_entries: int = 52) -> None:
        self.root = Path(root)
        self.title = title
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.feed_entries = feed_entries

    # -- reading what is there ---------------------------------------------------------------
    def briefings(self) -> list[BriefingEntry]:
        """Every week present under ``briefings/`` (oldest first). Unreadable JSON is skipped
        for the metadata but the week is still listed."""
        folder = self.root / BRIEFINGS_DIR
        if not folder.is_dir():
            return []
        entries = []
        for child in sorted(folder.iterdir()):
            if child.is_symlink() or not (child.is_dir() and _WEEK_RE.match(child.name)):
                continue
            try:
                as_of = date.fromisoformat(child.name)
            except ValueError:
                continue
            brief = _read_json(child / BRIEF_JSON)
            entries.append(BriefingEntry(
                as_of, f"{BRIEFINGS_DIR}/{child.name}", brief,
                (child / BRIEFING_HTML).is_file(), (child / BRIEFING_PDF).is_file(),
                (child / BRIEF_JSON).is_file(),
            ))
        return entries

    def previous_brief(self, as_of: date) -> dict[str, Any] | None:
        """``brief.json`` of the latest week strictly before ``as_of`` (None when there is none)."""
        for entry in reversed(self.briefings()):
            if entry.as_of < as_of and entry.brief is not None:
                return dict(entry.brief)
        return None

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, week: WeekFiles, assets: tuple[Asset, ...] = ()) -> PublishResult:
        """Write ``week`` into the site atomically and regenerate index, archive and feed.

        Raises :class:`RenderError` when anything cannot be written; the site is then left as it
        was (or, if the failure comes after the week is in place, with every file complete).
        """
        self._check_root()
        with self._lock():
            self._check_is_site()
            self._check_links(week, assets)
            try:
                self._recover()
            except OSError as exc:
                raise RenderError(f"cannot recover the interrupted build left in {self.root}: "
                                  f"{exc}; move the folder's .staging-* and .*.replaced-* "
                                  "folders aside by hand") from exc
            staging = Path(os.path.realpath(tempfile.mkdtemp(
                prefix=f".{self.root.name}.staging-", dir=self.root.parent)))
            try:
                stage = SiteWriter(staging)
                relative_week = f"{BRIEFINGS_DIR}/{week.as_of.isoformat()}"
                self._stage_week(stage, relative_week, week)
                stage.write_text(_STAGED_OK, relative_week + "\n")
                _step("staged")
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise RenderError(f"cannot create the output folder {self.root}: {exc}") \
                        from exc
                live = SiteWriter(self.root)
                if not os.path.lexists(self.root / SITE_MARKER):
                    live.write_text(SITE_MARKER, f"reportgen {__version__} site\n")
                for asset in assets:
                    self._write_asset(live, asset)
                _step("assets")
                week_dir, replaced = self._move_week_into_place(staging / relative_week,
                                                                relative_week)
                moved = [week_dir / p.relative_to(staging / relative_week) for p in stage.written
                         if p.name != _STAGED_OK]
                entries = self.briefings()
                index_week = self._write_index(live, entries, week)
                _step("index")
                live.write_text(ARCHIVE_HTML, self.render_archive(entries))
                _step("archive")
                live.write_text(FEED_XML, self.render_feed(entries))
                _step("feed")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return PublishResult(self.root, week_dir, (*moved, *live.written), replaced,
                             tuple(e.as_of for e in entries), index_week)

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise RenderError(f"the output path {self.root} exists and is not a folder; "
                              "pass --out with a folder")
        if not self.root.parent.is_dir():
            try:
                self.root.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise RenderError(f"cannot create {self.root.parent}: {exc}") from exc

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        # The output folder itself is locked (flock on its descriptor): no lock file is left in
        # the working folder or beside --out, and the folder is deployed as is.
        created = not self.root.exists()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root, os.O_RDONLY)
        except OSError as exc:
            raise RenderError(f"cannot open the output folder {self.root}: {exc}") from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RenderError(
                    f"another build is writing {self.root}; "
                    "wait for it to finish and run the build again"
                ) from exc
            try:
                yield
            finally:
                if created and not any(self.root.iterdir()):
                    self.root.rmdir()  # a first build that failed leaves no empty folder
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def is_site(self) -> bool:
        """True when the folder is a reportgen site: it holds the marker, or it has the layout
        of one written before the marker existed (a ``briefings/DATE/brief.json`` or an
        ``index.html`` naming its week), which is then adopted."""
        if os.path.lexists(self.root / SITE_MARKER):
            return True
        index = self.root / INDEX_HTML
        if index.is_file() and not index.is_symlink():
            with contextlib.suppress(OSError, UnicodeDecodeError):
                if index_week(index.read_text("utf-8")) is not None:
                    return True
        return any(e.has_json for e in self.briefings())

    def _check_is_site(self) -> None:
        # Hidden entries alone (.git, .nojekyll of a Pages checkout) leave a folder "empty".
        if not self.root.is_dir() or all(p.name.startswith(".") for p in self.root.iterdir()):
            return  # a new or empty folder becomes a site
        if not self.is_site():
            here = os.path.realpath(self.root) == os.path.realpath(os.getcwd())
            raise RenderError(
                f"refusing to publish into {self.root}"
                f"{' (the working folder: was --out or output_dir empty?)' if here else ''}: "
                f"the folder is not empty and is not a reportgen site (no {SITE_MARKER} file, "
                "no briefings/DATE/brief.json); its index.html, feed.xml and assets/ would be "
                "overwritten. Pass --out with a new or empty folder, or set output_dir in "
                "reportgen.toml"
            )

    def _check_links(self, week: WeekFiles, assets: tuple[Asset, ...]) -> None:
        """Refuse, before anything is written, a site where a path the build replaces is a
        symbolic link: writing through it would change a file outside the site, and replacing
        it halfway through would leave the site half-published."""
        names = [INDEX_HTML, ARCHIVE_HTML, FEED_XML, ASSETS_DIR, BRIEFINGS_DIR,
                 f"{BRIEFINGS_DIR}/{week.as_of.isoformat()}",
                 *(f"{ASSETS_DIR}/{asset.name}" for asset in assets)]
        for name in names:
            path = self.root / name
            if path.is_symlink():
                raise RenderError(
                    f"refusing to publish into {self.root}: {name} is a symbolic link (to "
                    f"{os.readlink(path)}), and links inside the site are never followed or "
                    "replaced. Remove the link (copy what it points to in its place if you "
                    "need it) and build again")

    def _recover(self) -> None:
        """Finish or undo what a killed build left (we hold the lock), never losing a week.

        A build killed between moving the old copy of a week aside and moving the new one in
        leaves the week missing: it is put back from the complete staged copy if there is one,
        else from the old copy. Only then are staging folders and old copies removed, and the
        temporary file of a shared file (index, archive, feed, an asset) killed mid-write.
        """
        briefings = self.root / BRIEFINGS_DIR
        stagings = sorted(self.root.parent.glob(f".{self.root.name}.staging-*"))
        for staging in stagings:
            done = staging / _STAGED_OK
            if not done.is_file() or staging.is_symlink():
                continue
            relative = done.read_text("utf-8").strip()
            if not (relative.startswith(f"{BRIEFINGS_DIR}/") and
                    _WEEK_RE.match(relative.rpartition("/")[2])):
                continue
            target = briefings / relative.rpartition("/")[2]
            staged = staging / relative
            if not os.path.lexists(target) and staged.is_dir():
                briefings.mkdir(parents=True, exist_ok=True)
                os.rename(staged, target)
        if briefings.is_dir():
            for old in sorted(briefings.glob(".*.replaced-*")):
                name = old.name[1:].partition(".replaced-")[0]
                target = briefings / name
                if _WEEK_RE.match(name) and not os.path.lexists(target) and old.is_dir():
                    os.rename(old, target)
                else:
                    shutil.rmtree(old, ignore_errors=True)
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)
        # A file a killed build was writing: its temporary copy, never renamed into place.
        for folder in (self.root, self.root / ASSETS_DIR):
            if folder.is_dir() and not folder.is_symlink():
                for stray in folder.iterdir():
                    if _TEMP_RE.match(stray.name) and stray.is_file() and not stray.is_symlink():
                        stray.unlink()

    def _stage_week(self, stage: SiteWriter, folder: str, week: WeekFiles) -> None:
        stage.write_text(f"{folder}/{BRIEF_JSON}", dump_json(week.brief))
        if week.html is not None:
            stage.write_text(f"{folder}/{BRIEFING_HTML}", week.html)
        if week.pdf is not None:
            stage.write_bytes(f"{folder}/{BRIEFING_PDF}", week.pdf)
        for name, text in week.csvs.items():
            if not _NAME_RE.match(name):
                raise RenderError(f"chart name {name!r} is not a plain file name")
            stage.write_text(f"{folder}/{DATA_DIR}/{name}.csv", text)
        os.chmod(stage.path(folder), DIR_MODE)  # mkdtemp's 0700 must not reach the site

    def _write_asset(self, live: SiteWriter, asset: Asset) -> None:
        relative = f"{ASSETS_DIR}/{asset.name}"
        target = live.path(relative)
        if asset.marker is not None and target.is_file():
            with open(target, "rb") as handle:
                if handle.read(len(asset.marker)) == asset.marker:
                    return
        data = asset.produce()
        if not target.is_file() or target.read_bytes() != data:
            live.write_bytes(relative, data)

    def _move_week_into_place(self, staged: Path, relative: str) -> tuple[Path, bool]:
        target = safe_join(self.root, relative)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.rename(staged, target)
                return target, False
            old = target.parent / f".{target.name}.replaced-{os.getpid()}"
            os.rename(target, old)
            _step("old-moved-aside")
            try:
                os.rename(staged, target)
            except OSError:
                os.rename(old, target)  # put the previous build of this week back
                raise
            _step("new-in-place")
            shutil.rmtree(old, ignore_errors=True)
            _step("old-removed")
            return target, True
        except OSError as exc:
            raise RenderError(f"cannot move the new briefing into {target}: {exc}") from exc

    # -- index, archive, feed ------------------------------------------------------------------
    def _write_index(self, live: SiteWriter, entries: list[BriefingEntry],
                     week: WeekFiles) -> date | None:
        """index.html shows the latest week that has an HTML briefing.

        When that is the week just built, its root rendering is used. Otherwise the current
        index is kept if it already shows that week, or derived from the week's briefing.html
        with a ``<base>`` element. Without any HTML briefing the index is the archive page.
        """
        with_html = [e for e in entries if e.has_html]
        if not with_html:
            live.write_text(INDEX_HTML, self.render_archive(entries, is_index=True))
            return None
        latest = with_html[-1]
        if latest.as_of == week.as_of and week.index_html is not None:
            live.write_text(INDEX_HTML, mark_week(week.index_html, latest.as_of))
            return latest.as_of
        index_path = live.path(INDEX_HTML)
        if index_path.is_file() and index_week(index_path.read_text("utf-8")) == latest.as_of:
            return latest.as_of
        html = safe_join(self.root, latest.folder, BRIEFING_HTML).read_text("utf-8")
        live.write_text(INDEX_HTML, mark_week(rebase_html(html, latest.folder + "/"),
                                              latest.as_of))
        return latest.as_of

    def render_archive(self, entries: list[BriefingEntry], is_index: bool = False) -> str:
        rows = [_entry_view(e, self.base_url) for e in reversed(entries)]
        return _site_env().get_template("archive.html").render(
            title=self.title, rows=rows, is_index=is_index, version=__version__,
        )

    def render_feed(self, entries: list[BriefingEntry]) -> str:
        rows = [_entry_view(e, self.base_url) for e in reversed(entries)][: self.feed_entries]
        updated = max((r["updated"] for r in rows), default="1970-01-01T00:00:00Z")
        return _site_env().get_template("feed.xml").render(
            title=self.title, rows=rows, updated=updated, base_url=self.base_url,
            feed_id=_tag_uri(self.base_url, "feed"), version=__version__,
        )


# -- helpers -------------------------------------------------------------------------------------
def dump_json(data: Mapping[str, Any]) -> str:
    """The canonical text of a JSON file in the site (stable key order, no NaN, final newline)."""
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise RenderError(f"brief.json cannot be serialised: {exc}") from exc


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def mark_week(html: str, week: date) -> str:
    """Insert ``<meta name="reportgen-week">`` after ``<head>`` so a later build can tell which
    week ``index.html`` shows."""
    meta = f'<meta name="reportgen-week" content="{week.isoformat()}">'
    match = _HEAD_RE.search(html)
    if match is None:
        return meta + "\n" + html
    return html[: match.end()] + "\n" + meta + html[match.end():]


def index_week(html: str) -> date | None:
    match = _MARKER_RE.search(html)
    return date.fromisoformat(match.group(1)) if match else None


def rebase_html(html: str, folder: str) -> str:
    """A briefing page written for ``folder`` made to work from the site root: a ``<base>``
    element resolves its relative links, and in-page anchors point at the briefing itself
    (with a base element, ``#x`` would resolve to the folder, not the page)."""
    base = f'<base href="{folder}">'
    html = html.replace('href="#', f'href="{BRIEFING_HTML}#')
    match = _HEAD_RE.search(html)
    if match is None:
        return base + "\n" + html
    return html[: match.end()] + "\n" + base + html[match.end():]


def _tag_uri(base_url: str | None, specific: str) -> str:
    """A stable Atom id (RFC 4151 tag URI); the authority is the site's host when known."""
    authority = "reportgen"
    if base_url:
        host = re.sub(r"^[a-z]+://", "", base_url).split("/")[0].split(":")[0]
        authority = host or authority
    return f"tag:{authority},2025:{specific}"


def _entry_view(entry: BriefingEntry, base_url: str | None) -> dict[str, Any]:
    """What the archive and feed templates show for one week (values only, no computation
    in templates)."""
    brief = entry.brief or {}
    phase = _mapping(brief.get("phase"))
    composite = _mapping(_mapping(brief.get("signals")).get("composite"))
    generated = str(brief.get("generated_at") or f"{entry.as_of.isoformat()}T00:00:00Z")
    headline = phase.get("headline")
    return {
        "as_of": entry.as_of.isoformat(),
        "folder": entry.folder,
        "href": entry.href,
        "html": f"{entry.folder}/{BRIEFING_HTML}" if entry.has_html else None,
        "pdf": f"{entry.folder}/{BRIEFING_PDF}" if entry.has_pdf else None,
        "json": f"{entry.folder}/{BRIEF_JSON}" if entry.has_json else None,
        "phase_label": _phase_label(phase),
        "phase": phase.get("phase"),
        "confidence": phase.get("confidence"),
        "stress": _stress(composite),
        "headline": str(headline) if headline else None,
        "updated": generated,
        "id": _tag_uri(base_url, f"briefing/{entry.as_of.isoformat()}"),
    }


def _phase_label(phase: Mapping[str, Any]) -> str:
    """``Phase 2: active bill purchases``, named as the briefing names it.

    Every brief.json reportgen has written (1.x and 2.x) holds the phase number and its label
    together; a 2.x brief whose phase could not be assessed has ``"phase": null`` (read here as
    an empty mapping), and so does an unreadable file.
    """
    number, label = phase.get("phase"), phase.get("label")
    if number is None or not label:
        return "assessment unavailable"
    return phase_title(number, str(label))


def _stress(composite: Mapping[str, Any]) -> str | None:
    """The composite's status with its score, e.g. ``elevated (42/100)``."""
    status = composite.get("status")
    if not status:
        return None
    value = composite.get("value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{status} ({value:.0f}/100)"
    return str(status)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


_ENV: jinja2.Environment | None = None


def templates_root() -> Path:
    """The folder holding the Jinja templates: ``reportgen/templates`` in an installed package,
    ``templates/`` at the top of a source checkout."""
    packaged = Path(__file__).resolve().parents[1] / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def _site_env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_root() / "site")),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _ENV
