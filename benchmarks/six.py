"""The six documents Pandoc's pipeline makes (the brief, the handout and the deck in each
language), built, verified and published by one process, as the issue's comparison asks.

``generate all`` also renders the one-page cards, which the peer does not make. This runs
the function behind ``generate brief``, ``generate handout`` and ``generate slides``
(:func:`generator.pipeline.build.build`) for those three kinds at once: the same rendering
processes, cache, verification and download page as a build on the command line.

    python benchmarks/six.py --facts facts/hanoi-convention.yaml --out /tmp/six [--jobs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

KINDS = ["brief", "handout", "slides"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facts", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)

    from generator.commands.cli import Run
    from generator.errors import GenerateError
    from generator.pipeline.build import BuildOptions, build

    run = Run(args.out)
    try:
        records = build(KINDS, BuildOptions(facts=args.facts, out=args.out, jobs=args.jobs), progress=run.progress,
                        report=run.report())
    except GenerateError as error:
        error.show()
        return 1
    print(f"{len(records)} documents in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
