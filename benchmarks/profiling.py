"""Profile one ``generate`` command in this process (``--jobs 1`` to profile the rendering too).

    .venv/bin/python benchmarks/profiling.py -o /tmp/all.prof -- all --jobs 1 --no-cache --out /tmp/out
    .venv/bin/python benchmarks/profiling.py --sort tottime -- check --facts /tmp/facts-5000-sources.yaml

``--cpu`` times by CPU time instead of the wall clock: steadier when other programs load the
machine, but each timing is a system call, so the profile runs several times slower. The statistics are printed (``--top`` lines, sorted by ``--sort``) and, with
``-o``, saved for ``pstats`` or snakeviz.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", help="save the profile to this file")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (default: cumulative)")
    parser.add_argument("--top", type=int, default=40, help="lines to print (default 40)")
    parser.add_argument("--cpu", action="store_true", help="time by CPU time (slower; steady under load)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="generate's arguments, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    from generator.commands.cli import main as generate

    profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    status = 0
    profile.enable()
    try:
        generate(command, standalone_mode=False)
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        profile.disable()
    if args.output:
        profile.dump_stats(args.output)
    pstats.Stats(profile, stream=sys.stderr).sort_stats(args.sort).print_stats(args.top)
    return status


if __name__ == "__main__":
    sys.exit(main())
