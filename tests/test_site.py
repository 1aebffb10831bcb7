"""`generate all`, the download page, `verify` and `serve`: a real browser against the real output."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
import urllib.request
from pathlib import Path
from urllib.parse import unquote

import pytest

from generator.pipeline.build import BuildOptions, build_all
from generator.commands.cli import main
from tests.conftest import FROZEN_FACTS, REPO, have

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(built) -> Path:
    """`generate all` of the frozen copy of the bundled facts, built once per session (read only)."""
    return built("bundled")


@pytest.fixture(scope="module")
def manifest(site) -> dict:
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))


def test_all_builds_every_kind_in_every_language(manifest, site):
    docs = manifest["documents"]
    from generator.renderers import registry

    assert {(d["kind"], d["lang"], d["format"]) for d in docs} == {
        (kind, lang, fmt) for lang in ("vi", "en") for kind, declaration in registry().items()
        for fmt in declaration.formats}
    assert {"brief", "card", "handout", "slides"} <= {d["kind"] for d in docs}
    for doc in docs:
        data = (site / doc["path"]).read_bytes()
        assert doc["bytes"] == len(data) and doc["sha256"] == hashlib.sha256(data).hexdigest()
        assert set(doc) == {"kind", "lang", "format", "path", "bytes", "sha256", "pages", "slides", "title"}
        assert doc["title"]
    assert manifest["facts"]["sha256"] == hashlib.sha256(FROZEN_FACTS.read_bytes()).hexdigest()
    assert manifest["facts"]["as_of"] == "2026-02-23"
    brief = next(d for d in docs if d["kind"] == "brief")
    assert 5 <= brief["pages"] <= 12
    deck = next(d for d in docs if d["format"] == "pptx")
    assert 8 <= deck["slides"] <= 11


def test_pages_are_static_with_relative_links(site, manifest):
    for page, lang in (("index.html", "vi-VN"), ("en.html", "en-US")):
        html = (site / page).read_text(encoding="utf-8")
        assert f'<html lang="{lang}" dir="ltr" data-script="Latn">' in html
        assert "http://" not in html and "https://" not in html and 'href="/' not in html
        for doc in manifest["documents"]:
            assert f'href="{doc["path"]}"' in html
            assert doc["sha256"] in html
    assert "ngày 23 tháng 2 năm 2026" in (site / "index.html").read_text(encoding="utf-8")
    assert "23 February 2026" in (site / "en.html").read_text(encoding="utf-8")


def test_verify_passes_then_catches_tampering_and_missing_facts(site, tmp_path, runner, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["verify", str(copy), "--facts", str(FROZEN_FACTS)]).exit_code == 0
    md = next(copy.glob("en/*.md"))
    text = md.read_text(encoding="utf-8").replace("24 December 2024", "24 Dec 2024")
    md.write_text(text, encoding="utf-8")
    record = next(d for d in json.loads((copy / "manifest.json").read_text())["documents"] if d["path"].endswith(md.name) and d["lang"] == "en")
    result = runner.invoke(main, ["verify", str(copy), "--facts", str(FROZEN_FACTS)])
    assert result.exit_code == 1
    assert f"error: {record['path']}: content differs from manifest.json (sha256 or size); the file was altered" in result.stderr
    # A file that matches its manifest entry but lacks a key fact in its language is caught too.
    manifest = json.loads((copy / "manifest.json").read_text())
    for doc in manifest["documents"]:
        if doc["path"] == record["path"]:
            doc["sha256"], doc["bytes"] = hashlib.sha256(md.read_bytes()).hexdigest(), md.stat().st_size
    (copy / "manifest.json").write_text(json.dumps(manifest))
    result = runner.invoke(main, ["verify", str(copy), "--facts", str(FROZEN_FACTS)])
    assert f"error: {record['path']}: missing adoption date '24 December 2024'" in result.stderr


def test_failed_verification_leaves_the_published_output_untouched(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    shutil.copytree(site, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import generator.output.verify as verify
    from generator.errors import GenerateError
    from generator.output.keyfacts import KeyFact, key_facts

    impossible = KeyFact("impossible fact", "§§ not in any document §§")
    monkeypatch.setattr(verify, "key_facts", lambda facts, i18n, previous=None: key_facts(facts, i18n, previous) + [impossible])
    with pytest.raises(GenerateError, match="missing impossible fact"):
        build_all(BuildOptions(facts=FROZEN_FACTS, out=out))
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


@pytest.fixture(scope="module")
def server(site):
    from generator.commands.serve import run_server

    stop = threading.Event()
    urls: list[str] = []
    ready = threading.Event()
    thread = threading.Thread(target=run_server, args=(site, "127.0.0.1", 0),
                              kwargs={"ready": lambda url: (urls.append(url), ready.set()), "stop": stop}, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield urls[0]
    stop.set()
    thread.join(10)


def fetch(url: str, method: str = "GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


EXPECTED_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "md": "text/markdown; charset=utf-8",
}


def test_every_document_is_served_with_its_type_and_a_utf8_download_name(server, manifest, site):
    for doc in manifest["documents"]:
        status, headers, body = fetch(server + doc["path"])
        assert status == 200
        assert headers["Content-Type"] == EXPECTED_TYPES[doc["format"]]
        assert hashlib.sha256(body).hexdigest() == doc["sha256"]
        disposition = headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="')
        encoded = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(encoded).startswith(doc["title"])
        assert unquote(encoded).endswith("." + doc["format"])


def test_server_refuses_traversal_and_other_methods(server):
    for path in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "%252e%252e/etc/passwd", "..%2f..%2fetc/passwd",
                 ".out.lock", "vi/%00.pdf"):
        status, _, body = fetch(server + path)
        assert status == 404, path
        assert b"root:" not in body
    assert fetch(server, "POST")[0] == 405
    assert fetch(server, "DELETE")[0] == 405
    status, headers, body = fetch(server, "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


@pytest.mark.skipif(not have("chromium"), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("start, lang, other", [("", "vi-VN", "English"), ("en.html", "en-US", "Tiếng Việt")])
def test_page_in_a_real_browser(server, manifest, start, lang, other, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + start)
        assert page.locator("html").get_attribute("lang") == lang
        headings = page.eval_on_selector_all("h1, h2, h3", "els => els.map(e => Number(e.tagName[1]))")
        assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:]))
        links = page.eval_on_selector_all("a.download", "els => els.map(e => e.getAttribute('href'))")
        assert sorted(links) == sorted(d["path"] for d in manifest["documents"])
        # Keyboard: the first Tab reaches the skip link, which leads to the documents.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.screenshot(path=str(tmp_path / f"page-{lang}.png"), full_page=True)
        page.get_by_role("link", name=other).click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") != lang
        with page.expect_download() as download:
            page.locator("a.download").first.click()
        assert download.value.suggested_filename.endswith((".pdf", ".docx", ".pptx", ".md"))
        assert errors == []
        browser.close()


AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.mark.skipif(not have("chromium"), reason="Debian's chromium is not installed")
@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (bash scripts/setup.sh test runs npm ci)")
@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_axe_core_finds_no_violation_at_desktop_and_phone_width(site, manifest, width, height, tmp_path):
    """axe-core (pinned in package-lock.json) on both pages, checksums unfolded; the card grid
    leaves no lone card; checksums sit in one secondary section with a command for each system."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height})
        for name in ("index.html", "en.html"):
            page = context.new_page()
            page.goto((site / name).as_uri())
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("""async tags => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                return {version: axe.version, passes: r.passes.length,
                        violations: r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])};
            }""", AXE_TAGS)
            assert result["version"] == "4.14.1"
            assert result["violations"] == [], (name, width)
            assert result["passes"] > 20
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
            rows = page.eval_on_selector_all("ul.documents", """lists => lists.map(list => {
                const tops = [...list.children].map(card => Math.round(card.getBoundingClientRect().top));
                const perRow = {}; tops.forEach(t => perRow[t] = (perRow[t] || 0) + 1);
                return Object.keys(perRow).sort((a, b) => a - b).map(t => perRow[t]);
            })""")
            for counts in rows:
                assert counts[-1] >= 2 or counts[0] == 1, counts  # no lone last card (5 documents: 3 + 2)
            if width >= 1000:
                assert max(rows[0]) >= 2  # a grid at desktop width, one column on phones
            page.screenshot(path=str(tmp_path / f"{name}-{width}.png"), full_page=True)
        browser.close()
    html = (site / "en.html").read_text(encoding="utf-8")
    cards = html[html.index('<ul class="documents"'):html.index('class="checksums"')]
    assert not re.search(r"[0-9a-f]{64}", cards)  # no checksum in the cards
    for command in ("certutil -hashfile hanoi-convention-brief.pdf SHA256", "Get-FileHash hanoi-convention-brief.pdf",
                    "shasum -a 256 hanoi-convention-brief.pdf", "sha256sum hanoi-convention-brief.pdf"):
        assert command in html
    checksums = html[html.index('class="checksums"'):]
    assert all(doc["sha256"] in checksums for doc in manifest["documents"])


def test_grid_columns_leave_no_lone_card():
    from generator.output.site import grid_columns

    for count in range(2, 13):
        columns = grid_columns(count)
        last_row = count % columns or columns
        assert last_row >= 2 or columns == 1, (count, columns)
    assert grid_columns(4) == 2 and grid_columns(3) == 3 and grid_columns(1) == 1


def test_a_third_language_builds_every_document_verified(built):
    """French added as data only: every kind renders in fr and passes the consistency gate."""
    out = built("three-languages")  # `generate all`: published only when verified
    records = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert {(r["kind"], r["format"]) for r in records if r["lang"] == "fr"} == {
        ("brief", "pdf"), ("card", "pdf"), ("handout", "docx"), ("slides", "pptx"), ("slides", "md")}
    page = (out / "fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr-FR" dir="ltr" data-script="Latn">' in page and "Télécharger" in page
