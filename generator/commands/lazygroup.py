"""A click group whose subcommands are built only when one is run or shows its help.

``generate --help`` lists every command by name and one line of its help; building the
commands themselves (a hundred-odd options, the kinds' settings) is work only the command
that runs needs. This is click's documented lazy-loading pattern: the group answers
``list_commands`` from names and builds in ``get_command``.
"""

from __future__ import annotations

from gettext import gettext as _
from typing import Callable

import click

from generator.commands.terminal import Context


class LazyGroup(click.Group):
    """A :class:`click.Group` that also holds commands as recipes, built on first use."""

    context_class = Context  # its help measures the terminal without importing shutil

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.recipes: dict[str, tuple[Callable[[], click.Command], str | None]] = {}

    def add_recipe(self, name: str, build: Callable[[], click.Command], help: str | None) -> None:
        """Offer the command ``name``, made by ``build()`` when needed; ``help`` is its help text, for the listing."""
        self.recipes[name] = (build, help)

    def lazy_command(self, name: str, decorators: Callable[[], tuple] = tuple, **attrs) -> Callable:
        """Like ``@group.command(name, **attrs)`` above the ``decorators()`` (options, arguments), all made
        and applied on first use; the function stays a plain function, its docstring the command's help.

        ``decorators`` is a function so that even the option objects (their types, their help) are made
        only then."""

        def register(function: Callable) -> Callable:
            def build() -> click.Command:
                callback = function
                for decorator in reversed(decorators()):
                    callback = decorator(callback)
                return click.command(name, **attrs)(callback)

            self.add_recipe(name, build, attrs.get("help") or function.__doc__)
            return function

        return register

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.recipes})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.recipes:
            build, _ = self.recipes.pop(cmd_name)
            self.add_command(build(), cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as missing:  # suggest from every name, built or not
            raise click.exceptions.NoSuchCommand(missing.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, from each command's help text: a command not built yet is not built for it."""
        commands = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.recipes[name][1])
            if not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
            with formatter.section(_("Commands")):  # click's own heading, translated as click does
                formatter.write_dl(rows)
