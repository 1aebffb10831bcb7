"""Treaties of other shapes than the bundled one (issue 17): a regional treaty in force, signed at a
summit, joined by ratification, with no signature deadline and no resolution (tests/roots/asean-tip),
and the schema, slides and `verify` rules that let any treaty's facts be stated truly."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from generator.facts.load import read_facts
from generator.output.verify import states
from generator.pipeline.build import BuildOptions, build, build_all
from tests.conftest import have, root

ACTIP = root("asean-tip") / "facts.yaml"
LANGS = ("vi", "en")
needs_poppler = pytest.mark.skipif(not have("pdftotext"), reason="poppler-utils not installed")

#: What each language's documents must say of ACTIP, and words that would be false for it.
STATED = {
    "en": ["In force since", "8 March 2017", "ASEAN Leaders", "27th ASEAN Summit", "7 February 2017"],
    "vi": ["Có hiệu lực từ", "ngày 8 tháng 3 năm 2017", "Lãnh đạo các nước thành viên ASEAN",
           "Hội nghị Cấp cao ASEAN lần thứ 27", "ngày 7 tháng 2 năm 2017"],
}
FALSE_FOR_ACTIP = {
    "en": ["resolution", "Resolution", "Open for signature until", "General Assembly", "United Nations",
           "Hanoi", "Signatories", "days after"],
    "vi": ["Nghị quyết", "Mở ký đến", "Đại hội đồng", "Liên hợp quốc", "Hà Nội", "Lễ mở ký", "Số bên ký"],
}


@pytest.fixture(scope="module")
def actip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("actip") / "out"
    build_all(BuildOptions(out=out, facts=ACTIP, jobs=1))
    return out


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", " ", text)


def office_text(path: Path) -> str:
    """Every text run of a .docx or .pptx (slides, notes, tables), spaces collapsed."""
    with zipfile.ZipFile(path) as package:
        xml = " ".join(package.read(name).decode("utf-8") for name in sorted(package.namelist())
                       if name.endswith(".xml") and ("word/" in name or "ppt/slides/" in name or "ppt/notesSlides/" in name))
    return re.sub(r"\s+", " ", " ".join(re.findall(r"<(?:w|a):t(?: [^>]*)?>([^<]*)</(?:w|a):t>", xml)))


def texts(out: Path, lang: str) -> dict[str, str]:
    folder = out / lang
    return {
        "brief": pdf_text(folder / "facts-brief.pdf"),
        "card": pdf_text(folder / "facts-card.pdf"),
        "handout": office_text(folder / "facts-handout.docx"),
        "slides": office_text(folder / "facts-slides.pptx"),
        "outline": re.sub(r"\s+", " ", (folder / "facts-slides.md").read_text(encoding="utf-8")),
    }


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_every_format_says_the_treaty_is_in_force_and_nothing_false(actip, lang):
    for kind, text in texts(actip, lang).items():
        for phrase in STATED[lang]:
            assert phrase in text, (kind, phrase)
        # Six ratifications, with the date of that count (Markdown escapes the bracket).
        assert re.search(r"(?<!\d)6 \\?\(", text), kind
        for phrase in FALSE_FOR_ACTIP[lang]:
            assert phrase not in text, (kind, phrase)


@needs_poppler
@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_leads_with_entry_into_force_and_next_steps_do_not_open_with_a_deadline(actip, lang):
    brief = texts(actip, lang)["brief"]
    glance = brief[:brief.index("Timeline" if lang == "en" else "Các mốc thời gian")]
    in_force, ceremony = ("In force since", "Signing ceremony") if lang == "en" else ("Có hiệu lực từ", "Lễ ký")
    assert glance.index(in_force) < glance.index(ceremony)
    heading = "What comes next" if lang == "en" else "Các bước tiếp theo"
    after = brief[brief.index(heading) + len(heading):][:200]
    assert "APA" in after and ("Open" not in after and "Mở ký" not in after)


def test_verify_without_facts_uses_the_fact_file_recorded_in_the_manifest(actip, runner, tmp_path):
    from generator.commands.cli import main

    result = runner.invoke(main, ["verify", str(actip)])
    assert result.exit_code == 0, result.output
    # The fact file named in manifest.json is gone: one line, no traceback.
    copy = tmp_path / "facts.yaml"
    copy.write_bytes(ACTIP.read_bytes())
    out = tmp_path / "out"
    build(["card"], BuildOptions(out=out, facts=copy, jobs=1, langs=("en",)))
    copy.unlink()
    result = runner.invoke(main, ["verify", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "no longer there" in lines[0] and "--facts" in lines[0]


@pytest.mark.parametrize("text, phrase, found", [
    ("72 signatories", "72", True), ("in 2001 and 2002", "2", False), ("2,5 million", "2", False),
    ("1.200 bên", "200", False), ("ACTIPS", "ACTIP", False), ("ACTIP 1,2", "ACTIP", True),
    ("(as of 7 February 2017)", "7 February 2017", True), ("17 February 2017", "7 February 2017", False),
])
def test_verify_finds_key_facts_only_as_whole_phrases(text, phrase, found):
    assert states(text, phrase) is found


def _with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((root("minimal") / "facts.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "facts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_first_schemas_forms_still_load_and_name_the_same_facts(tmp_path):
    """`adoption.resolution`, `signature.signatories` and `open_until` (the first schema) load as before."""
    loaded, problems = read_facts(root("minimal") / "facts.yaml")
    assert loaded is not None and [p for p in problems if p.severity == "error"] == []
    facts = loaded.facts
    assert facts.signatories.value == 12 and facts.open_until is not None and facts.in_force_since is None


def test_a_fact_given_in_both_forms_is_one_positioned_error(tmp_path):
    path = _with(tmp_path, lambda d: d["adoption"].update(instrument={"kind": "decision", "reference": "5/1"}))
    loaded, problems = read_facts(path)
    assert loaded is None
    [problem] = [p for p in problems if p.severity == "error"]
    assert problem.path == "adoption.resolution" and "adoption.instrument" in problem.message
    assert problem.position.line > 1


def test_only_what_every_treaty_has_is_required(tmp_path):
    """No negotiation, signature, structure, entry into force or timeline: still a valid file."""
    def strip(data):
        for key in ("negotiation", "signature", "structure", "entry_into_force", "timeline", "offences", "discrepancies"):
            data.pop(key)
        data["adoption"].pop("resolution")
        data["adoption"].pop("vote")
        data["adoption"].pop("place")
    loaded, problems = read_facts(_with(tmp_path, strip))
    assert loaded is not None, [str(p) for p in problems]


def test_sessions_may_be_a_partial_record_but_numbers_go_up(tmp_path):
    def partial(data):
        sessions = data["negotiation"]["sessions"]
        sessions[0]["number"], sessions[1]["number"] = 4, 6
    loaded, _ = read_facts(_with(tmp_path, partial))
    assert loaded is not None

    def backwards(data):
        sessions = data["negotiation"]["sessions"]
        sessions[0]["number"], sessions[1]["number"] = 6, 4
    loaded, problems = read_facts(_with(tmp_path, backwards))
    assert loaded is None and [p.path for p in problems if p.severity == "error"] == ["negotiation.sessions[1].number"]


def test_the_timeline_slide_picks_the_events_that_matter():
    from types import SimpleNamespace

    from generator.renderers.slides.markdown import _timeline_pick
    from generator.renderers.slides.outline import MAX_TIMELINE_EVENTS

    events = [SimpleNamespace(major=i in (7, 13), upcoming=i == 19, n=i) for i in range(20)]
    picked = [e.n for e in _timeline_pick(events)]
    assert len(picked) == MAX_TIMELINE_EVENTS and picked == sorted(picked)
    assert {0, 7, 13, 19} <= set(picked)
    assert _timeline_pick(events[:5]) == events[:5]


def test_a_long_offence_title_is_shortened_on_the_slide_and_kept_whole_in_the_notes(tmp_path):
    long_title = "Illegal access " + "to a computer system of another person without right " * 3

    def lengthen(data):
        data["offences"][0]["title"]["en"] = long_title.strip()
    facts = _with(tmp_path, lengthen)
    out = tmp_path / "out"
    build_all(BuildOptions(out=out, facts=facts, jobs=1, langs=("en",)))
    outline = (out / "en" / "facts-slides.md").read_text(encoding="utf-8")
    bullet = next(line for line in outline.splitlines() if line.startswith("- Illegal access"))
    assert "…" in bullet and "(Art. 2)" in bullet
    assert long_title.strip() in outline  # the speaker notes
