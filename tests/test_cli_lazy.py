"""Start-up: the command line lists its commands without importing them, `--help` and
`data status` import no pandas, Altair or WeasyPrint, and the console script ends the process
as soon as the output is written, with the command's exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from reportgen.cli import COMMANDS, LazyCommands, cli

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "altair", "weasyprint", "vl_convert", "jinja2", "httpx")


def run(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter (the test process has everything imported already)."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120)


def imported_after(*args: str, tmp_path: Path) -> set[str]:
    """The heavy modules a `reportgen ARGS` run leaves imported (the run's output is checked
    to be the command's: exit code 0)."""
    code = ("import sys, json\nfrom reportgen.cli import cli\n"
            "try:\n    cli.main(args=sys.argv[1:], prog_name='reportgen')\n"
            "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), "
            "file=sys.stderr)")
    result = run(code, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_lists_every_command_without_importing_its_module(tmp_path: Path) -> None:
    assert imported_after("--help", tmp_path=tmp_path) == set()


def test_data_status_reads_the_store_without_pandas(tmp_path: Path) -> None:
    from reportgen.sample import SAMPLE_ASSEMBLED, sample_files
    from reportgen.sources.csvfiles import import_files
    from reportgen.store import Store

    db = tmp_path / "x.sqlite"
    store = Store.open(db)
    import_files(store, sample_files(), SAMPLE_ASSEMBLED, origin="sample")
    store.close()
    assert imported_after("--db", str(db), "data", "status", tmp_path=tmp_path) == set()
    assert imported_after("--db", str(db), "data", "status", "--format", "json",
                          tmp_path=tmp_path) == set()


def test_the_listed_summaries_are_the_commands_own() -> None:
    """COMMANDS repeats each command's first help paragraph so that --help need not import it;
    this keeps the copy equal to the command's help."""
    for name, lazy in COMMANDS.items():
        command = lazy.load()
        assert command.name == name
        assert command.help is not None
        first = " ".join(command.help.split("\n\n")[0].split())
        assert lazy.summary == first, name
        limit = 60
        assert click.Command(name, help=lazy.summary).get_short_help_str(limit) == \
            command.get_short_help_str(limit)


def test_help_shows_the_same_list_before_and_after_the_commands_are_loaded() -> None:
    lazy_group = type(cli)(name="reportgen")
    for name, command in COMMANDS.items():
        lazy_group.add_lazy_command(name, command)
    before = CliRunner().invoke(lazy_group, ["--help"]).output
    for name in COMMANDS:
        lazy_group.commands[name]  # noqa: B018 - loads it
    after = CliRunner().invoke(lazy_group, ["--help"]).output
    assert before == after
    for name in COMMANDS:
        assert f"\n  {name} " in before


def test_the_commands_mapping_loads_on_access() -> None:
    commands = LazyCommands(COMMANDS)
    assert sorted(commands) == sorted(COMMANDS) and len(commands) == len(COMMANDS)
    assert "build" in commands and not commands.loaded
    assert isinstance(commands["build"], click.Command) and list(commands.loaded) == ["build"]
    with pytest.raises(KeyError):
        commands["nope"]
    assert commands.get("nope") is None


@pytest.mark.parametrize(("args", "code", "stream", "text"), [
    (["--version"], 0, "stdout", "reportgen, version"),
    (["no-such-command"], 2, "stderr", "No such command 'no-such-command'"),
    (["build", "--sample", "--format", "docx"], 2, "stderr", "unknown format docx"),
    (["--db", "{tmp}/junk.sqlite", "data", "status"], 1, "stderr", "Error: the store "),
])
def test_the_console_script_exits_with_the_command_s_code_and_its_output_written(
        tmp_path: Path, args: list[str], code: int, stream: str, text: str) -> None:
    (tmp_path / "junk.sqlite").write_bytes(b"not a database, " * 512)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("from reportgen.cli import main; main()", *args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert text in getattr(result, stream)


def test_the_console_script_is_main() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"reportgen": "reportgen.cli:main"}


def test_the_console_script_closes_the_store_before_it_ends(tmp_path: Path) -> None:
    """os._exit skips the interpreter's teardown, not the store's close: after an import the
    write-ahead log is folded back into the file, as after a normal exit."""
    from reportgen.sample import sample_dir

    result = run("from reportgen.cli import main; main()", "--db", "x.sqlite", "data",
                 "import", str(sample_dir() / "WALCL.csv"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.sqlite"]
