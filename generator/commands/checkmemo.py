"""The check's memo: ``generate check`` run again on unchanged inputs prints the last report at once.

A check reads the fact file (and the previous edition it names), every file on the template
path, the brand file and its logo, the configuration, the fonts and the generator's own code;
with the options and the date, these decide every line it prints. After a check that passed,
the memo keeps its report under a digest of all of them, computed as the build stamp
computes its own (:mod:`generator.pipeline.stamp`: hashing only, no pydantic, Jinja or
WeasyPrint). The next check with the same options in the same place computes the digests
again, and when every one matches it prints the same lines to the same streams and exits the
same way, without loading anything: the way ruff or mypy skip work their cache vouches for.

The memo lives in the user's cache folder (:mod:`generator.usercache`), one entry per command
line and working folder, replaced by each check. It is only ever a shortcut: a missing,
damaged or foreign entry, any error while computing the digests, an input that changed while
the check ran, or ``--no-cache`` means the check runs in full. Only a check that passed is
kept: a failure may come from the machine rather than the files (a template that ran out of
its time budget on a busy machine), so a failing check runs in full every time until it passes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from generator.usercache import read_entry, user_cache_folder, write_entry

MEMO_FORMAT = 1


@dataclass
class CheckMemo:
    """The memo entry of one check command line, and the inputs it was looked up with."""

    options: object
    """The check's :class:`generator.pipeline.build.BuildOptions` (facts, languages, templates, brand)."""
    settings: dict
    """The check's own options (strict, verbose, max_age, fail_stale, time_budget)."""
    today: dt.date
    entry: Path | None
    found: dict | None = None
    before: object | None = None
    """The :class:`generator.pipeline.stamp.Inputs` computed before the check ran."""
    lines: list[tuple[str, bool]] = field(default_factory=list)
    """What this run printed: ``(text, to standard error)``, in order."""

    @classmethod
    def open(cls, options, settings: dict, today: dt.date) -> "CheckMemo":
        """The memo of this command line in this folder, with the inputs as they are now."""
        memo = cls(options, settings, today, None)
        try:
            from generator.pipeline.stamp import current_inputs, describe, first_files

            config = _config_file()
            name = _digest({**describe("check", options), "check": settings, "config": config})
            folder = user_cache_folder("check")
            if folder is None:
                return memo
            memo.entry = folder / f"{name}.json"
            memo.found = _read(memo.entry)
            files = memo.found["files"] if memo.found else first_files(options) + ([config] if config else [])
            memo.before = current_inputs("check", options, files)
        except Exception:  # noqa: BLE001 - the memo is a shortcut: whatever went wrong, the check runs in full
            memo.entry = memo.found = memo.before = None
        return memo

    def replay(self, echo: Callable[..., None]) -> bool | None:
        """Print the kept report and return its verdict when every input matches; else None."""
        if self.found is None or self.before is None or self.found.get("key") != self._key(self.before):
            return None
        try:
            lines = [(str(text), bool(err)) for text, err in self.found["lines"]]
            ok = bool(self.found["ok"])
        except (KeyError, TypeError, ValueError):
            return None
        for text, err in lines:
            echo(text, err=err)
        return ok

    def recorder(self, echo: Callable[..., None]) -> Callable[..., None]:
        """``echo``, also keeping each line for :meth:`save`."""
        def recording_echo(text: str = "", err: bool = False) -> None:
            self.lines.append((text, err))
            echo(text, err=err)

        return recording_echo

    def save(self, ok: bool, read: dict[Path, str | None]) -> None:
        """Keep the report of a check that passed, if every file it read (``read``: path -> digest of the
        bytes read, None when not known) has the same digest after it as before it began or as read.

        A check that read a file it had not digested before and whose bytes it cannot vouch for (a
        logo outside the template folders) keeps only the list of its files: the next check digests
        them all first, and its report is kept.
        """
        if self.entry is None or self.before is None or not ok:
            return
        try:
            from generator.pipeline.stamp import current_inputs

            dirs = self.before.snapshot.dirs
            outside = {os.path.abspath(path): digest for path, digest in read.items()
                       if not any(Path(path).resolve().is_relative_to(d) for d in dirs)}  # else in the snapshot
            new = {path: digest for path, digest in outside.items() if path not in self.before.files}
            files = sorted({*self.before.files, *new})
            if None in new.values():
                data = {"format": MEMO_FORMAT, "files": files, "key": None}
            else:
                after = current_inputs("check", self.options, files)
                if not (after.same_setting(self.before) and after.files == {**self.before.files, **new}):
                    return
                data = {"format": MEMO_FORMAT, "files": files, "key": self._key(after), "ok": ok,
                        "lines": [[text, err] for text, err in self.lines]}
            write_entry(self.entry, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        except Exception:  # noqa: BLE001 - not kept: the next check runs in full
            return

    def _key(self, inputs) -> str:
        """Every input's digest, with the options and the date the freshness notices count from (the
        configuration file's place is in the entry's name, its content among the files)."""
        return _digest({"inputs": inputs.key, "check": self.settings, "today": self.today.isoformat()})


def _config_file() -> str | None:
    """The configuration a check here would read (its content is among the digested files)."""
    from generator.commands.config import find_config

    found = find_config()
    return str(found[0].absolute()) if found else None


def _digest(value: dict) -> str:
    from generator.pipeline.cache import sha256

    return sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def _read(path: Path) -> dict | None:
    data = read_entry(path)
    if data is None:
        return None
    try:
        found = json.loads(data)
    except ValueError:
        return None
    if not isinstance(found, dict) or found.get("format") != MEMO_FORMAT or not isinstance(found.get("files"), list):
        return None
    return found
