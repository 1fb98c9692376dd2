"""The GitHub Actions workflows cannot run here, so their shape is checked instead.

Asserted: triggers, jobs and their ``needs``, the Python matrix, least-privilege permissions, the
Pages concurrency group, the official actions and their versions, how the FRED secret is passed,
the caches that make fetching incremental and keep the archive, the sample-briefing artifact, and
that every ``reportgen`` command line in a ``run:`` step names a command and options the CLI has.
``actionlint`` and ``shellcheck`` run too when they are installed (they skip otherwise; CI runs
the official actionlint image, which includes shellcheck).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from reportgen.cli import cli

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
PUBLISH = WORKFLOWS / "publish.yml"
FILES = (CI, PUBLISH)

STORE = "data/reportgen.sqlite"
WEASYPRINT_LIBS = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")
#: Every action the workflows may use: official ones, at the major version we checked.
OFFICIAL_ACTIONS = {
    "actions/checkout": "v4",
    "actions/setup-python": "v5",
    "actions/cache/restore": "v4",
    "actions/cache/save": "v4",
    "actions/configure-pages": "v5",
    "actions/upload-pages-artifact": "v3",
    "actions/deploy-pages": "v4",
    "actions/upload-artifact": "v4",
    "actions/download-artifact": "v4",
    "docker://rhysd/actionlint": "1.7.12",
}
#: Commands other helpers are still adding: a workflow may name them before they exist.
PENDING_COMMANDS = {"build"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load(CI)


@pytest.fixture(scope="module")
def publish() -> dict[str, Any]:
    return load(PUBLISH)


def steps(workflow: dict[str, Any], job: str | None = None) -> Iterator[dict[str, Any]]:
    jobs = [job] if job else list(workflow["jobs"])
    for name in jobs:
        yield from workflow["jobs"][name].get("steps", [])


def uses(workflow: dict[str, Any], job: str | None = None) -> list[str]:
    return [step["uses"] for step in steps(workflow, job) if "uses" in step]


def step_using(workflow: dict[str, Any], job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in steps(workflow, job) if s.get("uses", "").split("@")[0] == action]


def runs(workflow: dict[str, Any], job: str | None = None) -> list[str]:
    return [step["run"] for step in steps(workflow, job) if "run" in step]


# -- triggers ------------------------------------------------------------------------------------
def test_ci_runs_on_push_and_pull_request(ci: dict[str, Any]) -> None:
    assert "push" in ci["on"]
    assert "pull_request" in ci["on"]


def test_publish_runs_weekly_after_the_h41_and_on_demand_with_an_as_of(
        publish: dict[str, Any]) -> None:
    crons = [entry["cron"] for entry in publish["on"]["schedule"]]
    # H.4.1: Thursday 4:30 p.m. ET = 20:30/21:30 UTC; the build runs Friday morning UTC.
    assert "30 6 * * 5" in crons
    as_of = publish["on"]["workflow_dispatch"]["inputs"]["as_of"]
    assert as_of["required"] is False
    assert as_of["type"] == "string"
    assert as_of.get("default", "") == ""


def test_job_conditions_name_a_scheduled_cron(publish: dict[str, Any]) -> None:
    crons = {entry["cron"] for entry in publish["on"]["schedule"]}
    for name, job in publish["jobs"].items():
        for quoted in re.findall(r"github\.event\.schedule [!=]= '([^']*)'", job.get("if", "")):
            assert quoted in crons, f"job {name} tests for cron {quoted!r}, which is not scheduled"
    # The Friday build publishes; the mid-week run only refreshes the caches.
    assert "!= '30 6 * * 2'" in publish["jobs"]["build"]["if"]
    assert "== '30 6 * * 2'" in publish["jobs"]["refresh-caches"]["if"]


# -- jobs ----------------------------------------------------------------------------------------
def test_ci_tests_on_python_311_and_312_with_lint_typecheck_and_pytest(ci: dict[str, Any]) -> None:
    job = ci["jobs"]["test"]
    # Strings, not numbers: YAML would read 3.10 as 3.1.
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]
    setup = step_using(ci, "test", "actions/setup-python")
    assert setup[0]["with"]["python-version"] == "${{ matrix.python-version }}"
    scripts = runs(ci, "test")
    assert "ruff check ." in scripts
    assert "mypy reportgen" in scripts
    assert any(re.search(r"\bpytest\b", s) for s in scripts)
    assert any('pip install ".[dev]"' in s for s in scripts)


def test_publish_jobs_chain_build_deploy_release(publish: dict[str, Any]) -> None:
    jobs = publish["jobs"]
    assert set(jobs) == {"build", "deploy", "release", "refresh-caches"}
    assert "needs" not in jobs["build"]
    assert jobs["deploy"]["needs"] == "build"
    assert sorted(jobs["release"]["needs"]) == ["build", "deploy"]
    assert jobs["build"]["outputs"]["date"] == "${{ steps.briefing.outputs.date }}"


def test_every_job_that_renders_installs_weasyprint_libraries(
        ci: dict[str, Any], publish: dict[str, Any]) -> None:
    for workflow in (ci, publish):
        for name in workflow["jobs"]:
            scripts = "\n".join(runs(workflow, name))
            if "reportgen build" in scripts or "pytest" in scripts:
                for lib in WEASYPRINT_LIBS:
                    assert lib in scripts, f"job {name} runs reportgen build without {lib}"


# -- permissions ---------------------------------------------------------------------------------
def test_permissions_are_least_privilege(ci: dict[str, Any], publish: dict[str, Any]) -> None:
    assert ci["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in ci["jobs"].values())
    assert publish["permissions"] == {"contents": "read"}
    jobs = publish["jobs"]
    assert "permissions" not in jobs["build"]
    assert "permissions" not in jobs["refresh-caches"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["release"]["permissions"] == {"contents": "write"}


def test_checkouts_do_not_keep_the_token(ci: dict[str, Any], publish: dict[str, Any]) -> None:
    for workflow in (ci, publish):
        for name in workflow["jobs"]:
            for step in step_using(workflow, name, "actions/checkout"):
                assert step["with"]["persist-credentials"] is False, name


# -- Pages ---------------------------------------------------------------------------------------
def test_deploy_uses_the_pages_concurrency_group_and_environment(
        publish: dict[str, Any]) -> None:
    deploy = publish["jobs"]["deploy"]
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert uses(publish, "deploy") == ["actions/deploy-pages@v4"]
    # Runs of the whole workflow are serialised too: each restores and extends the same site.
    assert publish["concurrency"]["cancel-in-progress"] is False
    assert publish["concurrency"]["group"] != "pages"


def test_build_configures_pages_and_uploads_the_site(publish: dict[str, Any]) -> None:
    build_uses = uses(publish, "build")
    assert "actions/configure-pages@v5" in build_uses
    upload = step_using(publish, "build", "actions/upload-pages-artifact")
    assert upload[0]["uses"] == "actions/upload-pages-artifact@v3"
    assert upload[0]["with"]["path"] == "site/"
    # The site's absolute address comes from configure-pages.
    build_steps = [s for s in steps(publish, "build")
                   if re.search(r"^\s*reportgen build", s.get("run", ""), re.MULTILINE)]
    assert build_steps
    for step in build_steps:
        assert step["env"]["REPORTGEN_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"


def test_only_official_actions_at_the_checked_versions(
        ci: dict[str, Any], publish: dict[str, Any]) -> None:
    for workflow in (ci, publish):
        for ref in uses(workflow):
            name, _, version = ref.rpartition(":") if ref.startswith("docker://") \
                else ref.partition("@")
            assert name in OFFICIAL_ACTIONS, f"{ref} is not an allowed action"
            assert version == OFFICIAL_ACTIONS[name], f"{ref}: expected {OFFICIAL_ACTIONS[name]}"


# -- data store, archive, release ------------------------------------------------------------------
@pytest.mark.parametrize("job", ["build", "refresh-caches"])
def test_store_is_restored_and_saved_per_run_so_fetching_is_incremental(
        publish: dict[str, Any], job: str) -> None:
    assert publish["env"]["REPORTGEN_DB"] == STORE
    restore = [s for s in step_using(publish, job, "actions/cache/restore")
               if s["with"]["path"] == STORE]
    save = [s for s in step_using(publish, job, "actions/cache/save")
            if s["with"]["path"] == STORE]
    assert len(restore) == len(save) == 1
    # Cache entries are immutable: a new key each run, found again through the prefix.
    assert restore[0]["with"]["key"] == "reportgen-store-${{ github.run_id }}"
    assert restore[0]["with"]["restore-keys"] == "reportgen-store-"
    assert save[0]["with"]["key"] == restore[0]["with"]["key"]
    names = [s.get("name", "") for s in steps(publish, job)]
    fetch = next(i for i, s in enumerate(steps(publish, job)) if s.get("run") == "reportgen fetch")
    assert names.index(restore[0]["name"]) < fetch < names.index(save[0]["name"])


def test_archive_is_persisted_and_rebuilt_from_the_store_when_missing(
        publish: dict[str, Any]) -> None:
    restore = [s for s in step_using(publish, "build", "actions/cache/restore")
               if s["with"]["path"] == "site"]
    save = [s for s in step_using(publish, "build", "actions/cache/save")
            if s["with"]["path"] == "site"]
    assert len(restore) == len(save) == 1
    assert restore[0]["with"]["restore-keys"] == "reportgen-site-"
    backfill = [s for s in steps(publish, "build") if "--weeks" in s.get("run", "")]
    assert len(backfill) == 1
    assert backfill[0]["if"] == "steps.site-cache.outputs.cache-matched-key == ''"
    assert int(publish["env"]["BACKFILL_WEEKS"]) > 0
    # One process for every week (the store read once), not one build per week: no loop.
    script = backfill[0]["run"]
    assert re.search(r'--weeks "\$BACKFILL_WEEKS" --as-of "\$before"', script)
    assert "for " not in script and script.count("reportgen build") == 1
    # The weeks before this one: this week's briefing is the next step's.
    assert 'date -u -d "last thursday - 7 days"' in script


def test_as_of_input_reaches_the_build_through_the_environment(publish: dict[str, Any]) -> None:
    step = next(s for s in steps(publish, "build") if "\"$AS_OF\"" in s.get("run", ""))
    assert step["env"]["AS_OF"] == "${{ inputs.as_of }}"


def test_release_attaches_the_pdf_idempotently(publish: dict[str, Any]) -> None:
    upload = step_using(publish, "build", "actions/upload-artifact")
    assert upload[0]["with"]["name"] == "briefing-pdf"
    assert upload[0]["with"]["path"].endswith(".pdf")
    download = step_using(publish, "release", "actions/download-artifact")
    assert download[0]["with"]["name"] == "briefing-pdf"
    step = next(s for s in steps(publish, "release") if "run" in s)
    assert step["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert step["env"]["DATE"] == "${{ needs.build.outputs.date }}"
    script = step["run"]
    assert 'tag="briefing-$DATE"' in script
    assert 'gh release view "$tag"' in script  # re-runs update instead of failing
    assert "gh release upload \"$tag\" \"$pdf\" --clobber" in script
    assert "gh release create \"$tag\" \"$pdf\"" in script


# -- secrets and expressions ---------------------------------------------------------------------
def _strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, str(index)))
    elif isinstance(node, str):
        yield path, node


def test_fred_key_is_the_only_secret_and_passed_only_as_step_env(
        ci: dict[str, Any], publish: dict[str, Any]) -> None:
    assert not [p for p, s in _strings(ci) if "secrets." in s], "CI needs no secret"
    found = [(p, s) for p, s in _strings(publish) if "secrets." in s]
    assert found, "publish.yml should pass FRED_API_KEY to reportgen fetch"
    for path, value in found:
        assert value == "${{ secrets.FRED_API_KEY }}", f"{'.'.join(path)}: {value}"
        assert path[-2:] == ("env", "FRED_API_KEY"), f"secret outside a step env: {path}"
        assert path[0] == "jobs" and path[2] == "steps", f"secret wider than a step: {path}"


def test_no_expression_is_expanded_inside_a_script(
        ci: dict[str, Any], publish: dict[str, Any]) -> None:
    # Inputs reach scripts through env:, so a crafted value cannot inject shell code.
    for workflow in (ci, publish):
        for script in runs(workflow):
            assert "${{" not in script, script


# -- the sample briefing artifact ----------------------------------------------------------------
def test_ci_uploads_the_briefing_built_from_the_sample(ci: dict[str, Any]) -> None:
    job = "sample-briefing"
    scripts = runs(ci, job)
    assert any(re.search(r"reportgen build .*--sample", s) for s in scripts)
    upload = step_using(ci, job, "actions/upload-artifact")
    assert upload[0]["uses"] == "actions/upload-artifact@v4"
    assert upload[0]["with"]["name"] == "sample-briefing"
    assert upload[0]["with"]["path"] == "site/"
    assert upload[0]["with"]["if-no-files-found"] == "error"


# -- the reportgen command lines -----------------------------------------------------------------
_INVOCATION = re.compile(r"(?:^|[;&|(]|\bthen\b|\belse\b|\bdo\b)\s*reportgen\s+([^\n;&|#]*)",
                         re.MULTILINE)


def invocations() -> list[tuple[str, list[str]]]:
    found = []
    for path in FILES:
        for script in runs(load(path)):
            joined = script.replace("\\\n", " ")  # shell line continuations
            for match in _INVOCATION.finditer(joined):
                found.append((path.name, shlex.split(match.group(1))))
    return found


INVOCATIONS = invocations()


def _options(command: click.Command) -> dict[str, click.Parameter]:
    known: dict[str, click.Parameter] = {}
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in (*param.opts, *param.secondary_opts):
                known[opt] = param
    return known


def test_workflows_call_reportgen() -> None:
    commands = {tuple(a for a in args if not a.startswith("-"))[:1] for _, args in INVOCATIONS}
    assert {("fetch",), ("build",)} <= commands


@pytest.mark.parametrize(("file", "args"), INVOCATIONS,
                         ids=[f"{f}: reportgen {' '.join(a)}" for f, a in INVOCATIONS])
def test_reportgen_command_lines_exist_in_the_cli(file: str, args: list[str]) -> None:
    command: click.Command = cli
    path: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token.startswith("-"):
            name = token.split("=", 1)[0]
            known = _options(command)
            assert name in known, (f"{file}: reportgen {' '.join(path)} has no option {name}; "
                                   f"it has {', '.join(sorted(known))}")
            param = known[name]
            takes_value = not (isinstance(param, click.Option) and (param.is_flag or param.count))
            if takes_value and "=" not in token:
                next(tokens, None)
        elif isinstance(command, click.Group):
            if token not in command.commands:
                if token in PENDING_COMMANDS:
                    pytest.skip(f"reportgen {token} is not registered yet")
                pytest.fail(f"{file}: reportgen {' '.join([*path, token])} is not a command")
            command = command.commands[token]
            path.append(token)
        # else: a positional argument of the leaf command
    assert path, f"{file}: reportgen is called without a command"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output


# -- external linters, when installed -----------------------------------------------------------
def test_actionlint_passes() -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (CI runs it from its official Docker image)")
    result = subprocess.run([actionlint, "-no-color", *map(str, FILES)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_run_scripts_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed")
    for path in FILES:
        for index, script in enumerate(runs(load(path))):
            # GitHub runs `bash -e {0}`; expressions are substituted before the shell sees them.
            text = "#!/usr/bin/env bash\nset -e\n" + re.sub(r"\$\{\{[^}]*\}\}", "x", script)
            file = tmp_path / f"{path.stem}-{index}.sh"
            file.write_text(text, encoding="utf-8")
            result = subprocess.run([shellcheck, "--severity=style", str(file)],
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{path.name} run step {index}:\n{result.stdout}"
