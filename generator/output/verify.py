"""``generate verify``: the published files are intact and every one states the key facts in its language."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.errors import VerificationError
from generator.output.extract import extract_text, language_tags, normalize_space
from generator.output.keyfacts import key_facts
from generator.output.writer import read_manifest

if TYPE_CHECKING:
    from generator.templating.build_context import BuildContext
    from generator.facts.load import LoadedFacts
    from generator.pipeline.cache import VerifiedMemo

READABLE_FORMATS = {"pdf", "docx", "pptx", "md"}


def facts_of(out_dir: Path) -> Path:
    """The fact file OUT was built from, as the build recorded it beside OUT (``.OUT.generate/``;
    not in manifest.json, whose bytes do not depend on where files are); :class:`VerificationError`
    (one line) when OUT has no manifest, no record (a copy of OUT, or an earlier version built it)
    or the recorded file is gone."""
    from generator.output.workspace import recorded_facts

    out_dir = Path(out_dir)
    if read_manifest(out_dir) is None:
        raise VerificationError(f"{out_dir / 'manifest.json'}: missing or unreadable; build first with `generate all`")
    path = recorded_facts(out_dir)
    if path is None:
        raise VerificationError(f"{out_dir}: no record of the fact file it was built from (a copy, or built by an "
                                "earlier version); pass --facts")
    if not path.is_file():
        raise VerificationError(f"{out_dir}: built from {path}, which is no longer there; pass --facts, or rebuild")
    return path


def verify_output(out_dir: Path, build: "BuildContext", memo: "VerifiedMemo | None" = None) -> list[str]:
    """Every problem found in ``out_dir`` (empty when all is well).

    ``memo`` (a set-like of check keys, see :class:`generator.pipeline.cache.VerifiedMemo`) lets a
    rebuild skip re-reading documents already verified against the same key facts.
    """
    out_dir = Path(out_dir)
    loaded = build.loaded
    manifest = read_manifest(out_dir)
    if manifest is None:
        return [f"{out_dir / 'manifest.json'}: missing or unreadable; build first with `generate all`"]
    problems: list[str] = []
    recorded = manifest.get("facts", {}).get("sha256")
    if recorded != loaded.sha256:
        problems.append(f"manifest.json: built from a different fact file than {loaded.document.file} "
                        "(sha256 differs); rebuild, or pass the right --facts")
    for record in manifest.get("documents", []):
        path = str(record.get("path", ""))
        problems += _verify_document(out_dir, path, record, build, memo)
    return problems + _verify_listing(out_dir, manifest, loaded)


def _verify_listing(out_dir: Path, manifest: dict, loaded: LoadedFacts) -> list[str]:
    """The download pages, manifest.json and the documents on disk name the same files with the same checksums.

    A page showing an old SHA-256 tells a reader who checks it that a good file is corrupt.
    """
    from generator.output.site import page_name

    documents = {str(d.get("path")): d for d in manifest.get("documents", []) if isinstance(d, dict)}
    digests = {d.get("sha256") for d in documents.values()}
    facts = loaded.facts
    problems = []
    for lang in facts.languages:
        folder = out_dir / lang
        on_disk = sorted(p.relative_to(out_dir).as_posix() for p in folder.rglob("*")
                         if p.is_file() and p.suffix.lstrip(".") in READABLE_FORMATS) if folder.is_dir() else []
        problems += [f"{path}: in {out_dir} but not in manifest.json" for path in on_disk if path not in documents]
        name = page_name(lang, facts.primary_language)
        page = out_dir / name
        if not page.is_file():
            problems.append(f"{name}: missing: the download page was not published; run `generate all`")
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        linked = {html.unescape(href) for href in re.findall(r'href="([^"]*)"', text)}
        problems += [f"{name}: does not link {path}, which manifest.json lists" for path in sorted(documents)
                     if path not in linked]
        problems += [f"{name}: links {href}, which manifest.json does not list" for href in sorted(linked)
                     if PurePosixPath(href).suffix.lstrip(".") in READABLE_FORMATS and href not in documents]
        problems += [f"{name}: shows SHA-256 {digest}, which is no document's in manifest.json (the page is stale)"
                     for digest in sorted(set(re.findall(r"\b[0-9a-f]{64}\b", text)) - digests)]
    return problems


def _verify_document(out_dir, path, record, build: "BuildContext", memo=None) -> list[str]:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not path:
        return [f"manifest.json: document path {path!r} is not inside the output directory"]
    file = out_dir / relative
    if not file.is_file():
        return [f"{path}: listed in manifest.json but missing"]
    data = file.read_bytes()
    if hashlib.sha256(data).hexdigest() != record.get("sha256") or len(data) != record.get("bytes"):
        return [f"{path}: content differs from manifest.json (sha256 or size); the file was altered"]
    fmt, lang = record.get("format"), record.get("lang")
    if fmt not in READABLE_FORMATS:
        return []
    loaded = build.loaded
    if lang not in loaded.facts.languages:
        return [f"{path}: language {lang!r} is not a language of the fact file"]
    i18n = build.localizer(lang)
    expected = [fact for fact in key_facts(loaded.facts, i18n, loaded.previous) if _shown_by(record.get("kind"), fact)]
    # The same bytes checked against the same expectations give the same answer.
    memo_key = hashlib.sha256(json.dumps([fmt, hashlib.sha256(data).hexdigest(), i18n.labels.language_tag,
                                          [(f.name, f.text) for f in expected]]).encode()).hexdigest()
    if memo is not None and memo_key in memo:
        return []
    try:
        text = extract_text(file, fmt)
        tags = language_tags(file, fmt)
    except Exception as exc:  # a corrupt document is a finding, not a crash
        return [f"{path}: cannot be opened as {fmt}: {exc}"]
    problems = [f"{path}: missing {fact.name} {fact.text!r}"
                for fact in expected if not states(text, fact.text)]
    expected_tag = i18n.labels.language_tag
    if expected_tag not in tags:
        problems.append(f"{path}: not tagged as {expected_tag} (found {', '.join(sorted(tags)) or 'no language tag'})")
    if memo is not None and not problems:
        memo.add(memo_key)
    return problems


def states(text: str, phrase: str) -> bool:
    """Whether ``text`` states ``phrase`` as a whole phrase: not inside a longer word or number
    ("2" is not found in "2001", "2,5" or "12"; "ACTIP" not in "ACTIPS"; "草案" is in "草案译文")."""
    phrase = normalize_space(phrase)
    if not phrase:
        return True
    pattern = rf"(?<!{_WORD})(?<!\d[.,])" + re.escape(phrase) + rf"(?!{_WORD})(?![.,]\d)"
    return re.search(pattern, text) is not None


#: A letter or digit of a language that spaces its words: Chinese and Japanese write none between
#: words, so a Han character next to a phrase does not make it part of a longer word ("于2024年").
_WORD = r"[^\W\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"


def _shown_by(kind: object, fact) -> bool:
    """Whether documents of ``kind`` declare that they state ``fact`` (a kind no longer built: every fact)."""
    from generator.renderers import registry

    declaration = registry().get(kind) if isinstance(kind, str) else None
    return declaration is None or declaration.shows is None or fact.name in declaration.shows


def require_verified(out_dir: Path, build: "BuildContext", memo: "VerifiedMemo | None" = None) -> None:
    """Raise :class:`VerificationError` listing every problem, if any."""
    problems = verify_output(out_dir, build, memo)
    if problems:
        count = len(problems)
        raise VerificationError("\n".join(problems) + f"\nverification failed: {count} problem{'s' * (count != 1)}")
