"""The briefing in a real browser: headless Chromium loads the built site from ``file://``, with
no console errors, no failed resource, and every chart drawn by Vega.

Chromium is driven through the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages
separated by NUL on file descriptors 3 and 4), so no port is opened and no websocket library is
needed. The tests skip cleanly when Chromium is not installed (set ``CHROMIUM`` to point at it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.config import load_settings
from reportgen.pipeline import BuildOptions, BuildResult, build

pytestmark = pytest.mark.browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--mute-audio",
    "--remote-debugging-pipe",
]
CHART_TIMEOUT_S = 30.0


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
        "/usr/bin/chromium",
    ):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


class BrowserError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium and one page, spoken to with the DevTools protocol over a pipe."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="reportgen-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_fds() -> None:  # runs in the child before exec: fd 3 reads, fd 4 writes
            # Through fds >= 10 first: the pipe ends may themselves be 3 or 4, and os.dup2
            # onto itself would keep them close-on-exec.
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3, inheritable=True)
            os.dup2(high_w, 4, inheritable=True)

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # close_fds would close the dup2'd 3 and 4 after preexec_fn; Python's own fds are
            # non-inheritable (PEP 446), so nothing else leaks into the browser.
            preexec_fn=wire_fds,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    # -- protocol ------------------------------------------------------------------------------
    def send(
        self, method: str, params: dict[str, Any] | None = None, timeout: float = 30.0
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session is not None and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the DevTools pipe: " + self._stderr_tail())
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _stderr_tail(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return "(still running)"
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    # -- page ----------------------------------------------------------------------------------
    def open_page(self) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"})
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def load(self, path: Path) -> None:
        self.events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluating {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def drain(self, seconds: float) -> None:
        """Collect the events that arrive within ``seconds`` (late console errors)."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except BrowserError:
            pass

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and failed loads seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(
                    "exception: "
                    + str(details.get("exception", {}).get("description") or details.get("text"))
                )
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(
                    "console.error: "
                    + " ".join(
                        str(a.get("value", a.get("description", "")))
                        for a in params.get("args", [])
                    )
                )
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.session = None
                    self.send("Browser.close", timeout=5)
                except (BrowserError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self._to_browser, self._from_browser):
                with contextlib.suppress(OSError):
                    os.close(fd)
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)


# Reports each Vega container and whether it holds a drawing (SVG or canvas) or the fallback.
CHARTS_JS = """
(() => Array.from(document.querySelectorAll('.vega')).map(el => ({
  id: el.id,
  drawn: !!el.querySelector('svg, canvas'),
  marks: el.querySelectorAll('svg .mark-line path, svg .mark-rect path, svg path, canvas').length,
  failed: !!el.querySelector('.chart-fallback:not(noscript *)'),
})))()
"""


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (set CHROMIUM to its path)")
    chromium = Chromium(executable)
    try:
        chromium.open_page()
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Two weeks built from the bundled sample with the real analysis and templates."""
    out = tmp_path_factory.mktemp("browser") / "site"
    settings = load_settings({"db_path": out.parent / "unused.sqlite", "output_dir": out}, env={})
    now = datetime(2026, 9, 4, 6, 0, tzinfo=UTC)
    first = build(settings, BuildOptions(sample=True, formats=("html", "json")), now=now)
    previous = first.as_of.toordinal() - 7
    build(
        settings,
        BuildOptions(
            sample=True, formats=("html", "json"), as_of=first.as_of.fromordinal(previous)
        ),
        now=now,
    )
    return first


def charts_drawn(browser: Chromium, expected: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + CHART_TIMEOUT_S
    while True:
        charts = browser.evaluate(CHARTS_JS)
        settled = all(c["drawn"] or c["failed"] for c in charts)
        if (len(charts) >= expected and settled) or time.monotonic() > deadline:
            return charts
        time.sleep(0.1)


# -- tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["briefing", "index"])
def test_every_chart_draws_without_console_errors(
    browser: Chromium, site: BuildResult, page: str
) -> None:
    path = site.week_dir / "briefing.html" if page == "briefing" else site.out_dir / "index.html"
    expected = len(site.brief["charts"])
    assert expected > 0
    browser.load(path)
    charts = charts_drawn(browser, expected)
    browser.drain(0.5)
    assert browser.problems() == []
    assert len(charts) == expected, charts
    not_drawn = [c["id"] for c in charts if not c["drawn"] or c["failed"]]
    assert not_drawn == []
    assert all(c["marks"] > 0 for c in charts), charts


def test_past_week_and_archive_load_without_errors(browser: Chromium, site: BuildResult) -> None:
    past = sorted((site.out_dir / "briefings").iterdir())[0]
    browser.load(past / "briefing.html")
    charts = charts_drawn(browser, 1)
    assert charts and all(c["drawn"] for c in charts)
    browser.load(site.out_dir / "archive.html")
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('table.archive a')).map(a => a.getAttribute('href'))"
    )
    browser.drain(0.3)
    assert browser.problems() == []
    assert f"briefings/{past.name}/briefing.html" in links


def test_a_broken_page_is_caught(browser: Chromium, tmp_path: Path) -> None:
    """The harness itself notices errors (so a passing test means something)."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><script src="missing.js"></script></head>'
        '<body><script>console.error("boom"); undefinedFunction();</script>'
        "</body></html>"
    )
    browser.load(page)
    browser.drain(0.3)
    problems = browser.problems()
    assert any("boom" in p for p in problems)
    assert any("undefinedFunction" in p for p in problems)
    assert any("missing.js" in p or "ERR_FILE_NOT_FOUND" in p for p in problems)


# Every chart label that a Vega SVG draws outside its own box (clipped by the page or the
# next element), and whether the page itself scrolls sideways (wide tables scroll inside
# their wrappers instead). Labels drawn at opacity 0 (the layout for the other width) are not
# shown and so not counted.
LAYOUT_JS = """
(() => {
  const hidden = el => { for (; el && el.tagName !== 'svg'; el = el.parentElement) {
      if (el.getAttribute('opacity') === '0') return true; } return false; };
  const clipped = [];
  document.querySelectorAll('.vega svg').forEach(svg => {
    const box = svg.getBoundingClientRect();
    svg.querySelectorAll('text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0 || hidden(t)) return;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
          || r.bottom > box.bottom + 1) {
        clipped.push(svg.closest('.vega').id + ': ' + t.textContent);
      }
    });
  });
  return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
          clipped: clipped};
})()
"""


@pytest.mark.parametrize("width", [390, 1366])
def test_no_chart_label_is_clipped_and_the_page_never_scrolls_sideways(
    browser: Chromium, site: BuildResult, width: int
) -> None:
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    try:
        browser.load(site.week_dir / "briefing.html")
        charts = charts_drawn(browser, len(site.brief["charts"]))
        assert charts and all(c["drawn"] for c in charts)
        layout = browser.evaluate(LAYOUT_JS)
    finally:
        browser.send("Emulation.clearDeviceMetricsOverride")
    assert layout["page"] <= layout["viewport"], layout
    assert layout["clipped"] == []
