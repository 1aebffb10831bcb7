"""Benchmarks of ``generate``: full build, no-op rebuild, one-fact rebuilds, start-up, memory, scale, and Pandoc.

    .venv/bin/python benchmarks/run.py                 # everything, 5 runs each (about 10 minutes on 2 CPUs)
    .venv/bin/python benchmarks/run.py --runs 3 --scale 1 4 --no-peer

Every figure is the median of ``--runs`` runs of the real command line in a fresh process
(``python -m generator ...``). The code measured is a snapshot of this project taken when
the run starts, so edits made meanwhile do not disturb it. Memory: the peak resident set
of the largest process (``wait4`` rusage, i.e. ``RUSAGE_CHILDREN``) and the peak of the
summed proportional set sizes of all processes of the build (workers included).

The report (Markdown and JSON) goes to ``benchmarks/results/`` (git-ignored) and the table
to standard output. Needs the ``bench`` extra (``pip install -e '.[bench]'``) for the
Pandoc comparison; without it that part is skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

from measure import Run, Series, run
from peer import convert_all, pandoc_path, pandoc_version, prepare
from scale import statement_count, write_scaled

from generator.renderers import kinds

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RESULTS = HERE / "results"
#: What a snapshot needs to run: the package, its templates and facts, and these scripts.
SNAPSHOT_PARTS = ("generator", "templates", "facts", "benchmarks")
KINDS = tuple(kinds())  # every registered kind


class Bench:
    """Runs ``generate`` from a snapshot of the project, in a scratch directory."""

    def __init__(self, scratch: Path, jobs: int | None) -> None:
        self.scratch = scratch
        self.root = scratch / "project"
        for part in SNAPSHOT_PARTS:
            shutil.copytree(PROJECT / part, self.root / part, ignore=shutil.ignore_patterns("__pycache__", "results"))
        self.env = {**os.environ, "PYTHONPATH": str(self.root),
                    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: compiled modules are cached
        self.jobs = jobs
        # The `generate` script users run (PYTHONPATH puts the snapshot before the installed
        # checkout); `python -m generator` would add runpy's imports to every start-up time.
        script = Path(sys.executable).parent / "generate"
        self.command = [str(script)] if script.is_file() else [sys.executable, "-m", "generator"]

    def generate(self, *args: str, cwd: Path | None = None, check: bool = True) -> Run:
        measured = run([*self.command, *args], cwd=cwd or self.scratch, env=self.env)
        if check and measured.returncode != 0:
            raise RuntimeError(f"generate {' '.join(args)} failed:\n{measured.stderr[-3000:]}")
        return measured

    def build(self, facts: Path, out: Path, *extra: str) -> Run:
        jobs = ["--jobs", str(self.jobs)] if self.jobs and "--jobs" not in extra else []
        return self.generate("all", "--facts", str(facts), "--out", str(out), *jobs, *extra)

    def six(self, facts: Path, out: Path) -> Run:
        """The six documents the peer makes, built by one process (see ``six.py``)."""
        jobs = ["--jobs", str(self.jobs)] if self.jobs else []
        measured = run([sys.executable, str(self.root / "benchmarks" / "six.py"), "--facts", str(facts),
                        "--out", str(out), *jobs], cwd=self.scratch, env=self.env)
        if measured.returncode != 0:
            raise RuntimeError(f"six.py failed:\n{measured.stderr[-3000:]}")
        return measured

    @staticmethod
    def clean(out: Path) -> None:
        for path in (out, out.parent / f".{out.name}.generate"):  # OUT and its build folder (lock, cache)
            shutil.rmtree(path, ignore_errors=True)


def rendered_documents(measured: Run) -> list[str]:
    """``brief (vi)`` ... for every document the build rendered (not taken from the cache)."""
    return re.findall(r"\] (\w+ \(\w[\w-]*\)): rendered in", measured.stderr)


def bench_startup(bench: Bench, runs: int) -> list[Series]:
    series = []
    notes = {"check": "repeated with nothing changed: the passed check's report, from its memo",
             "check --no-cache": "validates the facts and lints every template"}
    for args in (["--help"], ["check"], ["check", "--no-cache"], ["schema"]):
        what = notes.get(" ".join(args), "start-up")
        item = Series(f"generate {' '.join(args)}", note=f"{what}; imports no rendering library")
        bench.generate(*args)  # compiles the modules once
        item.runs = [bench.generate(*args) for _ in range(runs)]
        series.append(item)
    return series


def one_fact_variants(facts: Path, out: Path, folder: Path) -> dict[str, tuple[Path, Path, str]]:
    """Per kind, two versions of the fact file differing in one text only that kind's documents show.

    The fact is chosen from what the last build recorded (``.OUT.generate/cache/entries``). Both
    versions are written by the same YAML writer so that nothing else differs.
    """
    entries = {p.stem: json.loads(p.read_text(encoding="utf-8"))
               for p in (out.parent / f".{out.name}.generate" / "cache" / "entries").glob("*.json")}
    data = yaml.safe_load(facts.read_text(encoding="utf-8"))
    previous = (data.get("document") or {}).get("previous_edition")
    if previous:  # the variants are written elsewhere: their previous edition goes with them
        (folder / previous).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(facts.parent / previous, folder / previous)
    readers: dict[str, set[str]] = {}
    for document, entry in entries.items():
        for key in entry["facts"]:
            readers.setdefault(key, set()).add(document.split("-", 1)[0])
    variants = {}
    for kind in KINDS:
        for key in sorted(readers, key=lambda k: (not k.endswith('"text"]'), len(k), k)):  # statements first
            path = json.loads(key)
            if readers[key] != {kind} or not path:
                continue
            value = _at(data, path)
            if not (isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values())):
                continue  # a text in every language, so that appending to it keeps the file valid
            changed = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
            target = _at(changed, path)
            for lang in target:
                target[lang] += " (revised)"
            first, second = folder / f"facts-{kind}-a.yaml", folder / f"facts-{kind}-b.yaml"
            first.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            second.write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
            variants[kind] = (first, second, ".".join(str(step) for step in path))
            break
    return variants


def _at(data, path):
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def bench_incremental(bench: Bench, facts: Path, out: Path, runs: int) -> list[Series]:
    """No-op rebuilds, then per kind rebuilds after a one-fact change (alternating two versions)."""
    bench.clean(out)
    bench.build(facts, out)
    noop = Series("no-op rebuild (`generate all` again)")
    noop.runs = [bench.build(facts, out) for _ in range(runs)]
    assert all(rendered_documents(r) == [] for r in noop.runs), "a no-op rebuild rendered something"
    noop.note = "rendered nothing; OUT left untouched"
    series = [noop]
    variants = one_fact_variants(facts, out, bench.scratch)
    live, target = bench.scratch / "facts.yaml", bench.scratch / "out-changes"
    if variants:
        shutil.copy(next(iter(variants.values()))[0], live)  # version A is the same for every kind
        bench.clean(target)
        bench.build(live, target)
    for kind, (first, second, fact) in variants.items():
        item = Series(f"one-fact change shown by the {kind} only")
        for index in range(runs):
            shutil.copy(second if index % 2 == 0 else first, live)
            item.runs.append(bench.build(live, target))
        if runs % 2:  # back to version A for the next kind (not measured)
            shutil.copy(first, live)
            bench.build(live, target)
        rebuilt = sorted({doc for r in item.runs for doc in rendered_documents(r)})
        item.note = f"changed `{fact}`; rebuilt: {', '.join(rebuilt)}"
        series.append(item)
    return series


def bench_builds(bench: Bench, facts: Path, out: Path, runs: int, pandoc: str | None, label: str,
                 serial: bool = False) -> dict:
    """Full builds from scratch, with ``--jobs 1`` too if ``serial``, and Pandoc's six conversions.

    The three are interleaved, run by run, so that all see the same machine: a ratio is the
    median of the ratios of the runs, not a ratio of medians taken minutes apart.
    """
    full = Series(f"full build (`generate all`, empty OUT and cache){'' if label == 'bundled' else ', ' + label}")
    one = Series("full build with `--jobs 1`", note="everything in one process") if serial else None
    six = Series(f"the peer's six documents (brief, handout, slides; empty OUT and cache)"
                 f"{'' if label == 'bundled' else ', ' + label}", note="`benchmarks/six.py`: no cards")
    peer_runs: list[list] = []
    inputs = None
    for _ in range(runs):
        bench.clean(out)
        six.runs.append(bench.six(facts, out))
        bench.clean(out)
        full.runs.append(bench.build(facts, out))
        if one is not None:
            bench.clean(out)
            one.runs.append(bench.build(facts, out, "--jobs", "1"))
        if pandoc:
            inputs = inputs or prepare(pandoc, root=bench.root, python=sys.executable, env=bench.env, facts=facts,
                                       out=out, folder=bench.scratch / f"peer-{label}")
            peer_runs.append(convert_all(pandoc, inputs, bench.env))
    full.note = f"renders {len(rendered_documents(full.runs[-1]))} documents, verifies, publishes"
    result: dict = {"full": full, "serial": one, "six": six, "peer": None, "ratios": {}}
    if one is not None:
        result["ratios"]["full ÷ --jobs 1"] = _median_ratio(full.runs, one.runs, "seconds")
    if pandoc and inputs is not None:
        totals = [_Total(rs) for rs in peer_runs]
        result["peer"] = {
            "median_seconds": round(statistics.median(t.seconds for t in totals), 3),
            "median_cpu_seconds": round(statistics.median(t.cpu_seconds for t in totals), 3),
            "seconds": [round(t.seconds, 3) for t in totals],
            "median_max_rss_mb": round(statistics.median(max(r.max_rss_kb for _, r in rs) for rs in peer_runs) / 1024, 1),
            "median_peak_pss_mb": round(statistics.median(max(r.peak_pss_kb for _, r in rs) for rs in peer_runs) / 1024, 1),
            "documents": {name: round(statistics.median(rs[i][1].seconds for rs in peer_runs), 3)
                          for i, (name, _) in enumerate(peer_runs[0])},
            "pages": {lang: _pdf_pages(inputs.folder / f"peer-brief-{lang}.pdf") for lang in inputs.langs},
        }
        result["ratios"]["full ÷ Pandoc"] = _median_ratio(full.runs, totals, "seconds")
        result["ratios"]["full ÷ Pandoc, CPU time"] = _median_ratio(full.runs, totals, "cpu_seconds")
        result["ratios"]["six documents ÷ Pandoc"] = _median_ratio(six.runs, totals, "seconds")
        result["ratios"]["six documents ÷ Pandoc, CPU time"] = _median_ratio(six.runs, totals, "cpu_seconds")
        if one is not None:
            result["ratios"]["--jobs 1 ÷ Pandoc"] = _median_ratio(one.runs, totals, "seconds")
    return result


class _Total:
    """Pandoc's six conversions of one run, added up."""

    def __init__(self, results: list) -> None:
        self.seconds = sum(r.seconds for _, r in results)
        self.cpu_seconds = sum(r.cpu_seconds for _, r in results)


def _median_ratio(ours: list, theirs: list, attribute: str) -> float:
    return statistics.median(getattr(a, attribute) / getattr(b, attribute) for a, b in zip(ours, theirs))


def bench_scale(bench: Bench, factors: list[int], runs: int, pandoc: str | None) -> list[dict]:
    rows = []
    for factor in factors:
        facts = bench.scratch / f"facts-{factor}x.yaml"
        info = write_scaled(factor, facts, bench.root / "facts" / "hanoi-convention.yaml")
        bench.generate("check", "--facts", str(facts))  # the generated file is valid
        out = bench.scratch / f"out-{factor}x"
        measured = bench_builds(bench, facts, out, runs, pandoc, f"{factor}x")
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        rows.append({"factor": factor, "statements": info["statements"], "fact_file_bytes": info["bytes"],
                     "ours": measured["full"].as_dict(), "peer": measured["peer"], "ratios": measured["ratios"],
                     "pages": {d["lang"]: d["pages"] for d in manifest["documents"] if d["kind"] == "brief" and d["format"] == "pdf"},
                     "output_bytes": sum(d["bytes"] for d in manifest["documents"])})
    return rows


def _pdf_pages(path: Path) -> int | None:
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:
        return None


def machine() -> dict:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpus": len(os.sched_getaffinity(0)), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def report_markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"# generate benchmarks, {result['date']}", "",
             f"{m['cpus']} CPUs ({m['cpu'] or 'unknown CPU'}), Python {m['python']}; load average at start "
             f"{', '.join(map(str, m['load_average_at_start']))}, at end {', '.join(map(str, result['load_average_at_end']))}. "
             f"Medians of {result['runs']} runs (min–max in brackets); `--jobs {result['jobs'] or 'default'}`.", "",
             "| scenario | median wall time | min–max | CPU time | peak RSS, largest process | peak memory, all processes (PSS) | note |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for s in result["series"]:
        lines.append(f"| {s['name']} | {s['median_seconds']:.2f} s | {s['min_seconds']:.2f}–{s['max_seconds']:.2f} s | "
                     f"{s['median_cpu_seconds']:.2f} s | "
                     f"{s['median_max_rss_mb']:.0f} MB | {s['median_peak_pss_mb']:.0f} MB | {s['note']} |")
    if result.get("ratios"):
        lines += ["", "Ratios (medians): " + "; ".join(f"{name} {value:.2f}" for name, value in result["ratios"].items())]
    if result.get("peer"):
        peer = result["peer"]
        lines += ["", f"Pandoc ({result['pandoc']}), the six documents one process each, bundled facts, "
                  "interleaved run by run with our full builds (ratios are medians of the runs' ratios): "
                  f"{peer['median_seconds']:.2f} s median ({peer['median_cpu_seconds']:.2f} s CPU); per document: "
                  + ", ".join(f"{k} {v:.2f} s" for k, v in peer["documents"].items())
                  + f"; its PDFs have {', '.join(f'{v} pages ({k})' for k, v in peer['pages'].items())}."]
    if result.get("scale"):
        lines += ["", "| content | statements | fact file | full build | CPU time | peak RSS | peak PSS | brief pages | Pandoc | "
                  "ours ÷ Pandoc | the six documents ÷ Pandoc |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
        for row in result["scale"]:
            ours, peer = row["ours"], row.get("peer")
            pages = ", ".join(f"{v} ({k})" for k, v in row["pages"].items())
            peer_cell = f"{peer['median_seconds']:.1f} s ({peer['median_cpu_seconds']:.1f} s CPU)" if peer else "–"
            ratio = (f"{row['ratios']['full ÷ Pandoc']:.2f} ({row['ratios']['full ÷ Pandoc, CPU time']:.2f} CPU)"
                     if peer else "–")
            six = (f"{row['ratios']['six documents ÷ Pandoc']:.2f} "
                   f"({row['ratios']['six documents ÷ Pandoc, CPU time']:.2f} CPU)" if peer else "–")
            lines.append(f"| {row['factor']}x | {row['statements']} | {row['fact_file_bytes'] / 1000:,.0f} kB | "
                         f"{ours['median_seconds']:.1f} s ({ours['runs']} run{'s' * (ours['runs'] != 1)}) | "
                         f"{ours['median_cpu_seconds']:.1f} s | "
                         f"{ours['median_max_rss_mb']:.0f} MB | {ours['median_peak_pss_mb']:.0f} MB | {pages} | "
                         f"{peer_cell} | {ratio} | {six} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (median reported; default 5)")
    parser.add_argument("--scale", type=int, nargs="*", default=[1, 4, 16], help="content factors (default 1 4 16)")
    parser.add_argument("--scale-runs", type=int, default=1, help="runs per scale factor (default 1: a 16x build takes minutes)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for the builds (default: generate's own, one per CPU)")
    parser.add_argument("--no-peer", action="store_true", help="skip the Pandoc comparison")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)

    pandoc = None if args.no_peer else pandoc_path()
    if not args.no_peer and pandoc is None:
        print("pypandoc-binary is not installed (pip install -e '.[bench]'): skipping the Pandoc comparison", file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="generate-bench-"))
    try:
        bench = Bench(scratch, args.jobs)
        facts = bench.root / "facts" / "hanoi-convention.yaml"
        out = scratch / "out"
        result = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "runs": args.runs,
                  "jobs": args.jobs, "statements": statement_count(yaml.safe_load(facts.read_text(encoding="utf-8")))}
        print(f"benchmarking in {scratch} ({result['machine']['cpus']} CPUs) ...", file=sys.stderr)
        series = bench_startup(bench, args.runs)
        builds = bench_builds(bench, facts, out, args.runs, pandoc, "bundled", serial=True)
        full = builds["full"]
        series += [full, builds["serial"], builds["six"]]
        series += bench_incremental(bench, facts, out, args.runs)
        result["series"] = [s.as_dict() for s in series]
        result["ratios"] = dict(builds["ratios"])
        for item in series:
            if item.name.startswith(("no-op", "one-fact")):
                result["ratios"][f"{item.name} ÷ full"] = item.seconds / full.seconds
                result["ratios"][f"{item.name} ÷ full, CPU time"] = item.cpu_seconds / full.cpu_seconds
        if builds["peer"]:
            result["pandoc"] = pandoc_version(pandoc)
            result["peer"] = builds["peer"]
        if args.scale:
            result["scale"] = bench_scale(bench, args.scale, args.scale_runs, pandoc)
        result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        markdown = report_markdown(result)
        RESULTS.mkdir(exist_ok=True)
        stamp = result["date"].replace(":", "")
        (RESULTS / f"{stamp}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (RESULTS / f"{stamp}.md").write_text(markdown, encoding="utf-8")
        (RESULTS / "latest.md").write_text(markdown, encoding="utf-8")
        print(markdown)
        print(f"report: {RESULTS / (stamp + '.md')}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
