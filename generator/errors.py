"""Every exception the toolkit defines.

The :class:`GenerateError` family is every error a user can cause, each printed as one line per
problem with no traceback; anything else that escapes is a bug in the toolkit and keeps its
traceback. The two signals at the end never reach the user as such: their catchers turn them
into a :class:`GenerateError`. (The sandbox's own refusals subclass Jinja's exceptions so that
Jinja passes them through, and stay in :mod:`generator.templating.sandbox` to keep Jinja out of
every command's start-up.)
"""

from __future__ import annotations

import click


class GenerateError(click.ClickException):
    """A user-facing failure: printed as ``error: ...`` lines, exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:  # noqa: D401 - click API
        for line in self.format_message().splitlines():
            click.echo(f"error: {line}" if line else "", file=file, err=True)


class FactFileError(GenerateError):
    """Raised when a fact file cannot be read or fails validation; lists every problem."""

    def __init__(self, file: str, problems: list) -> None:
        self.file = file
        self.problems = problems
        count = len(problems)
        lines = [str(p) for p in problems]
        lines.append(f"{count} problem{'s' if count != 1 else ''} in {file}; nothing was generated.")
        super().__init__("\n".join(lines))


class TemplateError(GenerateError):
    """Raised when a template is missing, malformed, or uses a name the facts do not provide."""


class ResourceError(GenerateError):
    """Raised when a document refers to a file or URL outside the allowed template directories."""


class RenderError(GenerateError):
    """Raised when a document cannot be produced from valid facts and templates."""


class ConfigError(GenerateError):
    """Raised for a bad command-line option or configuration value."""


class OutlineError(TemplateError):
    """Raised when the rendered outline is not in the outline format."""


class OutputFolderError(GenerateError):
    """OUT is a folder a build must not write to."""


class WorkspaceError(GenerateError):
    """The folder beside OUT is not one this tool made, or holds something planted."""


class OutputBusyError(GenerateError):
    """Another build holds OUT's lock."""


class ManifestError(GenerateError):
    """``manifest.json`` exists but is not one that ``generate`` wrote."""


class VerificationError(GenerateError):
    """Raised when published documents are missing, altered, or disagree with the facts."""


class ServeError(GenerateError):
    """The server cannot listen as asked (an address that is not this machine's, a port in use)."""


class InputRefused(Exception):
    """A file that is not read: the message says what was expected and what was found."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OverBudget(BaseException):
    """Raised inside the rendering thread when its time is up.

    A BaseException, so that no ``except Exception`` in a library on the way swallows it.
    """
