"""The site writer: safe paths, atomic publishing, index/archive/feed regeneration."""

from __future__ import annotations

import fcntl
import os
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import RenderError
from reportgen.site.writer import (
    Asset,
    Site,
    SiteWriter,
    WeekFiles,
    index_week,
    rebase_html,
    safe_join,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def brief(as_of: date, phase: int = 1, label: str = "Phase 1 — drain stopped") -> dict[str, Any]:
    return {
        "schema_version": "1.1", "as_of": as_of.isoformat(),
        "generated_at": f"{as_of.isoformat()}T06:00:00Z",
        "phase": {"phase": phase, "label": label, "confidence": "high",
                  "headline": f"Phase {phase} ({label})"},
        "signals": {"composite": {"status": "elevated", "value": 41.6}},
    }


def week(as_of: date, html: bool = True, **kw: Any) -> WeekFiles:
    page = (f'<!DOCTYPE html><html><head><link rel="stylesheet" href="../../assets/screen.css">'
            f'</head><body><a href="#top">{as_of}</a><a href="data/a.csv">csv</a></body></html>')
    root_page = page.replace("../../assets/", "assets/").replace(
        "data/a.csv", f"briefings/{as_of}/data/a.csv")
    return WeekFiles(as_of, kw.pop("brief", brief(as_of)), html=page if html else None,
                     index_html=root_page if html else None, pdf=b"%PDF-1.4 x",
                     csvs={"a": "date,value\n2025-01-01,1\n"}, **kw)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# -- safe paths ----------------------------------------------------------------------------------
def test_safe_join_keeps_paths_inside_the_root(tmp_path: Path) -> None:
    assert safe_join(tmp_path, "briefings/2025-12-18/brief.json") == \
        tmp_path.resolve() / "briefings" / "2025-12-18" / "brief.json"


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "a/../../x", "..", "."])
def test_safe_join_refuses_paths_outside_the_root(tmp_path: Path, bad: str) -> None:
    with pytest.raises(RenderError, match="outside the output folder"):
        safe_join(tmp_path / "site", bad)


def test_safe_join_refuses_a_symlink_that_leads_outside(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", site / "assets")
    with pytest.raises(RenderError, match="symbolic link"):
        safe_join(site, "assets/evil.js")


def test_writer_refuses_to_write_a_file_twice_in_one_build(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path)
    writer.write_text("a/b.txt", "one")
    with pytest.raises(RenderError, match="written twice"):
        writer.write_text("a/b.txt", "two")
    assert (tmp_path / "a" / "b.txt").read_text() == "one"


def test_writer_leaves_no_temporary_files_and_publishes_readable_files(tmp_path: Path) -> None:
    SiteWriter(tmp_path).write_bytes("x/y.bin", b"\x00\x01")
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["y.bin"]
    assert (tmp_path / "x" / "y.bin").stat().st_mode & 0o044  # group/other can read


def test_chart_names_that_are_not_plain_file_names_are_refused(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    bad = WeekFiles(date(2025, 12, 18), brief(date(2025, 12, 18)), csvs={"../x": "a\n"})
    with pytest.raises(RenderError, match="not a plain file name"):
        site.publish(bad)
    assert not (tmp_path / "site").exists()
    assert not (tmp_path / "x.csv").exists()


# -- publishing ------------------------------------------------------------------------------------
def test_publish_writes_the_week_the_index_archive_and_feed(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", title="Test briefing")
    result = site.publish(week(date(2025, 12, 18)))
    files = tree(tmp_path / "site")
    assert set(files) == {
        "briefings/2025-12-18/brief.json", "briefings/2025-12-18/briefing.html",
        "briefings/2025-12-18/briefing.pdf", "briefings/2025-12-18/data/a.csv",
        "index.html", "archive.html", "feed.xml", ".reportgen-site",
    }
    assert result.index_week == date(2025, 12, 18)
    assert result.weeks == (date(2025, 12, 18),)
    assert b'href="assets/screen.css"' in files["index.html"]
    assert index_week(files["index.html"].decode()) == date(2025, 12, 18)
    # nothing left beside the output folder: no staging folder, no lock file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_relative_output_folder_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = Site(Path("output")).publish(week(date(2025, 12, 18)))
    assert (tmp_path / "output" / "briefings" / "2025-12-18" / "brief.json").is_file()
    assert result.week_dir == (tmp_path / "output" / "briefings" / "2025-12-18").resolve()
    assert (tmp_path / "output" / "briefings" / "2025-12-18" / "data" / "a.csv") in [
        p.resolve() for p in result.files]


def test_past_weeks_are_kept_and_the_index_shows_the_latest(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    site.publish(week(date(2025, 12, 11)))
    site.publish(week(date(2025, 12, 18)))
    before = tree(tmp_path / "site")
    # Rebuilding an older week replaces only that week; the index keeps showing the latest.
    result = site.publish(week(date(2025, 12, 11), brief=brief(date(2025, 12, 11), phase=2,
                                                               label="Phase 2 — bills")))
    after = tree(tmp_path / "site")
    assert result.replaced
    assert result.index_week == date(2025, 12, 18)
    assert after["index.html"] == before["index.html"]
    for name, data in before.items():
        if name.startswith("briefings/2025-12-18/"):
            assert after[name] == data
    assert b"Phase 2" in after["briefings/2025-12-11/brief.json"]
    assert [e.as_of for e in site.briefings()] == [date(2025, 12, 11), date(2025, 12, 18)]


def test_previous_brief_is_the_latest_week_before_as_of(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    assert site.previous_brief(date(2025, 12, 18)) is None
    for day in (date(2025, 12, 4), date(2025, 12, 11), date(2025, 12, 25)):
        site.publish(week(day))
    previous = site.previous_brief(date(2025, 12, 18))
    assert previous is not None and previous["as_of"] == "2025-12-11"
    assert site.previous_brief(date(2025, 12, 11))["as_of"] == "2025-12-04"  # type: ignore[index]


def test_archive_lists_every_week_newest_first_with_relative_links(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    for day in (date(2025, 12, 4), date(2025, 12, 11)):
        site.publish(week(day))
    archive = (tmp_path / "site" / "archive.html").read_text()
    assert archive.index("2025-12-11") < archive.index("2025-12-04")
    assert 'href="briefings/2025-12-04/briefing.pdf"' in archive
    assert "elevated (42/100)" in archive
    assert_relative_links(archive)


def test_feed_is_valid_atom_with_one_entry_per_week(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", title="Liquidity & plumbing")
    for day in (date(2025, 12, 4), date(2025, 12, 11)):
        site.publish(week(day))
    root = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Liquidity & plumbing"
    assert root.findtext(f"{ATOM}updated") == "2025-12-11T06:00:00Z"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [
        "tag:reportgen,2025:briefing/2025-12-11", "tag:reportgen,2025:briefing/2025-12-04"]
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated")
                            or "")
        hrefs = [link.get("href") or "" for link in entry.findall(f"{ATOM}link")]
        assert all(h.startswith("briefings/") for h in hrefs)
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") is None


def test_feed_uses_the_base_url_when_one_is_set(tmp_path: Path) -> None:
    site = Site(tmp_path / "site", base_url="https://example.org/briefing")
    site.publish(week(date(2025, 12, 11)))
    root = ET.parse(tmp_path / "site" / "feed.xml").getroot()
    assert root.get("{http://www.w3.org/XML/1998/namespace}base") == \
        "https://example.org/briefing/"
    assert root.findtext(f"{ATOM}entry/{ATOM}id") == "tag:example.org,2025:briefing/2025-12-11"


def test_json_only_week_gets_an_index_listing_the_weeks(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    result = site.publish(week(date(2025, 12, 11), html=False))
    index = (tmp_path / "site" / "index.html").read_text()
    assert result.index_week is None
    assert "No HTML briefing has been built yet" in index
    assert 'href="briefings/2025-12-11/briefing.pdf"' in index


def test_missing_index_is_derived_from_the_latest_html_briefing(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    site.publish(week(date(2025, 12, 18)))
    (tmp_path / "site" / "index.html").unlink()
    site.publish(week(date(2025, 12, 11)))
    index = (tmp_path / "site" / "index.html").read_text()
    assert index_week(index) == date(2025, 12, 18)
    assert '<base href="briefings/2025-12-18/">' in index
    assert 'href="briefing.html#top"' in index  # in-page anchors survive the <base>


def test_rebase_html_inserts_base_after_head() -> None:
    html = '<html><head lang="en"><title>x</title></head><a href="#a">a</a></html>'
    out = rebase_html(html, "briefings/2025-12-18/")
    assert out.startswith('<html><head lang="en">\n<base href="briefings/2025-12-18/">')
    assert 'href="briefing.html#a"' in out


# -- failures leave the site as it was ---------------------------------------------------
def test_a_failing_asset_leaves_the_site_unchanged(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    site.publish(week(date(2025, 12, 11)))
    before = tree(tmp_path / "site")

    def broken() -> bytes:
        raise RenderError("cannot bundle the Vega runtime")

    with pytest.raises(RenderError, match="Vega runtime"):
        site.publish(week(date(2025, 12, 18)), assets=(Asset("vega-runtime.js", broken),))
    assert tree(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_on_the_same_site_is_refused_while_one_runs(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    (tmp_path / "site").mkdir()
    fd = os.open(tmp_path / "site", os.O_RDONLY)  # what a running build holds
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(RenderError, match="another build is writing"):
            site.publish(week(date(2025, 12, 11)))
    finally:
        os.close(fd)
    assert tree(tmp_path / "site") == {}


def test_leftovers_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    site = Site(tmp_path / "site")
    site.publish(week(date(2025, 12, 11)))
    (tmp_path / ".site.staging-abc" / "briefings").mkdir(parents=True)
    (tmp_path / "site" / "briefings" / ".2025-12-11.replaced-1").mkdir()
    site.publish(week(date(2025, 12, 18)))
    assert not (tmp_path / ".site.staging-abc").exists()
    assert not (tmp_path / "site" / "briefings" / ".2025-12-11.replaced-1").exists()


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("not a folder")
    with pytest.raises(RenderError, match="not a folder"):
        Site(tmp_path / "site").publish(week(date(2025, 12, 11)))


# -- assets ---------------------------------------------------------------------------------------
def test_an_asset_with_a_matching_marker_is_not_produced_again(tmp_path: Path) -> None:
    calls = []

    def produce() -> bytes:
        calls.append(1)
        return b"/* v1 */ runtime"

    asset = Asset("vega-runtime.js", produce, marker=b"/* v1 */")
    site = Site(tmp_path / "site")
    site.publish(week(date(2025, 12, 11)), assets=(asset,))
    site.publish(week(date(2025, 12, 18)), assets=(asset,))
    assert calls == [1]
    newer = Asset("vega-runtime.js", lambda: b"/* v2 */ runtime", marker=b"/* v2 */")
    site.publish(week(date(2025, 12, 25)), assets=(newer,))
    assert (tmp_path / "site" / "assets" / "vega-runtime.js").read_bytes() == b"/* v2 */ runtime"


def test_the_vega_runtime_bundles_vega_embed() -> None:
    from reportgen.site.assets import vega_runtime_asset, vega_runtime_marker

    asset = vega_runtime_asset()
    data = asset.produce()
    assert data.startswith(vega_runtime_marker())
    assert b"window.vegaEmbed" in data
    assert len(data) > 500_000


def test_css_assets_include_the_site_and_briefing_stylesheets() -> None:
    from reportgen.site.assets import css_assets

    names = {a.name for a in css_assets()}
    assert "site.css" in names


# -- helpers ---------------------------------------------------------------------------------------
def assert_relative_links(html: str) -> None:
    for attr in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert not attr.startswith(("/", "http:", "https:", "file:")), attr
