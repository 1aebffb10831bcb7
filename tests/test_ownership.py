"""Only what `generate` wrote is ever replaced or deleted (issue 12, items 1, 5 and 7).

Every case of the issue's data-loss list: an OUT with the user's files, `.git` or folders,
the working directory, the fact file's folder, the template folder, `../..`, a sibling named
by a `generate.toml`, `serve` on an OUT without a manifest, a symbolic link as OUT, a planted
lock file, planted retired trees, `--out 'site*'`, an incremental build beside a symbolic link,
a FIFO and a private folder, and a malformed `manifest.json`. Each asserts the exact one-line
message and that the tree (types, modes, owners, link targets, bytes) is what it was.

Most refuse before rendering; the publishing cases use :func:`generator.output.writer.publish_changes`
with small made-up documents, so that only the writer runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.facts.load import load_facts
from generator.output.manifest import read_manifest
from generator.renderers import Output
from generator.output.workspace import Workspace, workspace_dir
from generator.output.writer import publish_changes, recover
from tests.conftest import REPO, have, root

MINIMAL = root("minimal") / "facts.yaml"
PYTHON = sys.executable


def tree(top: Path) -> dict[str, tuple]:
    """Everything under ``top`` (itself included), symbolic links not followed: type, mode, owner, target or digest."""
    found = {}
    paths = [top, *sorted(top.rglob("*"))] if top.is_dir() and not top.is_symlink() else [top]
    for path in paths:
        if not os.path.lexists(path):
            continue
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            detail = os.readlink(path)
        elif stat.S_ISREG(info.st_mode):
            detail = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            detail = None
        found[path.relative_to(top).as_posix()] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode),
                                                          info.st_uid, info.st_gid, detail)
    return found


def user_folder(folder: Path) -> Path:
    """A folder of the user's: notes, a `.git`, a private sub-folder, a link and a FIFO."""
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "private").mkdir()
    (folder / "private" / "key.txt").write_text("secret\n")
    (folder / "private").chmod(0o700)
    (folder / "passwd").symlink_to("/etc/passwd")
    os.mkfifo(folder / "pipe")
    return folder


def documents(title: str = "v1", langs=("vi", "en")) -> list[Output]:
    return [Output("brief", lang, "pdf", f"{lang}/facts-brief.pdf", f"%PDF {title} {lang}".encode(), title, pages=1)
            for lang in langs]


def publish(out: Path, outputs: list[Output], **kwargs):
    return publish_changes(out, outputs, load_facts(MINIMAL), **kwargs)


def expect_refusal(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [f"error: {message}"], result.stderr


# --- refused before anything is rendered or written ------------------------------------------------

def test_an_out_holding_the_users_files_is_refused_and_kept(cli, tmp_path):
    out = user_folder(tmp_path / "site")
    (tmp_path / "site" / "sub").mkdir()
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", "site"),
                   "refusing to write to site: it holds files that generate did not write (.git, notes.txt, passwd, …) "
                   "and no manifest.json; choose a new or empty folder")
    assert tree(tmp_path) == before
    assert not workspace_dir(out).exists()


@pytest.mark.parametrize("command", ["all", "brief", "handout", "slides", "serve"])
def test_the_working_directory_is_refused(command, cli, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n")
    before = tree(tmp_path)
    expect_refusal(cli(command, "--facts", MINIMAL, "--out", "."),
                   "refusing to write to .: it is the working directory; choose a new or empty folder, e.g. --out output")
    assert tree(tmp_path) == before


def test_a_parent_of_the_working_directory_is_refused(cli, tmp_path, monkeypatch):
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    monkeypatch.chdir(project)
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", "../.."),
                   f"refusing to write to ../..: it contains the working directory {project}; "
                   "choose a new or empty folder, e.g. --out output")
    assert tree(tmp_path) == before


def test_the_fact_files_folder_is_refused(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(MINIMAL, data / "facts.yaml")
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", "data/facts.yaml", "--out", "data"),
                   f"refusing to write to data: it contains the fact file {data / 'facts.yaml'}")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("out, relation", [("mine", "is"), ("mine/brief", "is inside")])
def test_the_template_folder_is_refused(out, relation, cli, tmp_path):
    (tmp_path / "mine" / "brief").mkdir(parents=True)
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--templates", "mine", "--out", out),
                   f"refusing to write to {out}: it {relation} the template directory {tmp_path / 'mine'}")
    assert tree(tmp_path) == before


def test_the_brand_file_is_refused(cli, tmp_path):
    (tmp_path / "look").mkdir()
    (tmp_path / "look" / "brand.yaml").write_text("organization: {vi: X, en: X}\n")
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--brand", "look/brand.yaml", "--out", "look"),
                   f"refusing to write to look: it contains the brand file {tmp_path / 'look' / 'brand.yaml'}")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("folder", ["/", "/usr", "/etc", "/tmp"])
def test_system_folders_are_refused(folder, cli, tmp_path):
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", folder),
                   f"refusing to write to {folder}: it is the system folder {folder}")
    assert tree(tmp_path) == before


def test_the_home_folder_is_refused(cli, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "work").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home / "work")
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", str(home)),
                   f"refusing to write to {home}: it contains the working directory {home / 'work'}; "
                   "choose a new or empty folder, e.g. --out output")
    monkeypatch.chdir(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", str(home)),
                   f"refusing to write to {home}: it is your home folder {home}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_cloned_config_pointing_at_a_sibling_with_files_is_refused(cli, tmp_path, monkeypatch):
    clone, sibling = tmp_path / "clone", user_folder(tmp_path / "x")
    clone.mkdir()
    shutil.copy(MINIMAL, clone / "facts.yaml")
    (clone / "generate.toml").write_text('facts = "facts.yaml"\nout = "../x"\n')
    monkeypatch.chdir(clone)
    before = tree(tmp_path)
    expect_refusal(cli("all"), f"refusing to write to {sibling}: it holds files that generate did not write "
                               "(.git, notes.txt, passwd, …) and no manifest.json; choose a new or empty folder")
    assert tree(tmp_path) == before


def test_the_config_file_is_refused(tmp_path, monkeypatch):
    """Found in the working directory, so refused as that already; the rule names it wherever it is."""
    from generator.errors import OutputFolderError
    from generator.output.outdir import check_location

    project = tmp_path / "project"
    project.mkdir()
    (project / "generate.toml").write_text('out = "."\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError) as caught:
        check_location(project, inputs={"the configuration file": project / "generate.toml"})
    assert caught.value.format_message() == (f"refusing to write to {project}: it contains the configuration file "
                                             f"{project / 'generate.toml'}")


def test_serve_refuses_an_out_without_a_manifest_and_wipes_nothing(cli, tmp_path):
    out = user_folder(tmp_path / "site")
    before = tree(tmp_path)
    expect_refusal(cli("serve", "--facts", MINIMAL, "--out", "site", "--port", "0", "--no-watch"),
                   "refusing to write to site: it holds files that generate did not write (.git, notes.txt, passwd, …) "
                   "and no manifest.json; choose a new or empty folder")
    assert tree(tmp_path) == before and not workspace_dir(out).exists()


def test_a_symbolic_link_to_nowhere_is_refused(cli, tmp_path):
    (tmp_path / "site").symlink_to(tmp_path / "missing")
    before = tree(tmp_path)
    expect_refusal(cli("all", "--facts", MINIMAL, "--out", "site"),
                   f"refusing to write to site: it is a symbolic link to {tmp_path / 'missing'}, which does not exist")
    assert tree(tmp_path) == before


# --- malformed manifest.json: one line everywhere, nothing changed --------------------------------

BAD_MANIFESTS = {
    "not-json": (b'{"manifest_version": 1,', "invalid JSON at line 1"),
    "not-utf8": (b'\xff\xfe{}', "not UTF-8 JSON"),
    "a-list": (b"[]", "expected a JSON object, found list"),
    "escaping-path": (json.dumps({"manifest_version": 1, "generator": {"name": "generate"},
                                  "facts": {"sha256": "x", "languages": ["vi"]},
                                  "documents": [{"kind": "brief", "lang": "vi", "format": "pdf", "path": "../notes.txt",
                                                 "bytes": 1, "sha256": "0" * 64}]}).encode(),
                      "documents[0].path: expected a path inside OUT such as 'vi/x.pdf', found '../notes.txt'"),
    "other-tool": (b'{"manifest_version": 1, "generator": {"name": "other"}}', "generator.name: expected 'generate'"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
}


@pytest.fixture
def bad_out(tmp_path, request) -> Path:
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "manifest.json").write_bytes(BAD_MANIFESTS[request.param][0])
    return out


@pytest.mark.parametrize("bad_out", list(BAD_MANIFESTS), indirect=True)
@pytest.mark.parametrize("command", ["verify", "brief", "all", "serve"])
def test_a_malformed_manifest_is_one_line_and_nothing_changes(command, bad_out, cli, tmp_path, request):
    detail = BAD_MANIFESTS[request.node.callspec.params["bad_out"]][1]
    before = tree(tmp_path)
    args = ["verify", "site", "--facts", MINIMAL] if command == "verify" else \
        [command, "--facts", MINIMAL, "--out", "site", *(["--port", "0", "--no-watch"] if command == "serve" else [])]
    expect_refusal(cli(*args), f"site/manifest.json: not a manifest written by generate: {detail}")
    assert tree(tmp_path) == before


def test_a_manifest_that_is_a_symbolic_link_is_refused(cli, tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "manifest.json").symlink_to("/etc/hostname")
    before = tree(tmp_path)
    expect_refusal(cli("brief", "--facts", MINIMAL, "--out", "site"),
                   "site/manifest.json: not a manifest written by generate: it is a symbolic link")
    assert tree(tmp_path) == before


# --- publishing: our files only ---------------------------------------------------------------------

def test_an_incremental_build_keeps_links_fifos_and_private_folders_exactly(tmp_path):
    out = tmp_path / "site"
    publish(out, documents("v1"), replace_all=True)
    user_folder(out)
    (out / "vi" / "my-notes.md").write_text("mine, beside a document\n")
    theirs = {k: v for k, v in tree(out).items() if not k.startswith(("vi/facts", "en/facts", "manifest"))}
    publish(out, documents("v2", langs=("vi",)))  # like `generate brief --lang vi`
    after = tree(out)
    for name, entry in theirs.items():
        if name in ("site", "vi", "en"):
            assert after[name][:4] == entry[:4], name  # type, mode, owner, group of the folders kept
        else:
            assert after[name] == entry, name
    assert (out / "vi" / "facts-brief.pdf").read_bytes() == b"%PDF v2 vi"
    assert (out / "en" / "facts-brief.pdf").read_bytes() == b"%PDF v1 en"  # kept, still listed
    manifest = read_manifest(out)
    assert manifest["files"] == ["en/facts-brief.pdf", "vi/facts-brief.pdf"]
    assert not [p for p in out.rglob(".*generate-tmp")]


def test_a_full_build_deletes_only_files_it_wrote(tmp_path):
    out = tmp_path / "site"
    publish(out, documents("v1"), replace_all=True)
    user_folder(out)
    theirs = {k: v for k, v in tree(out).items() if k.startswith((".git", "notes", "private",
                                                                      "passwd", "pipe"))}
    publish(out, documents("v2", langs=("vi",)), replace_all=True)  # English dropped
    assert not (out / "en" / "facts-brief.pdf").exists()
    assert {k: v for k, v in tree(out).items() if k in theirs} == theirs
    assert read_manifest(out)["files"] == ["vi/facts-brief.pdf"]


def test_a_file_of_the_user_where_a_document_goes_is_refused(tmp_path):
    out = tmp_path / "site"
    publish(out, documents("v1", langs=("vi",)), replace_all=True)
    (out / "en").mkdir()
    (out / "en" / "facts-brief.pdf").write_text("my own PDF\n")
    before = tree(tmp_path)
    with pytest.raises(Exception) as caught:
        publish(out, documents("v2"), replace_all=True)
    assert str(caught.value.format_message()) == (
        f"refusing to write to {out}: {out / 'en' / 'facts-brief.pdf'} is in the way: generate did not write it "
        "and would replace it; move it away or choose another folder")
    assert {k: v for k, v in tree(tmp_path).items() if ".generate" not in k} == \
        {k: v for k, v in before.items() if ".generate" not in k}


def test_a_symbolic_link_given_as_out_is_followed_never_replaced(tmp_path):
    real = tmp_path / "real"
    publish(real, documents("v1"), replace_all=True)
    link = tmp_path / "site"
    link.symlink_to(real)
    publish(link, documents("v2"), replace_all=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert (real / "vi" / "facts-brief.pdf").read_bytes() == b"%PDF v2 vi"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".real.generate", "real", "site"]


def test_an_empty_folder_of_the_user_keeps_its_mode_and_identity(tmp_path):
    out = tmp_path / "site"
    out.mkdir(mode=0o750)
    out.chmod(0o750)
    identity = os.stat(out).st_ino
    publish(out, documents("v1"), replace_all=True)
    publish(out, documents("v2"), replace_all=True)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o750
    assert os.stat(out).st_ino == identity or read_manifest(out) is not None  # replaced only as a whole build


def test_a_planted_lock_link_is_not_followed(tmp_path):
    out, victim = tmp_path / "site", tmp_path / "victim.txt"
    victim.write_text("precious\n")
    space = Workspace.beside(out)
    (space.root / "lock").symlink_to(victim)
    (tmp_path / ".site.lock").symlink_to(victim)  # where earlier versions kept it: never opened now
    with pytest.raises(Exception) as caught:
        publish(out, documents())
    assert caught.value.format_message() == (f"refusing to use {space.root / 'lock'}: it is a symbolic link, "
                                             "not the lock file of generate")
    assert victim.read_text() == "precious\n" and not out.exists()


@pytest.mark.slow
def test_a_planted_build_folder_is_neither_used_nor_deleted(tmp_path):
    out = tmp_path / "site"
    planted = tmp_path / ".site.generate"
    (planted / "previous-1").mkdir(parents=True)
    (planted / "previous-1" / "manifest.json").write_text("{}")
    (planted / "staging-x").mkdir()
    planted.chmod(0o700)
    (planted / "made-by-generate").write_text("made by generate for its own use; folder 1:2\n")
    before = tree(tmp_path)
    with pytest.raises(Exception) as caught:
        publish(out, documents())
    assert caught.value.format_message() == (f"refusing to use {planted}: it was not made by generate here (a copy, "
                                             "or planted); if no build is running and you do not need it, remove it")
    assert tree(tmp_path) == before


def test_planted_retired_trees_of_earlier_versions_are_never_adopted(tmp_path):
    out = tmp_path / "site"
    for name in (".site.previous-123", ".site.staging-abc"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text('{"planted": true}')
    before = tree(tmp_path)
    publish(out, documents())
    assert read_manifest(out)["files"] == ["en/facts-brief.pdf", "vi/facts-brief.pdf"]
    planted = (".site.previous", ".site.staging")
    assert {k: v for k, v in tree(tmp_path).items() if k.startswith(planted)} == \
        {k: v for k, v in before.items() if k.startswith(planted)} != {}


def test_an_out_name_is_never_a_pattern(tmp_path):
    """`--out 'site*'` once removed another output's staging folder (a glob built from OUT's name)."""
    other = tmp_path / "site-b"
    publish(other, documents())
    for name in (".site-b.staging-x", ".siteB.previous-1"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "keep.txt").write_text("other output's\n")
    before = tree(tmp_path)
    publish(tmp_path / "site*", documents())
    recover(tmp_path / "site*")
    after = tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith(("site*", ".site*"))} == before


# --- publishing inside a folder of the user: interrupted, then completed ----------------------------

def test_a_failure_while_writing_beside_the_users_files_changes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish(out, documents("v1"), replace_all=True)
    user_folder(out)
    before = tree(out)
    real_open = os.open

    def full_disk(path, flags, *args):
        if str(path).endswith(".generate-tmp") and "en" in str(path):
            raise OSError(28, "No space left on device")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", full_disk)
    with pytest.raises(Exception) as caught:
        publish(out, documents("v2"), replace_all=True)
    monkeypatch.undo()
    assert caught.value.format_message() == f"cannot write to {out}: No space left on device"
    assert tree(out) == before  # no temporary file left, no document changed


def test_a_build_killed_while_renaming_beside_the_users_files_is_completed_by_the_next(tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish(out, documents("v1"), replace_all=True)
    user_folder(out)
    theirs = {k: v for k, v in tree(out).items() if k.startswith((".git", "notes", "private",
                                                                      "passwd", "pipe"))}
    real_replace, renames = os.replace, []

    def die_after_one(source, target):
        if str(source).endswith(".generate-tmp"):
            renames.append(target)
            if len(renames) == 2:
                raise KeyboardInterrupt  # killed between two renames
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", die_after_one)
    with pytest.raises(KeyboardInterrupt):
        publish(out, documents("v2"), replace_all=True)
    monkeypatch.undo()
    assert (out / "en" / "facts-brief.pdf").read_bytes() == b"%PDF v2 en"  # half published...
    assert (out / "vi" / "facts-brief.pdf").read_bytes() == b"%PDF v1 vi"
    recover(out)  # ...what the next build does first, with the lock held
    manifest = read_manifest(out)
    for document in manifest["documents"]:
        assert hashlib.sha256((out / document["path"]).read_bytes()).hexdigest() == document["sha256"]
    assert (out / "vi" / "facts-brief.pdf").read_bytes() == b"%PDF v2 vi"
    assert {k: v for k, v in tree(out).items() if k in theirs} == theirs
    assert not list(out.rglob(".*generate-tmp"))


# --- end to end -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_real_incremental_build_beside_a_link_a_fifo_and_a_private_folder(cli, tmp_path):
    assert cli("brief", "--facts", MINIMAL, "--lang", "en", "--out", "site", "--jobs", "1").exit_code == 0
    out = user_folder(tmp_path / "site")
    # Every build command also writes the download page (index.html, en.html, assets/): ours too.
    theirs = {k: v for k, v in tree(out).items() if not k.startswith(("en", "manifest", "index.html", "assets"))
              and k != "."}
    result = cli("slides", "--facts", MINIMAL, "--lang", "en", "--out", "site", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert {k: v for k, v in tree(out).items() if k in theirs} == theirs
    assert sorted(read_manifest(out)["files"]) == ["assets/site.css", "en.html", "en/facts-brief.pdf",
                                                   "en/facts-slides.md", "en/facts-slides.pptx", "index.html"]


@pytest.mark.slow
@pytest.mark.skipif(not have("git"), reason="needs git")
def test_a_default_build_in_a_clone_leaves_git_status_clean(tmp_path):
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy(REPO / ".gitignore", clone / ".gitignore")
    shutil.copy(MINIMAL, clone / "facts.yaml")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=clone, check=True)
    subprocess.run([*git, "add", "."], cwd=clone, check=True)
    subprocess.run([*git, "commit", "-qm", "clone"], cwd=clone, check=True)
    result = subprocess.run([PYTHON, "-m", "generator", "brief", "--facts", "facts.yaml", "--lang", "en", "--jobs", "1"],
                            cwd=clone, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert (clone / "output" / "en" / "facts-brief.pdf").is_file() and (clone / ".output.generate" / "cache").is_dir()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone,
                            capture_output=True, text=True, check=True)
    assert status.stdout == ""
