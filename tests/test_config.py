"""Project configuration (generator/commands/config.py): generate.toml or [tool.generate] in
pyproject.toml, found in the working directory or the nearest parent; relative paths from the
file's directory; each bad setting one line naming file, line and setting; `generate config`
shows every value and where it came from. Nothing here renders a document."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.commands.config import find_config, load_config, settings
from generator.errors import ConfigError
from tests.conftest import MINIMAL

PYPROJECT = """[project]
name = "briefings"
version = "1.0"

[tool.generate]
out = "site"
languages = ["en"]
name = "{name}"
"""


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_generate_toml_is_found_in_the_nearest_parent_and_its_paths_are_relative_to_it(tmp_path):
    (tmp_path / "generate.toml").write_text('facts = "facts/treaty.yaml"\nout = "/srv/site"\ntemplates = "../shared"\n'
                                            'languages = "en"\njobs = 2\n', encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == (tmp_path / "generate.toml", "")
    config = load_config(deep)
    assert config.file == tmp_path / "generate.toml"
    assert config.get("facts") == tmp_path / "facts" / "treaty.yaml"  # from the file's folder, not the working one
    assert config.get("out") == Path("/srv/site")
    assert config.get("templates") == tmp_path.parent / "shared"
    assert config.get("languages") == ("en",)  # one code is the list of one
    assert config.get("jobs") == 2 and config.get("brand") is None
    assert {name: s.origin for name, s in config.settings.items()} == {
        "facts": "generate.toml:1", "out": "generate.toml:2", "templates": "generate.toml:3",
        "languages": "generate.toml:4", "jobs": "generate.toml:5"}


def test_tool_generate_in_pyproject_is_read_and_other_pyprojects_are_passed_over(tmp_path):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT.format(name="treaty-x"), encoding="utf-8")
    # A pyproject.toml without the table, or one that is not even TOML, is someone else's: the search goes on.
    (project / "docs" / "pyproject.toml").write_text('[project]\nname = "docs"\n', encoding="utf-8")
    (project / "docs" / "deeper").mkdir()
    (project / "docs" / "deeper" / "pyproject.toml").write_text("this is [not toml\n", encoding="utf-8")
    assert find_config(project / "docs" / "deeper") == (project / "pyproject.toml", "tool.generate")
    config = load_config(project / "docs" / "deeper")
    assert config.get("out") == project / "site" and config.get("name") == "treaty-x"
    # Lines are counted in the whole file, inside the [tool.generate] table: not [project]'s `name`.
    assert config.settings["name"].origin == "pyproject.toml:8"


def test_generate_toml_is_preferred_to_pyproject_in_the_same_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(name="from-pyproject"), encoding="utf-8")
    (tmp_path / "generate.toml").write_text('name = "from-generate-toml"\n', encoding="utf-8")
    assert load_config(tmp_path).get("name") == "from-generate-toml"


def test_without_a_configuration_nothing_is_set(tmp_path):
    config = load_config(tmp_path)
    assert config.file is None and config.settings == {}


@pytest.mark.parametrize("content, expected", [
    ('out = "site"\nlanguage = ["en"]\n',
     "{file}:2: language: expected one of the settings " + ", ".join(settings()) +
     ", found unknown setting 'language' (did you mean 'languages'?)"),
    ('\n\npdf_variant = "pdf/x"\n', "{file}:3: pdf_variant: expected one of pdf/ua-1, pdf/a-3b, found 'pdf/x'"),
    ('max_age = -1\n', "{file}:1: max_age: expected a whole number of days (0 or more), found -1"),
    ('slides = "title"\n', "{file}:1: slides: expected a list of slide ids such as [\"title\", \"timeline\"], found 'title'"),
    ('facts = 3\n', "{file}:1: facts: expected a path (text), found 3"),
    ('time_budget = 100000\n', "{file}:1: time_budget: expected a number of seconds from 0 (no limit) to 86400, "
                               "found 100000"),
])
def test_a_bad_setting_is_one_line_naming_file_line_and_setting(tmp_path, content, expected):
    (tmp_path / "generate.toml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.format_message() == expected.format(file=tmp_path / "generate.toml")


def test_every_bad_setting_of_tool_generate_is_reported_at_its_own_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(name="a b") + "jobs = true\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    file = tmp_path / "pyproject.toml"
    assert lines(caught.value.format_message()) == [
        f"{file}:8: name: expected a file name of letters, digits, '.', '_' or '-', such as \"treaty-x\", found 'a b'",
        f"{file}:9: jobs: expected a number of processes of at least 1, such as 2, found True"]


def test_invalid_toml_and_a_table_that_is_not_one_name_the_file(tmp_path):
    (tmp_path / "generate.toml").write_text('out = "site\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = caught.value.format_message()
    assert message.startswith(f"{tmp_path / 'generate.toml'}: invalid TOML: ") and "\n" not in message
    (tmp_path / "generate.toml").unlink()
    (tmp_path / "pyproject.toml").write_text('[tool]\ngenerate = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.format_message() == f"{tmp_path / 'pyproject.toml'}: [tool.generate] must be a table of settings"


def test_text_that_is_not_utf8_is_one_line_with_its_line(tmp_path):
    (tmp_path / "generate.toml").write_bytes(b'out = "site"\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.format_message() == (f"{tmp_path / 'generate.toml'}:2: expected UTF-8 text, "
                                             "found bytes that are not UTF-8")


# --- `generate config`: every setting, its value and where it came from --------------------------

def test_generate_config_prints_every_setting_with_its_origin(cli, tmp_path):
    (tmp_path / "generate.toml").write_text(f'facts = "{MINIMAL}"\n# the site folder\nout = "site"\njobs = 2\n',
                                            encoding="utf-8")
    result = cli("config", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    rows = [("facts", str(MINIMAL), "generate.toml:1"), ("out", str((tmp_path / "site").resolve()), "generate.toml:3"),
            ("languages", "en", "command line"), ("templates", "-", "default"), ("brand", "-", "default"),
            ("jobs", "2", "generate.toml:4"), ("name", "the fact file's name", "default"),
            ("max_age", "90", "default"), ("time_budget", "120", "default"),
            # then each kind's settings, from the registry
            ("pdf_variant", "pdf/ua-1", "default"), ("slides", "every slide of the outline", "default")]
    width = max(len(value) for _, value, _ in rows)
    assert lines(result.stdout) == [f"configuration file: {tmp_path / 'generate.toml'}",
                                    f"{'setting':<11}  {'value':<{width}}  from"] + [
        f"{name:<11}  {value:<{width}}  {origin}" for name, value, origin in rows]


def test_generate_config_without_a_file_says_where_it_looked(cli, tmp_path):
    result = cli("config")
    assert result.exit_code == 0
    assert lines(result.stdout)[0] == ("configuration file: none (looked for generate.toml and [tool.generate] "
                                       "in pyproject.toml)")
    assert [line.split()[0] for line in lines(result.stdout)[2:]] == list(settings())
    assert all(line.rstrip().endswith("default") for line in lines(result.stdout)[2:])


def test_a_bad_configuration_stops_every_command_with_its_line(cli, tmp_path):
    (tmp_path / "generate.toml").write_text('jobs = 0\n', encoding="utf-8")
    for command in (["config"], ["check", "--facts", str(MINIMAL)], ["all", "--facts", str(MINIMAL)]):
        result = cli(*command)
        assert result.exit_code == 1, command
        assert lines(result.stderr) == [
            f"error: {tmp_path / 'generate.toml'}:1: jobs: expected a number of processes of at least 1, such as 2, found 0"]
        assert "Traceback" not in result.output
    assert sorted(os.listdir(tmp_path)) == ["generate.toml"]  # nothing written
