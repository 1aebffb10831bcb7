"""Hostile input: each malformed, oversized, injected or path-like value is either refused with
one positioned line (``FILE:LINE:COL: field: expected …, found …``) and nothing is written, or it
renders literally, escaped, in every format (PDF, .docx, .pptx, Markdown, download page).

Counts of what is tried here are reported in the README ("Reliability").
"""

from __future__ import annotations

import http.server
import re
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.glyphs import first_undrawable, installed_coverage
from tests.conftest import REPO, root

MINIMAL = root("minimal") / "facts.yaml"
MINIMAL_TEXT = MINIMAL.read_text(encoding="utf-8")


# --- one hostile change at a time: exactly one error line, nothing written -----------------

@dataclass(frozen=True)
class Mutation:
    """The minimal fixture with ``old`` replaced by ``new``; the error is reported where ``at`` starts in ``new``."""

    id: str
    old: str
    new: str
    message: str
    at: str = ""

    def apply(self) -> tuple[str, str]:
        """``(yaml text, "LINE:COL")``."""
        assert MINIMAL_TEXT.count(self.old) == 1, f"{self.id}: {self.old!r} must occur once in the minimal fixture"
        start = MINIMAL_TEXT.index(self.old)
        text = MINIMAL_TEXT[:start] + self.new + MINIMAL_TEXT[start + len(self.old):]
        offset = start + self.new.index(self.at or self.new)
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return text, f"{line}:{column}"


AS_OF = "as_of: 2025-06-30\nnames:"
RESOLUTION = 'resolution: "1/1"'
ARTICLES = "article_count: {value: 5, sources: [spec]}"
SAFEGUARD = "en: Human rights are respected.}"
LANGUAGES = "languages: [vi, en]"
SUBTITLE = "subtitle: {vi: Tài liệu thử nghiệm, en: Test briefing}"
TIMELINE_UPCOMING = "upcoming: true"
NEWS_REF = "en: Da Lat Convention}, sources: [news]}"
SPEC_URL = 'url: "https://example.org/model"'
SPEC_ID = "- {id: spec,"
SPEC_TITLE = "title: Model Convention text,"
SESSION_END = "start: 2022-05-02, end: 2022-05-06"
CONCERNS = "concerns: structure.article_count"

MUTATIONS = [
    # impossible dates
    Mutation("day-out-of-range", AS_OF, "as_of: 2025-02-30\nnames:",
             "document.as_of: expected a valid date (YYYY-MM-DD), found '2025-02-30' (day is out of range for month)", "2025"),
    Mutation("month-13", AS_OF, "as_of: 2025-13-01\nnames:",
             "document.as_of: expected a valid date (YYYY-MM-DD), found '2025-13-01' (month must be in 1..12)", "2025"),
    Mutation("year-zero", AS_OF, "as_of: 0000-01-01\nnames:",
             "document.as_of: expected a valid date (YYYY-MM-DD), found '0000-01-01' (year 0 is out of range)", "0000"),
    Mutation("date-as-words", AS_OF, "as_of: yesterday\nnames:",
             "document.as_of: expected a date (YYYY-MM-DD), found 'yesterday'", "yesterday"),
    Mutation("date-with-time", AS_OF, "as_of: 2025-06-30T10:00:00\nnames:",
             "document.as_of: expected a date (YYYY-MM-DD), found 2025-06-30 10:00:00", "2025"),
    Mutation("end-before-start", SESSION_END, "start: 2022-05-06, end: 2022-05-02",
             "negotiation.sessions[0].end: expected a date on or after 2022-05-06, found 2022-05-02", "2022-05-02"),
    # wrong types
    Mutation("number-for-text", RESOLUTION, "resolution: 11",
             "adoption.resolution: expected text, found 11", "11"),
    Mutation("list-for-mapping", SUBTITLE, "subtitle: [Tài liệu thử nghiệm, Test briefing]",
             "document.subtitle: expected a mapping, found a list", "["),
    Mutation("text-for-number", ARTICLES, 'article_count: {value: "5", sources: [spec]}',
             "structure.article_count.value: expected a whole number, found '5'", '"5"'),
    Mutation("fraction-for-number", ARTICLES, "article_count: {value: 5.5, sources: [spec]}",
             "structure.article_count.value: expected a whole number, found 5.5", "5.5"),
    Mutation("infinity", ARTICLES, "article_count: {value: .inf, sources: [spec]}",
             "structure.article_count.value: expected a whole number, found inf", ".inf"),
    Mutation("yaml-1.1-boolean", TIMELINE_UPCOMING, "upcoming: yes",
             "timeline[2].upcoming: expected true or false, found 'yes'", "yes"),
    Mutation("text-for-list", NEWS_REF, "en: Da Lat Convention}, sources: news}",
             "names.common_name.sources: expected a list, found 'news'", "news}"),
    # huge values
    Mutation("twenty-digits", ARTICLES, "article_count: {value: 100000000000000000000, sources: [spec]}",
             "structure.article_count.value: expected a whole number of at most 15 digits, found one of 21 digits", "1000"),
    Mutation("five-thousand-digits", ARTICLES, "article_count: {value: " + "9" * 5000 + ", sources: [spec]}",
             "structure.article_count.value: expected a whole number of at most 15 digits, found one of 5,000 digits", "999"),
    Mutation("negative", ARTICLES, "article_count: {value: -5, sources: [spec]}",
             "structure.article_count.value: expected a number ≥ 0, found -5", "-5"),
    Mutation("text-of-100001-characters", SAFEGUARD, "en: " + "x" * 100_001 + "}",
             "safeguards[0].text.en: expected text of at most 100,000 characters, found 100,001", "xxx"),
    # characters that have no place in text
    Mutation("bell", SAFEGUARD, 'en: "Rights\\a are respected."}',
             "safeguards[0].text.en: expected text without control characters, found U+0007 at character 7", '"'),
    Mutation("ansi-escape", SAFEGUARD, 'en: "\\e[31mRights\\e[0m"}',
             "safeguards[0].text.en: expected text without control characters, found U+001B at character 1", '"'),
    Mutation("nul", SAFEGUARD, 'en: "Rights\\0"}',
             "safeguards[0].text.en: expected text without control characters, found U+0000 at character 7", '"'),
    Mutation("c1-next-line", SAFEGUARD, 'en: "Rights\\N"}',
             "safeguards[0].text.en: expected text without control characters, found U+0085 at character 7", '"'),
    Mutation("noncharacter", SAFEGUARD, 'en: "Rights\\uFFFE"}',
             "safeguards[0].text.en: expected text without control characters, found U+FFFE at character 7", '"'),
    Mutation("right-to-left-override", SAFEGUARD, 'en: "Rights \\u202Eeraw"}',
             "safeguards[0].text.en: expected text without bidirectional control characters, found U+202E at character 8", '"'),
    Mutation("directional-isolate", SAFEGUARD, 'en: "Rights \\u2066x"}',
             "safeguards[0].text.en: expected text without bidirectional control characters, found U+2066 at character 8", '"'),
    Mutation("line-separator", SAFEGUARD, 'en: "Rights\\Lare respected"}',
             "safeguards[0].text.en: expected text without line or paragraph separators (use a line break), "
             "found U+2028 at character 7", '"'),
    # language codes and ids
    Mutation("language-path", LANGUAGES, "languages: [vi, en, ../../x]",
             "languages[2]: expected a language code such as 'vi', 'en' or 'pt-BR', found '../../x'", "../../x"),
    Mutation("language-path-as-key", SUBTITLE, "subtitle: {vi: Tài liệu thử nghiệm, en: Test briefing, ../../x: Essai}",
             "document.subtitle: expected a language code such as 'vi', 'en' or 'pt-BR' as a key, found '../../x'",
             "../../x"),
    Mutation("no-languages", LANGUAGES, "languages: []",
             "languages: expected at least 1 item(s), found an empty list", "[]"),
    Mutation("undeclared-language", SUBTITLE, "subtitle: {vi: Tài liệu thử nghiệm, en: Test briefing, fr: Essai}",
             "document.subtitle.fr: expected one of the file's languages (vi, en), found 'fr'; "
             "add it to 'languages' or remove this text", "fr:"),
    Mutation("unknown-source", NEWS_REF, "en: Da Lat Convention}, sources: [newz]}",
             "names.common_name.sources[0]: expected the id of an entry in 'sources', found unknown source 'newz' "
             "(did you mean 'news'?)", "newz"),
    Mutation("path-as-id", SPEC_ID, "- {id: ../../etc,",
             "sources[0].id: expected an identifier of lower-case letters, digits and hyphens (e.g. 'untc'), "
             "found '../../etc'", "../../etc"),
    Mutation("duplicate-key", RESOLUTION, f'{RESOLUTION}\n  resolution: "2/2"',
             "adoption.resolution: expected each key once, found a duplicate of the key on line 18", 'resolution: "2/2"'),
    Mutation("unknown-field", RESOLUTION, f'{RESOLUTION}\n  votes: 120',
             "adoption.votes: expected one of the fields sources, body, resolution, date, place, vote, significance, "
             "found unknown field 'votes' (did you mean 'vote'?)", "votes"),
    Mutation("path-as-concerns", CONCERNS, "concerns: ../../etc/passwd",
             "discrepancies[0].concerns: expected the path of a fact in this file, found '../../etc/passwd'", "../../etc"),
    # URLs that are not web addresses
    Mutation("javascript-url", SPEC_URL, 'url: "javascript:alert(1)"',
             "sources[0].url: expected a web address starting with http:// or https://, found 'javascript:alert(1)'", '"'),
    Mutation("file-url", SPEC_URL, 'url: "file:///etc/passwd"',
             "sources[0].url: expected a web address starting with http:// or https://, found 'file:///etc/passwd'", '"'),
    Mutation("data-url", SPEC_URL, 'url: "data:text/html,<script>alert(1)</script>"',
             "sources[0].url: expected a web address starting with http:// or https://, "
             "found 'data:text/html,<script>alert(1)</script>'", '"'),
    # YAML features that could run code or read files elsewhere: never honoured
    Mutation("python-tag", RESOLUTION, 'resolution: !!python/object/apply:os.system ["id"]',
             "adoption.resolution: expected plain YAML data, found the tag "
             "'tag:yaml.org,2002:python/object/apply:os.system'", "!!"),
    Mutation("python-name", RESOLUTION, "resolution: !!python/name:os.system",
             "adoption.resolution: expected plain YAML data, found the tag 'tag:yaml.org,2002:python/name:os.system'", "!!"),
    Mutation("include-tag", RESOLUTION, "resolution: !include /etc/passwd",
             "adoption.resolution: expected plain YAML data, found the tag '!include'", "!include"),
    Mutation("set-tag", RESOLUTION, "resolution: !!set {a, b}",
             "adoption.resolution: expected plain YAML data, found the tag 'tag:yaml.org,2002:set'", "!!"),
    Mutation("merge-key", RESOLUTION, f"{RESOLUTION}\n  <<: {{vote: x}}",
             "adoption: expected a plain key, found a YAML merge key '<<' (not supported)", "<<"),
    Mutation("self-alias", RESOLUTION, "resolution: &loop [*loop]",
             "expected plain data, found a YAML alias that refers to itself", "&loop"),
]


def undrawable(char: str) -> bool:
    """True when no installed font has ``char`` (the cases below assume the project's fonts)."""
    return installed_coverage() is not None and first_undrawable(char) == 0


# Characters no installed font can draw: refused at load time rather than printed as empty boxes.
GLYPH_MUTATIONS = [
    pytest.param(Mutation("cjk", SAFEGUARD, 'en: "Rights 中文"}',
                          "safeguards[0].text.en: expected characters an installed font can draw, found U+4E2D "
                          "(CJK UNIFIED IDEOGRAPH-4E2D) at character 8; install a font that has it or remove it", '"'),
                 marks=pytest.mark.skipif(not undrawable("中"), reason="a CJK font is installed"), id="cjk"),
    pytest.param(Mutation("emoji-without-a-font", SUBTITLE, "subtitle: {vi: Tài liệu thử nghiệm, en: Test 👧 briefing}",
                          "document.subtitle.en: expected characters an installed font can draw, found U+1F467 (GIRL) "
                          "at character 6; install a font that has it or remove it", "Test"),
                 marks=pytest.mark.skipif(not undrawable("👧"), reason="a colour emoji font is installed"),
                 id="emoji-without-a-font"),
    pytest.param(Mutation("private-use", SPEC_TITLE, 'title: "Model \\uE000 text",',
                          "sources[0].title: expected characters an installed font can draw, found U+E000 "
                          "at character 7; install a font that has it or remove it", '"Model'),
                 marks=pytest.mark.skipif(not undrawable("\ue000"), reason="a font covers private use"),
                 id="private-use"),
    pytest.param(Mutation("unassigned", SAFEGUARD, 'en: "Rights \\u0378"}',
                          "safeguards[0].text.en: expected characters an installed font can draw, found U+0378 "
                          "at character 8; install a font that has it or remove it", '"'),
                 id="unassigned"),
]


def run_cli(args: list[str]):
    from click.testing import CliRunner

    from generator.cli import main

    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("mutation", [pytest.param(m, id=m.id) for m in MUTATIONS] + GLYPH_MUTATIONS)
def test_each_hostile_value_is_one_positioned_line_and_nothing_is_written(mutation, tmp_path, monkeypatch):
    text, position = mutation.apply()
    monkeypatch.chdir(tmp_path)
    Path("facts.yaml").write_text(text, encoding="utf-8")
    check = run_cli(["check", "--facts", "facts.yaml"])
    assert check.stderr == f"error: facts.yaml:{position}: {mutation.message}\n"
    assert check.exit_code == 1
    build = run_cli(["all", "--facts", "facts.yaml", "--out", "out"])
    assert build.exit_code == 1
    assert build.stderr == (f"error: facts.yaml:{position}: {mutation.message}\n"
                            "error: 1 problem in facts.yaml; nothing was generated.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yaml"]  # no OUT, no lock, no staging


# --- whole fact files full of hostile values: every problem reported at once -----------------

@pytest.mark.parametrize("scenario", ["hostile-values", "hostile-references"])
def test_check_reports_every_hostile_value_exactly(scenario, monkeypatch):
    """`generate check` prints expected.txt line for line: file, line, column, field, what was expected and found."""
    if scenario == "hostile-references" and not (undrawable("人") and undrawable("\ue000")):
        pytest.skip("the expected report assumes no installed font covers CJK or private use")
    monkeypatch.chdir(REPO)
    result = run_cli(["check", "--facts", f"tests/roots/{scenario}/facts.yaml"])
    assert result.stderr == (root(scenario) / "expected.txt").read_text(encoding="utf-8")
    assert result.exit_code == 1 and "Traceback" not in result.output


# --- whole files that are not a fact file at all ---------------------------------------------

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))

FILES = [
    ("invalid-utf8", b"languages: [vi]\ntitle: caf\xe9\n", "2:1: expected UTF-8 text, found bytes that are not UTF-8"),
    ("utf16", "languages: [vi]\n".encode("utf-16"), "1:1: expected UTF-8 text, found bytes that are not UTF-8"),
    ("empty", b"", "1:1: expected a mapping, found an empty file"),
    ("only-a-comment", b"# nothing here\n", "1:1: expected a mapping, found an empty file"),
    ("a-list", b"- vi\n- en\n", "1:1: expected a mapping of fields, found a list"),
    ("a-sentence", b"Hello, world\n", "1:1: expected a mapping of fields, found 'Hello, world'"),
    ("two-documents", b"---\na: 1\n---\nb: 2\n",
     "3:1: invalid YAML: expected a single document in the stream, but found another document"),
    ("unclosed-quote", b'languages: "vi\n', "2:1: invalid YAML: found unexpected end of stream"),
    ("tab-indent", b"document:\n\ttitle: x\n", "2:1: invalid YAML: found character that cannot start any token"),
    ("raw-nul", b"languages: [v\x00i]\n", "1:14: expected text without control characters, found U+0000 in the file"),
    ("raw-escape", b"languages: [v\x1bi]\n", "1:14: expected text without control characters, found U+001B in the file"),
    ("billion-laughs", BILLION_LAUGHS.encode(), "1:32: expected at most 200,000 values, found more "
                                                "(do YAML aliases repeat a large part?)"),
    ("nested-100-deep", ("a: " + "[" * 100 + "]" * 100 + "\n").encode(),
     "1:68: expected data nested at most 64 levels deep, found deeper nesting"),
    ("nested-200000-deep", ("a: " + "[" * 200_000 + "]" * 200_000 + "\n").encode(),
     "1:68: expected data nested at most 64 levels deep, found deeper nesting"),
]


@pytest.mark.parametrize("name, content, expected", FILES, ids=[f[0] for f in FILES])
def test_a_file_that_is_no_fact_file_is_one_positioned_line(name, content, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("facts.yaml").write_bytes(content)
    result = run_cli(["all", "--facts", "facts.yaml", "--out", "out"])
    assert result.exit_code == 1
    assert result.stderr == f"error: facts.yaml:{expected}\nerror: 1 problem in facts.yaml; nothing was generated.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yaml"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open("facts.yaml", "wb") as handle:
        handle.truncate(10_000_001)  # sparse: no 10 MB written
    result = run_cli(["check", "--facts", "facts.yaml"])
    assert result.stderr == "error: facts.yaml: expected a file under 10 MB, found 10,000,001 bytes\n"


def test_bom_and_windows_line_endings_are_accepted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("facts.yaml").write_bytes(b"\xef\xbb\xbf" + MINIMAL_TEXT.replace("\n", "\r\n").encode("utf-8"))
    result = run_cli(["check", "--strict", "--facts", "facts.yaml"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, message", [
    (["--lang", "../../x"], "error: --lang '../../x' is not a language of {facts}; expected one of vi, en\n"),
    (["--facts", "/etc/passwd"], None),
    (["--templates", "no-such-dir"], "error: --templates: no-such-dir is not a directory\n"),
])
def test_hostile_command_line_values_are_one_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli(["all", "--facts", str(MINIMAL), "--out", "out", *args])
    assert result.exit_code == 1
    if message is None:  # a system file given as facts: not a mapping, and its content is not echoed at length
        lines = result.stderr.splitlines()
        assert lines[0].startswith("error: /etc/passwd:1:1: expected a mapping of fields, found 'root:")
        assert len(lines[0]) < 200 and lines[1] == "error: 1 problem in /etc/passwd; nothing was generated."
    else:
        assert result.stderr == message.format(facts=MINIMAL)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
