"""Compiled templates kept between runs, so that ``generate check`` and each document do not
compile the same Jinja templates again (compiling was about 40 % of a ``check``).

The cache lives in the user's cache directory (``$XDG_CACHE_HOME/generate/jinja`` or
``~/.cache/generate/jinja``), never in the project, and only this tool writes there. An entry
is used only for the same template name, file, source text (Jinja compares a checksum), Jinja
and Python versions, and the same environment settings, since those change the compiled code
(the slide outline's environment, say, escapes every value for Markdown): a stale or foreign
entry is never used, just replaced. When the directory cannot be made, nothing is cached
(:mod:`generator.usercache`).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache

from generator.usercache import user_cache_folder


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by the environment's settings too."""

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        key = hashlib.sha256("\0".join((_settings(environment), name, filename or "")).encode()).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:  # unreadable: compile as if it were not there
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a full disk, say: the template was compiled all the same
            pass


def _settings(env: jinja2.Environment) -> str:
    """What, besides the source, decides a template's compiled code."""
    def named(value: object) -> str:
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"

    return repr((
        jinja2.__version__, type(env).__module__, type(env).__qualname__,
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, named(env.finalize) if env.finalize else None, named(env.autoescape),
        sorted(env.extensions), sorted(env.filters), sorted(env.tests),
        sorted(getattr(env, "intercepted_binops", ())), sorted(getattr(env, "intercepted_unops", ())),
    ))


@lru_cache(maxsize=1)
def bytecode_cache() -> FileSystemBytecodeCache | None:
    """The cache shared by every environment of this process, or None when it cannot be kept."""
    folder = user_cache_folder("jinja")  # None: not a folder of this user's own, never load code from it
    return None if folder is None else _BytecodeCache(str(folder))
