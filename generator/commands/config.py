"""Project configuration: ``generate.toml``, or ``[tool.generate]`` in pyproject.toml, in the
working directory or the nearest parent directory that has one (as git finds its repository).

Command-line options override it; it overrides the built-in defaults. Relative paths in
the file are relative to the file's directory, so a project can be built from anywhere inside it.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ConfigError
from generator.errors import InputRefused
from generator.limits import MAX_CONFIG_BYTES, read_or_reason, read_regular_file

CONFIG_FILE = "generate.toml"

#: The settings of every build: name -> (meaning, default shown by `generate config`); each document
#: kind adds its own (:attr:`generator.renderers.Renderer.options`), see :func:`settings`.
GENERAL_SETTINGS: dict[str, tuple[str, object]] = {
    "facts": ("fact file", "facts/hanoi-convention.yaml (bundled)"),
    "out": ("output directory", "output"),
    "languages": ("languages to build", "every language of the fact file"),
    "templates": ("template override directory", None),
    "brand": ("brand file (colours, fonts, logo, organization)", None),
    "jobs": ("documents rendered at once", "one per CPU"),
    "name": ("output file names: NAME-brief.pdf, ...", "the fact file's name"),
    "max_age": ("days after which `check` warns that facts need verifying again", 90),
    "time_budget": ("seconds one document may take to render (0: no limit)", 120),
}
_PATH_SETTINGS = {"facts", "out", "templates", "brand"}


def settings() -> dict[str, tuple[str, object]]:
    """Every setting: the general ones, then each kind's, with meaning and default."""
    from generator.renderers import kind_options

    kinds = {name: (option.meaning, option.default or option.shown_default)
             for name, option in kind_options().items()}
    return {**GENERAL_SETTINGS, **kinds}


@dataclass
class Setting:
    """One configured value and where it came from."""

    value: object
    origin: str


@dataclass
class ProjectConfig:
    """Settings read from a configuration file (only those it sets)."""

    file: Path | None = None
    settings: dict[str, Setting] = field(default_factory=dict)

    def get(self, name: str) -> object:
        setting = self.settings.get(name)
        return setting.value if setting else None


def find_config(directory: Path | None = None) -> tuple[Path, str] | None:
    """``(file, table)`` of the configuration in ``directory`` (default: the working directory)
    or in the nearest of its parents that has one."""
    start = Path(directory or Path.cwd()).absolute()
    for candidate in (start, *start.parents):
        found = _config_in(candidate)
        if found is not None:
            return found
    return None


def _config_in(directory: Path) -> tuple[Path, str] | None:
    config = directory / CONFIG_FILE
    if config.exists() or config.is_symlink():  # whatever it is: reading it says what is wrong
        return config, ""
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(read_regular_file(pyproject, MAX_CONFIG_BYTES).decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError, InputRefused, OSError):
            return None  # not ours to report: only a [tool.generate] table makes it ours
        if isinstance(data.get("tool"), dict) and "generate" in data["tool"]:
            return pyproject, "tool.generate"
    return None


def load_config(directory: Path | None = None) -> ProjectConfig:
    """Read and validate the configuration; raises :class:`ConfigError` naming file, line and key."""
    found = find_config(directory)
    if found is None:
        return ProjectConfig()
    file, table = found
    text = _read_text(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(f"{file}: expected settings nested a few levels deep at most, "
                          f"found arrays or tables nested too deeply to read") from None
    for part in filter(None, table.split(".")):
        data = data[part]
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: [{table}] must be a table of settings")
    config = ProjectConfig(file)
    problems = []
    for key, value in data.items():
        line = _line_of(text, key, table)
        where = f"{file}:{line}"
        known = settings()
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where}: {key}: expected one of the settings {', '.join(known)}, found unknown setting {key!r}{hint}")
            continue
        try:
            config.settings[key] = Setting(_convert(key, value, file.parent), f"{file.name}:{line}")
        except ValueError as exc:
            problems.append(f"{where}: {key}: {exc}")
    if problems:
        raise ConfigError("\n".join(problems))
    return config


def _read_text(file: Path) -> str:
    """The configuration's text: a regular UTF-8 file of at most 1 MB, else one line saying why not."""
    raw, why = read_or_reason(file, MAX_CONFIG_BYTES)
    if raw is None:
        raise ConfigError(f"{file}: {why}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{file}:{line}: expected UTF-8 text, found bytes that are not UTF-8") from None


def _convert(key: str, value: object, base: Path) -> object:
    if key == "languages":
        if isinstance(value, str) and value:
            value = [value]  # languages = "en" means the one language
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise ValueError(f"expected a list of language codes such as [\"vi\", \"en\"], found {value!r}")
        return tuple(value)
    if key == "jobs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"expected a number of processes of at least 1, such as 2, found {value!r}")
        return value
    if key == "name":
        if not (isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value)):
            raise ValueError(f"expected a file name of letters, digits, '.', '_' or '-', such as \"treaty-x\", found {value!r}")
        return value
    if key == "max_age":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"expected a whole number of days (0 or more), found {value!r}")
        return value
    if key in _PATH_SETTINGS:
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a path (text), found {value!r}")
        return (base / value).resolve() if not Path(value).is_absolute() else Path(value)
    if key == "time_budget":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86_400:
            raise ValueError(f"expected a number of seconds from 0 (no limit) to 86400, found {value!r}")
        return float(value)
    from generator.renderers import kind_options

    option = kind_options().get(key)
    if option is not None:
        return option.convert(value)
    raise ValueError(f"unsupported setting {key!r}")  # pragma: no cover - settings() and here agree


def _line_of(text: str, key: str, table: str = "") -> int:
    """The line of ``key = …`` inside ``table`` (after its ``[header]``: pyproject.toml's
    ``[project]`` has a ``name`` of its own), counted in the whole file."""
    start = 0
    if table:
        dotted = r"\s*\.\s*".join(re.escape(part) for part in table.split("."))
        header = re.search(rf"^[ \t]*\[\s*{dotted}\s*\]", text, re.MULTILINE)
        start = header.end() if header else 0
    # [ \t]*, not \s*: a blank line before the key must not count as its line
    match = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def default_map(config: ProjectConfig, commands: list[str]) -> dict[str, dict]:
    """Click ``default_map`` entries so the configuration supplies option defaults to ``commands``."""
    values: dict[str, object] = {}
    from generator.renderers import kind_options

    command_line = [(name, name) for name, option in kind_options().items() if option.command_line]
    for name, option in (("facts", "facts"), ("out", "out"), ("templates", "templates"),
                         ("languages", "langs"), ("brand", "brand"), ("jobs", "jobs"),
                         ("name", "name"), ("max_age", "max_age"), ("time_budget", "time_budget"), *command_line):
        if name in config.settings:
            values[option] = config.settings[name].value
    return {command: dict(values) for command in commands}
