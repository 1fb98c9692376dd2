"""Golden output: a two-week site built from the bundled sample must match tests/golden/.

After pelican's functional tests (``assertDirsEqual`` with a one-command refresh): build, normalise
the volatile bits, compare file by file, and show a unified diff of whatever changed.

Refresh after an intended change, then review the diff in git::

    make golden            # = pytest tests/test_golden.py --update-golden
    REPORTGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

Normalised: the reportgen version (generator fields, footers) and the build time. The embedded
Vega-Lite specs (about 250 kB of inline data per page) are replaced by one line per chart with
its marks, row count and a hash of the spec, so a changed chart still fails the test while the
golden files stay small; the chart data itself is compared through the CSV files.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.config import load_settings
from reportgen.pipeline import BuildOptions, build

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample-site"
NOW = datetime(2026, 9, 18, 6, 0, tzinfo=UTC)
WEEKS = (date(2026, 9, 10), date(2026, 9, 17))  # the second has "what changed" vs the first
# The latest week in full; the earlier one only for its brief.json (its page is the same
# template on other numbers). index.html is the latest page rendered for the site root: checked
# against briefing.html below rather than stored twice.
COMPARED = ("archive.html", "feed.xml", "briefings/*/brief.json",
            f"briefings/{WEEKS[-1]}/briefing.html", f"briefings/{WEEKS[-1]}/data/*.csv")

_SPECS = re.compile(r'(<script type="application/json" id="chart-specs">)(.*?)(</script>)', re.S)
_VERSION_PATTERNS = (
    (re.compile(r'("generator": \{\s*"name": "reportgen",\s*"version": )"[^"]*"'),
     r'\1"<VERSION>"'),
    (re.compile(r'<generator version="[^"]*">reportgen</generator>'),
     '<generator version="<VERSION>">reportgen</generator>'),
    (re.compile(r"reportgen \d+\.\d+\.\d+\S*"), "reportgen <VERSION>"),
)
_TIMESTAMP = re.compile(r"\b2026-09-18T06:00:00Z\b")  # NOW, wherever it is printed


def update_requested(config: pytest.Config) -> bool:
    try:
        flag = bool(config.getoption("--update-golden"))
    except ValueError:  # the option is registered in conftest.py; the variable always works
        flag = False
    return flag or os.environ.get("REPORTGEN_UPDATE_GOLDEN") == "1"


def _spec_summary(spec: dict[str, Any]) -> str:
    marks: list[str] = []
    rows = 0

    def walk(node: Any) -> None:
        nonlocal rows
        if isinstance(node, dict):
            mark = node.get("mark")
            if isinstance(mark, str | dict):
                marks.append(mark if isinstance(mark, str) else str(mark.get("type")))
            for key, value in node.items():
                if key == "datasets" and isinstance(value, dict):
                    rows += sum(len(v) for v in value.values() if isinstance(v, list))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    return f"marks={','.join(sorted(set(marks)))} rows={rows} sha256={digest}"


def normalise(name: str, text: str) -> str:
    for pattern, replacement in _VERSION_PATTERNS:
        text = pattern.sub(replacement, text)
    text = _TIMESTAMP.sub("<BUILD-TIME>", text)
    if name.endswith(".html"):
        def summarise(match: re.Match[str]) -> str:
            specs = json.loads(match.group(2))
            lines = [f"  {chart}: {_spec_summary(spec)}" for chart, spec in specs.items()]
            return match.group(1) + "\n<!-- specs:\n" + "\n".join(lines) + "\n-->\n" + \
                match.group(3)

        text = _SPECS.sub(summarise, text)
    return text


def collect(root: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for pattern in COMPARED:
        for path in sorted(root.glob(pattern)):
            name = path.relative_to(root).as_posix()
            found[name] = normalise(name, path.read_text("utf-8"))
    return found


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "site"
    settings = load_settings({"db_path": out.parent / "unused.sqlite", "output_dir": out,
                              "site_title": "reportgen golden test"}, env={})
    for week in WEEKS:
        build(settings, BuildOptions(sample=True, as_of=week, formats=("html", "json")), now=NOW)
    return out


def test_site_built_from_the_sample_matches_the_golden_files(built_site: Path,
                                                             request: pytest.FixtureRequest
                                                             ) -> None:
    actual = collect(built_site)
    if update_requested(request.config):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in actual.items():
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
        pytest.skip(f"golden files rewritten in {GOLDEN}; review them with git diff")
    if not GOLDEN.is_dir():
        pytest.fail("no golden files yet: run `make golden` and commit tests/golden/")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text("utf-8")
                for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    problems = []
    if set(actual) != set(expected):
        problems.append(f"files only in the build: {sorted(set(actual) - set(expected))}; "
                        f"only in golden: {sorted(set(expected) - set(actual))}")
    for name in sorted(set(actual) & set(expected)):
        if actual[name] != expected[name]:
            diff = difflib.unified_diff(expected[name].splitlines(), actual[name].splitlines(),
                                        f"golden/{name}", f"built/{name}", lineterm="", n=2)
            problems.append("\n".join(list(diff)[:80]))
    assert not problems, (
        "the built site differs from tests/golden (refresh with `make golden` if intended):\n\n"
        + "\n\n".join(problems))


def test_index_is_the_latest_briefing_rendered_for_the_site_root(built_site: Path) -> None:
    week = f"briefings/{WEEKS[-1]}"
    index = (built_site / "index.html").read_text("utf-8")
    page = (built_site / week / "briefing.html").read_text("utf-8")
    marker = f'<meta name="reportgen-week" content="{WEEKS[-1]}">\n'
    assert marker in index
    rebased = (index.replace(marker, "").replace('href="assets/', 'href="../../assets/')
               .replace('src="assets/', 'src="../../assets/')
               .replace(f'href="{week}/data/', 'href="data/'))
    assert rebased == page
    for link in re.findall(r'(?:href|src)="([^"#]+)"', index):
        assert not link.startswith(("/", "http:", "https:", "file:")), link
        assert (built_site / link).exists(), f"index.html links to a missing {link}"


def test_normalise_replaces_only_the_volatile_bits() -> None:
    text = ('{"generator": {\n    "name": "reportgen",\n    "version": "9.9.9"\n  }, '
            '"generated_at": "2026-09-18T06:00:00Z", "as_of": "2026-09-17"}')
    out = normalise("brief.json", text)
    assert '"version": "<VERSION>"' in out and "<BUILD-TIME>" in out
    assert '"as_of": "2026-09-17"' in out


def test_rebuilding_gives_byte_identical_output(built_site: Path,
                                                tmp_path: Path) -> None:
    """Same data, same as_of, same clock: the same files (what makes golden tests possible)."""
    out = tmp_path / "site"
    settings = load_settings({"db_path": tmp_path / "unused.sqlite", "output_dir": out,
                              "site_title": "reportgen golden test"}, env={})
    for week in WEEKS:
        build(settings, BuildOptions(sample=True, as_of=week, formats=("html", "json")), now=NOW)
    assert collect(out) == collect(built_site)
