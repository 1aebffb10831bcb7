"""The check's memo: a passed ``generate check`` run again on unchanged inputs repeats its report
exactly, and any change to any input, option or the date checks everything again.

Each test has a memo of its own (the ``own_check_memo`` fixture of conftest.py); the full check is
counted by wrapping :func:`generator.commands.check.run_check`, which only a full check calls.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import generator.commands.check as check_module
from generator.commands.cli import main
from generator.templating.paths import BUNDLED_TEMPLATES
from tests.conftest import REPO, root
from tests.helpers import IMPORT_PROBE


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A fact file naming its previous edition, a template folder of one's own, and a counted check."""
    monkeypatch.chdir(tmp_path)
    for name in ("facts.yaml", "previous.yaml"):
        shutil.copy(root("editions") / name, tmp_path / name)
    templates = tmp_path / "templates"
    for name in ("labels/en.yaml", "brand.yaml"):
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED_TEMPLATES / name, templates / name)
    full_checks = []
    real = check_module.run_check

    def counted(*args, **kwargs):
        full_checks.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(check_module, "run_check", counted)
    runner = CliRunner()

    def check(*extra: str):
        result = runner.invoke(main, ["check", "--facts", "facts.yaml", "--templates", "templates", *extra])
        return result.exit_code, result.stdout, result.stderr

    return {"dir": tmp_path, "templates": templates, "check": check, "full": full_checks}


def test_a_passed_check_run_again_repeats_its_report_exactly(project):
    check, full = project["check"], project["full"]
    first = check("--verbose")
    assert first[0] == 0 and first[1].startswith("OK: ") and "Recorded discrepancies" in first[1]
    assert check("--verbose") == first  # the same exit, the same lines on the same streams
    assert len(full) == 1
    assert check("--verbose", "--no-cache") == first and len(full) == 2


def test_a_changed_stale_notice_is_on_standard_error_again(project, monkeypatch):
    check = project["check"]
    monkeypatch.setenv("GENERATE_TODAY", "2026-01-01")  # the fixture's facts are stale then
    first = check()
    assert first[0] == 0 and "stale: " in first[2] and "stale: " not in first[1]
    assert check() == first and len(project["full"]) == 1


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "the fact file": lambda p: (p["dir"] / "facts.yaml").write_text(
        (p["dir"] / "facts.yaml").read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8"),
    "the previous edition": lambda p: (p["dir"] / "previous.yaml").write_text(
        (p["dir"] / "previous.yaml").read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8"),
    "a label": lambda p: (p["templates"] / "labels" / "en.yaml").write_text(
        (p["templates"] / "labels" / "en.yaml").read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8"),
    "a template added": lambda p: (p["templates"] / "brief").mkdir() or shutil.copy(
        BUNDLED_TEMPLATES / "brief" / "style.css.jinja", p["templates"] / "brief" / "style.css.jinja"),
    "the brand": lambda p: (p["templates"] / "brand.yaml").write_text(
        (p["templates"] / "brand.yaml").read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8"),
    "a configuration file made": lambda p: (p["dir"] / "generate.toml").write_text("jobs = 1\n", encoding="utf-8"),
    "the date": lambda p: os.environ.__setitem__("GENERATE_TODAY", "2025-07-02"),
    "a variable the libraries read": lambda p: os.environ.__setitem__("TZ", "Asia/Ho_Chi_Minh"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_changed_input_checks_everything_again(project, change, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    check, full = project["check"], project["full"]
    first = check()
    assert first[0] == 0 and check() == first and len(full) == 1
    CHANGES[change](project)
    again = check()
    assert again[0] == 0 and len(full) == 2, change
    assert check() == again and len(full) == 2  # and that report is kept in turn


@pytest.mark.parametrize("option", [["--verbose"], ["--strict"], ["--max-age", "30"], ["--lang", "en"],
                                    ["--time-budget", "60"]])
def test_each_option_has_its_own_report(project, option):
    check, full = project["check"], project["full"]
    plain = check()
    other = check(*option)
    assert len(full) == 2
    assert check(*option) == other and check() == plain and len(full) == 2


def test_another_working_folder_checks_again(project, monkeypatch, tmp_path_factory):
    check, full = project["check"], project["full"]
    check()
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    for name in ("facts.yaml", "previous.yaml"):
        shutil.copy(project["dir"] / name, elsewhere / name)
    shutil.copytree(project["templates"], elsewhere / "templates")
    monkeypatch.chdir(elsewhere)
    check()
    assert len(full) == 2


def test_a_failed_check_is_never_kept(project):
    check, full = project["check"], project["full"]
    _edit(project["dir"] / "facts.yaml", "previous_edition: previous.yaml", "previous_edition: missing.yaml")
    first = check()
    assert first[0] == 1 and first[1].startswith("FAILED: ")
    assert check() == first and len(full) == 2  # checked in full both times
    _edit(project["dir"] / "facts.yaml", "previous_edition: missing.yaml", "previous_edition: previous.yaml")
    assert check()[0] == 0 and len(full) == 3


def test_a_damaged_memo_is_not_used_and_is_replaced(project, own_check_memo):
    check, full = project["check"], project["full"]
    first = check()
    [entry] = list(own_check_memo.iterdir())
    kept = json.loads(entry.read_bytes())
    assert kept["key"] and kept["lines"][0] == [first[1].splitlines()[0], False]
    for damaged in (b"{not json", json.dumps({**kept, "key": "0" * 64, "lines": [["OK: forged", False]]}).encode(),
                    json.dumps({**kept, "files": kept["files"][:1]}).encode(), b"[]"):
        entry.write_bytes(damaged)
        assert check() == first
    assert len(full) == 5
    assert check() == first and len(full) == 5


def test_an_input_changed_while_checking_is_not_kept(project, monkeypatch):
    check, full = project["check"], project["full"]
    counted = check_module.run_check

    def edited_meanwhile(*args, **kwargs):
        result = counted(*args, **kwargs)
        if len(full) == 1:
            with open(project["dir"] / "previous.yaml", "a", encoding="utf-8") as stream:
                stream.write("# edited while the check ran\n")
        return result

    monkeypatch.setattr(check_module, "run_check", edited_meanwhile)
    check()
    check()
    assert len(full) == 2  # the first report was not kept: it may describe the file before the edit
    check()
    assert len(full) == 2


def test_a_repeated_check_loads_neither_the_models_nor_the_templates(tmp_path):
    heavy = {"pydantic", "jinja2", "yaml", "babel", "weasyprint"}
    code = IMPORT_PROBE.format(args=["check"], heavy=heavy)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                           timeout=300) for _ in range(2)]
    (first_exit, first_imports), (second_exit, second_imports) = (
        json.loads([line for line in run.stdout.splitlines() if line.startswith("@@")][-1][2:]) for run in runs)
    assert first_exit == second_exit == 0
    assert {"pydantic", "jinja2", "yaml"} <= set(first_imports)
    assert second_imports == []
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("@@")]  # noqa: E731
    assert strip(runs[1].stdout) == strip(runs[0].stdout) and runs[1].stderr == runs[0].stderr
