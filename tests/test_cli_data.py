from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_import_then_status_lists_units_and_last_dates(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "WALCL.csv").write_text(
        "date,value\n2024-01-03,7681024\n2024-01-10,7677000\n"
    )
    db = str(tmp_path / "x.sqlite")
    code, out = run("--db", db, "data", "import", str(tmp_path / "in"))
    assert code == 0, out
    assert "Imported 1 file(s)" in out and "2 row(s) added" in out
    code, out = run("--db", db, "data", "status", "--format", "json")
    items = {i["name"]: i for i in json.loads(out)["items"]}
    assert items["WALCL"]["units"] == "USD millions"
    assert items["WALCL"]["last"] == "2024-01-10"
    assert items["WALCL"]["status"] == "stale"
    assert items["WRESBAL"]["status"] == "missing"


def test_import_error_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "WALCL.csv").write_text("date,value\n2024-01-03,abc\n")
    code, out = run("--db", str(tmp_path / "x.sqlite"), "data", "import", str(tmp_path / "in"))
    assert code == 1
    assert "Error: cannot import" in out and "WALCL.csv, line 2" in out
    assert "Traceback" not in out


def test_export_round_trips_through_import(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "SOFR.csv").write_text("date,value\n2019-09-16,2.43\n2019-09-17,5.25\n")
    (src / "fails.csv").write_text("date,PDSI10F-TD,PDSI10F-TR\n2022-01-05,453.0,\n")
    db1, db2 = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    assert run("--db", db1, "data", "import", str(src))[0] == 0
    code, out = run("--db", db1, "data", "export", str(tmp_path / "out"))
    assert code == 0, out
    code, out = run("--db", db2, "data", "import", str(tmp_path / "out"))
    assert code == 0, out
    _, s1 = run("--db", db1, "data", "status", "--format", "json")
    _, s2 = run("--db", db2, "data", "status", "--format", "json")
    strip = lambda s: [(i["name"], i["rows"], i["last"]) for i in json.loads(s)["items"]]  # noqa: E731
    assert strip(s1) == strip(s2)


def test_sample_status_works_without_a_store(tmp_path: Path) -> None:
    code, out = run("--db", str(tmp_path / "none.sqlite"), "--sample", "data", "status")
    assert code == 0, out
    assert "bundled sample" in out and "WALCL" in out


def test_corrupt_store_is_reported_with_advice(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"garbage" * 200)
    code, out = run("--db", str(bad), "data", "status")
    assert code == 1 and "Error:" in out and "Move it aside" in out


def _summary(*results):  # type: ignore[no-untyped-def]
    from reportgen import fetching

    return fetching.FetchSummary(list(results))


def test_fetch_offline_prints_one_line_per_source_and_exits_2(tmp_path: Path, monkeypatch) -> None:
    from reportgen import fetching

    def offline(store, settings, tasks, now, start=None, client=None, on_result=None, **kw):  # noqa: ANN001, ANN202
        results = [
            fetching.FetchItemResult(
                t, "failed", 0, f"{t.source}: cannot reach the server", "NetworkError"
            )
            for t in tasks
        ]
        for r in results:
            on_result(r)
        return _summary(*results)

    monkeypatch.setattr(fetching, "fetch_all", offline)
    code, out = run("--db", str(tmp_path / "x.sqlite"), "fetch")
    assert code == 2
    assert out.count("cannot reach the server") == 4  # fred, nyfed, treasury, ofr
    assert "No network" in out and "store is unchanged" in out


def test_fetch_summary_counts_updates_and_lists_failures(tmp_path: Path, monkeypatch) -> None:
    from reportgen import fetching

    def partial(store, settings, tasks, now, start=None, client=None, on_result=None, **kw):  # noqa: ANN001, ANN202
        ok = fetching.FetchItemResult(tasks[0], "ok", 12, "")
        bad = fetching.FetchItemResult(
            tasks[1], "failed", 0, "fred: HTTP 500: oops", "HTTPStatusError"
        )
        for r in (ok, bad):
            on_result(r)
        return _summary(ok, bad)

    monkeypatch.setattr(fetching, "fetch_all", partial)
    code, out = run("--db", str(tmp_path / "x.sqlite"), "fetch", "--source", "fred")
    assert code == 1
    assert "1 updated, 12 row(s) added or revised, 1 failed" in out
    assert "HTTP 500: oops" in out
