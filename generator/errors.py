"""Every error a user can cause, each printed as one line per problem with no traceback.

Anything else that escapes is a bug in the toolkit and keeps its traceback.
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
