"""Larger fact files for the scale series: the bundled file's content times 4, 16, ...

A scaled file keeps every fact of the original and adds, for a factor k:

- k - 1 variants of every item of the lists documents print in full (safeguards,
  criticisms, sessions, next steps, ...), each citing its own variant of the original's
  sources; lists that a format caps (a slide shows at most 10 timeline events and 16
  tiles, so the timeline, the offences and the institutions) keep their length;
- article-by-article notes ("Article 12 is in Chapter II: Criminalization"), derived from the
  chapter table and cited with the chapter's sources, until the file holds k times the
  original's number of sourced statements.

Variants are marked "(variant 2)" so that no text repeats. The result passes
``generate check`` (the benchmark runs it before measuring).

``--sources N`` instead keeps the content and grows the bibliography: copies of the
original sources (titles marked "(copy 2)", ...) until the file lists N sources, each
cited once, by the sourced statements in turn. It measures what grows with the number of
sources alone (checks, citation numbering, the source list).

    python benchmarks/scale.py 4 -o /tmp/facts-4x.yaml
    python benchmarks/scale.py --sources 5000 -o /tmp/facts-5000-sources.yaml
"""

from __future__ import annotations

import argparse
import os
import copy
import sys
from pathlib import Path
from typing import Iterator

import yaml

from generator.templating.environment import to_roman

HERE = Path(__file__).resolve().parent
BUNDLED = HERE.parent / "facts" / "hanoi-convention.yaml"
#: Lists whose items documents print one by one; each item is a sourced object.
REPEATED_LISTS = (
    ("adoption", "significance"), ("negotiation", "facts"), ("negotiation", "sessions"), ("structure", "notes"),
    ("signature", "ceremony", "facts"), ("signature", "facts"), ("safeguards",), ("criticisms",),
    ("responses",), ("country_role", "points"), ("country_role", "interview", "points"), ("next_steps",),
)
#: The length a statement's ``short`` text may have (a slide bullet; generator.renderers.slides.outline).
SHORT_LIMIT = 110
_ARTICLE_NOTE = {"vi": "Điều {n} thuộc Chương {roman}: {title}.", "en": "Article {n} is in Chapter {roman}: {title}.",
                 "fr": "L'article {n} fait partie du chapitre {roman} : {title}."}
_VARIANT = {"vi": "bản {j}", "en": "variant {j}", "fr": "variante {j}"}


def scaled(data: dict, factor: int) -> dict:
    """A copy of the fact file ``data`` (as loaded from YAML) with ``factor`` times its content."""
    if factor < 1:
        raise ValueError("the factor must be at least 1")
    result = copy.deepcopy(data)
    if factor == 1:
        return result
    languages = result["languages"]
    original_sources = list(result["sources"])
    for j in range(2, factor + 1):
        for source in original_sources:
            variant = copy.deepcopy(source)
            variant["id"] = _variant_id(source["id"], j)
            variant["title"] = _mark(variant["title"], j, languages)
            result["sources"].append(variant)
    for path in REPEATED_LISTS:
        items = _get(result, path)
        if not items:
            continue
        originals = list(items)
        for j in range(2, factor + 1):
            items += [_variant(item, j, languages) for item in originals]
    for number, session in enumerate(result["negotiation"]["sessions"], start=1):
        session["number"] = number
    target = factor * statement_count(data)
    notes = result["structure"]["notes"]
    for note in _article_notes(result, languages):
        if statement_count(result) >= target:
            break
        notes.append(note)
    cited = set(_cited(result))
    result["sources"] = [s for s in result["sources"] if s in original_sources or s["id"] in cited]
    return result


def with_sources(data: dict, total: int) -> dict:
    """A copy of ``data`` citing ``total`` sources: copies of the originals, each cited by one statement.

    Only primary and secondary sources are copied: the statements citing the copies are plain
    facts, which an advocacy source may not support (``generate check``'s advocacy rule).
    """
    result = copy.deepcopy(data)
    originals = [s for s in result["sources"] if s.get("reliability") != "advocacy"]
    citing = [item for item in _sourced_items(result) if item is not result]
    copies = total - len(result["sources"])
    for n in range(max(0, copies)):
        source = copy.deepcopy(originals[n % len(originals)])
        j = 2 + n // len(originals)
        source["id"] = _variant_id(source["id"], j)
        source["title"] = _copy_mark(source["title"], j)
        result["sources"].append(source)
        citing[n % len(citing)]["sources"].append(source["id"])
    return result


def _sourced_items(data: object) -> Iterator[dict]:
    """Every mapping with a ``sources`` list of ids (a sourced statement), in file order."""
    if isinstance(data, dict):
        value = data.get("sources")
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            yield data
        for key, value in data.items():
            if key != "sources":
                yield from _sourced_items(value)
    elif isinstance(data, list):
        for item in data:
            yield from _sourced_items(item)


def _copy_mark(title: object, j: int) -> object:
    if isinstance(title, dict):
        return {lang: f"{text} (copy {j})" for lang, text in title.items()}
    return f"{title} (copy {j})"


def _cited(data: object) -> Iterator[str]:
    """Every source id the file cites (``sources`` lists and claims' ``source``)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "sources" and isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield from value
            elif key == "source" and isinstance(value, str):
                yield value
            else:
                yield from _cited(value)
    elif isinstance(data, list):
        for item in data:
            yield from _cited(item)


def statement_count(data: object) -> int:
    """Sourced objects in the file (what a reader sees as a fact): mappings with ``sources``, outside ``sources``."""
    if isinstance(data, dict):
        own = 1 if isinstance(data.get("sources"), list) and data.get("sources") and \
            all(isinstance(s, str) for s in data["sources"]) else 0
        return own + sum(statement_count(v) for k, v in data.items() if k != "sources")
    if isinstance(data, list):
        return sum(statement_count(item) for item in data)
    return 0


def _article_notes(data: dict, languages: list[str]) -> Iterator[dict]:
    rounds = 1
    while True:  # more rounds only for very large factors: each round marked as a variant
        for chapter in data["structure"]["chapters"]:
            for n in range(chapter["first_article"], chapter["last_article"] + 1):
                text = {lang: _ARTICLE_NOTE.get(lang, _ARTICLE_NOTE["en"]).format(
                    n=n, roman=to_roman(chapter["number"]), title=chapter["title"].get(lang, chapter["title"][languages[0]]))
                    for lang in languages}
                note = {"text": text, "sources": list(chapter["sources"])}
                yield _variant(note, rounds, languages) if rounds > 1 else note
        rounds += 1


def _variant(item: object, j: int, languages: list[str]) -> object:
    """``item`` with every text marked as variant ``j`` and every source id pointing at variant ``j``."""
    if isinstance(item, dict):
        if set(item) and set(item) <= set(languages) and all(isinstance(v, str) for v in item.values()):
            return _mark(item, j, languages)
        out = {}
        for key, value in item.items():
            if key == "sources" and isinstance(value, list):
                out[key] = [_variant_id(source, j) for source in value]
            elif key == "source" and isinstance(value, str):
                out[key] = _variant_id(value, j)
            elif key == "short" and isinstance(value, dict):  # a slide bullet: must stay within its limit
                out[key] = {lang: _shortened(text, f" ({j})") for lang, text in value.items()}
            elif key == "quote" and isinstance(value, str):
                out[key] = f"{value} ({j})"
            else:
                out[key] = _variant(value, j, languages)
        return out
    if isinstance(item, list):
        return [_variant(value, j, languages) for value in item]
    return item


def _mark(text: object, j: int, languages: list[str]) -> object:
    if isinstance(text, dict):
        return {lang: f"{value} ({_VARIANT.get(lang, _VARIANT['en']).format(j=j)})" for lang, value in text.items()}
    return f"{text} ({j})"


def _shortened(text: str, mark: str, limit: int = SHORT_LIMIT) -> str:
    words = " ".join(text.split()).split(" ")
    while len(" ".join(words)) + len(mark) > limit and len(words) > 1:
        words.pop()
    return " ".join(words) + mark


def _variant_id(source_id: str, j: int) -> str:
    return source_id if j == 1 else f"{source_id[:58]}-v{j}"


def _get(data: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data



def write_scaled(factor: int, target: Path, source: Path = BUNDLED, *, sources: int | None = None) -> dict:
    """Write the scaled file (or, with ``sources``, the file citing that many sources); returns its
    statement and source counts and size next to the original's."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if sources is not None:
        result = with_sources(data, sources)
        text = f"# Generated by benchmarks/scale.py: the bundled facts citing {sources} sources. Do not edit.\n"
    else:
        result = scaled(data, factor)
        text = "# Generated by benchmarks/scale.py: the bundled facts times {k}. Do not edit.\n".format(k=factor)
    _keep_previous_edition(result, source, target)
    text += yaml.safe_dump(result, allow_unicode=True, sort_keys=False, width=120)
    target.write_text(text, encoding="utf-8")
    return {"factor": factor, "statements": statement_count(result), "base_statements": statement_count(data),
            "sources": len(result["sources"]),
            "bytes": len(text.encode("utf-8")), "base_bytes": len(source.read_bytes())}


def _keep_previous_edition(data: dict, source: Path, target: Path) -> None:
    """Point ``document.previous_edition`` (relative to the fact file) at the same file from ``target``."""
    document = data.get("document") or {}
    previous = document.get("previous_edition")
    if isinstance(previous, str):
        absolute = (source.resolve().parent / previous).resolve()
        document["previous_edition"] = os.path.relpath(absolute, target.resolve().parent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("factor", type=int, nargs="?", default=1)
    parser.add_argument("--sources", type=int, default=None,
                        help="instead of scaling the content, cite this many sources (copies of the originals)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--facts", type=Path, default=BUNDLED, help="fact file to scale (default: the bundled one)")
    args = parser.parse_args(argv)
    info = write_scaled(args.factor, args.output, args.facts, sources=args.sources)
    print(f"wrote {args.output}: {info['statements']} statements ({info['statements'] / info['base_statements']:.1f}x), "
          f"{info['sources']} sources, "
          f"{info['bytes']:,} bytes ({info['bytes'] / info['base_bytes']:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
