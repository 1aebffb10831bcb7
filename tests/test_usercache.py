"""The user's cache (``$XDG_CACHE_HOME/generate``): what it keeps is keyed by its inputs, and a
damaged, foreign or hostile entry is ignored and computed again, never trusted."""

from __future__ import annotations

import json
import os

import pytest

from generator import usercache
from generator.templating import glyphs

LISTING = "20-7e a0-ff\n400-4ff 20-40\n1e00-1eff\n"
OTHER_LISTING = "20-7e\n4e00-9fff\n"


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A fresh cache folder and a made-up fontconfig listing (``listing["text"]``) for installed_coverage."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    listing = {"text": LISTING, "calls": 0}

    def fc_list(element):
        assert element == "%{charset}"
        return listing["text"]

    merges = []
    real_merge = glyphs.coverage_from_charsets
    monkeypatch.setattr(glyphs, "_fc_list", fc_list)
    monkeypatch.setattr(glyphs, "coverage_from_charsets", lambda text: merges.append(text) or real_merge(text))
    glyphs.installed_coverage.cache_clear()
    yield tmp_path, listing, merges
    glyphs.installed_coverage.cache_clear()


def _coverage():
    glyphs.installed_coverage.cache_clear()
    return glyphs.installed_coverage()


def _entry(root):
    return root / "generate" / "fonts" / glyphs.COVERAGE_ENTRY


def test_the_merged_coverage_is_kept_and_used_again(cache_home):
    root, _, merges = cache_home
    first = _coverage()
    assert (first.starts, first.ends) == ((0x20, 0xA0, 0x400, 0x1E00), (0x7E, 0xFF, 0x4FF, 0x1EFF))
    assert len(merges) == 1 and _entry(root).is_file()
    assert oct(_entry(root).parent.stat().st_mode & 0o777) == "0o700"
    again = _coverage()
    assert again == first and len(merges) == 1  # from the cache: not merged again
    assert 0x41 in again and 0x1EA0 in again and 0x3000 not in again


def test_a_changed_font_listing_is_merged_again(cache_home):
    root, listing, merges = cache_home
    _coverage()
    listing["text"] = OTHER_LISTING  # a font installed or removed: fc-list lists other charsets
    changed = _coverage()
    assert 0x4E2D in changed and 0x1E00 not in changed and len(merges) == 2
    assert json.loads(_entry(root).read_text())["starts"] == [0x20, 0x4E00]


@pytest.mark.parametrize("content", [
    b"",
    b"{not json",
    b"\xff\xfe garbage",
    b"[]",
    b'{"format": 1}',
    # right key, ranges a merge never makes: unsorted, overlapping, beyond Unicode, not integers
    b'{"format": 1, "listing": "KEY", "starts": [100, 32], "ends": [200, 126]}',
    b'{"format": 1, "listing": "KEY", "starts": [32, 100], "ends": [150, 200]}',
    b'{"format": 1, "listing": "KEY", "starts": [32], "ends": [1114112]}',
    b'{"format": 1, "listing": "KEY", "starts": [32.0], "ends": [126]}',
    b'{"format": 1, "listing": "KEY", "starts": [true], "ends": [126]}',
    b'{"format": 1, "listing": "KEY", "starts": [32, 160], "ends": [126]}',
    # a well-formed entry claiming every character can be drawn, under another listing's key
    b'{"format": 1, "listing": "0000", "starts": [0], "ends": [1114111]}',
])
def test_a_damaged_or_hostile_entry_is_ignored_and_replaced(cache_home, content):
    root, _, merges = cache_home
    expected = _coverage()
    key = json.loads(_entry(root).read_text())["listing"]
    _entry(root).write_bytes(content.replace(b"KEY", key.encode()))
    assert _coverage() == expected and len(merges) == 2
    assert json.loads(_entry(root).read_text())["listing"] == key  # rewritten whole


def test_an_oversized_entry_or_a_link_is_not_read(cache_home, tmp_path_factory):
    root, _, merges = cache_home
    expected = _coverage()
    entry = _entry(root)
    entry.write_bytes(b" " * (usercache.MAX_ENTRY_BYTES + 1))
    assert _coverage() == expected and len(merges) == 2
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "coverage.json"
    elsewhere.write_text(entry.read_text())
    entry.unlink()
    entry.symlink_to(elsewhere)  # even a valid entry is not followed through a link
    assert _coverage() == expected and len(merges) == 3


def test_a_cache_folder_that_is_not_the_users_own_is_not_used(cache_home, tmp_path_factory):
    root, _, merges = cache_home
    target = tmp_path_factory.mktemp("someone-elses")
    (root / "generate").mkdir()
    (root / "generate" / "fonts").symlink_to(target, target_is_directory=True)
    assert usercache.user_cache_folder("fonts") is None
    assert _coverage() is not None and _coverage() is not None
    assert len(merges) == 2 and list(target.iterdir()) == []  # computed each time, nothing written there


def test_an_unwritable_cache_costs_only_the_computation(cache_home):
    root, _, merges = cache_home
    (root / "generate").mkdir()
    (root / "generate" / "fonts").write_text("a file where the folder should be")
    assert usercache.user_cache_folder("fonts") is None
    assert _coverage().starts[0] == 0x20 and len(merges) == 1


@pytest.mark.skipif(os.getuid() == 0, reason="root may write anywhere")
def test_a_read_only_cache_folder_costs_only_the_computation(cache_home):
    root, _, merges = cache_home
    _coverage()
    _entry(root).unlink()
    _entry(root).parent.chmod(0o500)
    try:
        assert _coverage().starts[0] == 0x20 and _coverage().starts[0] == 0x20
        assert len(merges) == 3
    finally:
        _entry(root).parent.chmod(0o700)
