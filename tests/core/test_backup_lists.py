"""A backup's checksum lists (format 2): one line per file, read and compared one name at a time, so that a folder of
millions of documents is backed up and checked without holding its names in memory; what a restore's check names."""

import json
import shutil
import subprocess

import pytest

from motcua.core import backup as backups
from motcua.core import file_lists

# Names that sort differently as whole strings and as path components ("a-b" < "a/…" < "a.txt" as strings, but the
# folder "a" comes first, component by component), Vietnamese, spaces, and the two characters sha256sum escapes.
NAMES = ["a/b/c.pdf", "a/z.pdf", "a-b.pdf", "a.txt", "b c/Giấy khai sinh.pdf", "ho so/\\dau.pdf", "dong\nmoi.txt",
         "z/0.lock"]


def _folder(root, names=NAMES):
    for n, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f"tệp {n}".encode())
    return root


def _saved(tmp_path, names=NAMES):
    live = _folder(tmp_path / "live", names)
    entry = file_lists.save_folder(live, tmp_path / "backup" / "files" / "media",
                                 tmp_path / "backup" / "checksums" / "media.sha256")
    return live, entry


def _problems(tmp_path, entry, folder):
    listed = file_lists.read_list(tmp_path / "backup" / entry["list"])
    return list(file_lists.compared(listed, folder))


def test_a_folder_is_copied_and_listed_in_walk_order_and_compares_clean(tmp_path):
    live, entry = _saved(tmp_path)

    kept = [n for n in NAMES if not n.endswith(".lock")]  # lock files are never carried
    assert entry["count"] == len(kept) and entry["list"] == "checksums/media.sha256"
    listed = list(file_lists.read_list(tmp_path / "backup" / entry["list"]))
    assert [rel for rel, _ in listed] == sorted(kept, key=lambda rel: rel.split("/"))
    assert sorted(rel for rel, _ in listed) == sorted(kept)  # names with a backslash or a line break come back
    assert _problems(tmp_path, entry, tmp_path / "backup" / "files" / "media") == []
    assert _problems(tmp_path, entry, live) == []


def test_the_list_is_one_that_sha256sum_checks(tmp_path):
    """An operator can check a backup's files with coreutils alone, without the application."""
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) not installed")
    _live, entry = _saved(tmp_path)
    done = subprocess.run(["sha256sum", "--strict", "-c", str(tmp_path / "backup" / entry["list"])],
                          cwd=tmp_path / "backup" / "files" / "media", capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "backup" / "files" / "media" / "a.txt").write_bytes(b"sua")
    done = subprocess.run(["sha256sum", "-c", str(tmp_path / "backup" / entry["list"])],
                          cwd=tmp_path / "backup" / "files" / "media", capture_output=True, text=True)
    assert done.returncode == 1 and "a.txt: FAILED" in done.stdout


def test_a_changed_a_missing_and_an_extra_file_are_each_named(tmp_path):
    live, entry = _saved(tmp_path)
    (live / "a.txt").write_bytes(b"khac")
    (live / "a" / "z.pdf").unlink()
    (live / "a" / "moi.pdf").write_bytes(b"them")
    (live / "zz.pdf").write_bytes(b"them nua")

    assert _problems(tmp_path, entry, live) == [("a/moi.pdf", False), ("a/z.pdf", True), ("a.txt", True),
                                                ("zz.pdf", False)]


def test_an_empty_or_absent_folder_compares_against_an_empty_list(tmp_path):
    (tmp_path / "empty").mkdir()
    entry = file_lists.save_folder(tmp_path / "absent", tmp_path / "backup" / "files" / "keys",
                                 tmp_path / "backup" / "checksums" / "keys.sha256")
    assert entry["count"] == 0
    assert _problems(tmp_path, entry, tmp_path / "empty") == []
    assert _problems(tmp_path, entry, tmp_path / "absent") == []


@pytest.mark.django_db
def test_the_check_names_at_most_200_files_a_folder_then_counts_the_rest(tmp_path):
    live, entry = _saved(tmp_path, [f"d/{n:04}.pdf" for n in range(10)])
    for n in range(250):
        (live / "d" / f"x{n:04}.pdf").write_bytes(b"la")
    manifest = {"format": backups.FORMAT, "database": {"tables": {}}, "files": {"media": entry}}

    report = backups.check_restored(manifest, {"media": live}, tmp_path / "backup")

    named = [p for p in report.problems if p.startswith("Tệp media/")]
    assert len(named) == 200 and named[0] == "Tệp media/d/x0000.pdf không có trong bản sao lưu."
    assert "… và 50 tệp khác của thư mục media có vấn đề (chỉ liệt kê 200 tệp đầu)." in report.problems
    assert report.files == 10 and not report.ok


@pytest.mark.django_db
def test_a_restore_refuses_a_backup_whose_list_was_altered_before_touching_anything(tmp_path):
    """The list is what every file is checked against: one edited to hide a change must stop the restore."""
    _live, entry = _saved(tmp_path)
    listing = tmp_path / "backup" / entry["list"]
    listing.write_text(listing.read_text(encoding="utf-8").replace("a.txt", "b.txt"), encoding="utf-8")
    manifest = {"format": backups.FORMAT, "database": {"vendor": backups.connection.vendor, "file": "x", "tables": {}},
                "files": {"media": entry}}
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(backups.BackupError, match="media thiếu hoặc đã bị sửa"):
        backups.restore(tmp_path / "backup")


@pytest.mark.django_db
def test_a_backup_of_a_newer_format_is_refused_in_vietnamese(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 3, "database": {"vendor": "sqlite"}, "files": {}}))
    with pytest.raises(backups.BackupError, match="định dạng 3"):
        backups.restore(tmp_path)


def test_a_file_removed_while_the_backup_runs_is_left_out_not_fatal(tmp_path, monkeypatch):
    """On a live system an upload whose transaction rolled back is removed again: listed a moment before its copy, it
    must not stop the night's backup."""
    live = _folder(tmp_path / "live", ["a.pdf", "b.pdf"])
    listed = file_lists.walk

    def walk_then_remove(folder):
        for rel in listed(folder):
            if rel == "a.pdf":
                (folder / rel).unlink()
            yield rel

    monkeypatch.setattr(file_lists, "walk", walk_then_remove)
    entry = file_lists.save_folder(live, tmp_path / "backup" / "files" / "media",
                                 tmp_path / "backup" / "checksums" / "media.sha256")

    assert entry["count"] == 1
    assert [rel for rel, _ in file_lists.read_list(tmp_path / "backup" / entry["list"])] == ["b.pdf"]
    assert not (tmp_path / "backup" / "files" / "media" / "a.pdf").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("rel", ["../../ngoai.txt", "/etc/ngoai.txt", "a/../../ngoai.txt"])
def test_a_restore_refuses_a_listed_file_outside_its_folder(tmp_path, rel):
    """A backup edited to write outside the installation's folders (its list and recorded digest both changed) is
    refused before anything is restored."""
    _live, entry = _saved(tmp_path)
    listing = tmp_path / "backup" / entry["list"]
    with open(listing, "a", encoding="utf-8") as out:
        out.write(f"{'0' * 64}  {rel}\n")
    entry["sha256"] = file_lists.sha256(listing)
    manifest = {"format": backups.FORMAT, "database": {"vendor": backups.connection.vendor, "file": "x", "tables": {}},
                "files": {"media": entry}}
    (tmp_path / "backup" / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(backups.BackupError, match="nằm ngoài thư mục đó"):
        backups.restore(tmp_path / "backup")


def test_a_restore_copies_and_checks_in_one_read_of_the_list_and_names_what_differs(tmp_path):
    """A restore copies each file back and checks the bytes copied against the list in the same pass; the list is read
    a second time only to name files that something else wrote into the folder meanwhile."""
    _live, entry = _saved(tmp_path)
    saved = tmp_path / "backup" / "files" / "media"
    reads = []

    def listing():
        reads.append(1)
        return file_lists.read_list(tmp_path / "backup" / entry["list"])

    clean = tmp_path / "clean"
    assert list(file_lists.restored(listing, saved, clean)) == [] and len(reads) == 1
    assert _problems(tmp_path, entry, clean) == []  # every listed file is there, with its bytes

    (saved / "a.txt").write_bytes(b"khac")
    (saved / "a" / "z.pdf").unlink()
    (tmp_path / "other" / "a").mkdir(parents=True)
    (tmp_path / "other" / "a" / "moi.pdf").write_bytes(b"ghi trong luc khoi phuc")
    reads.clear()
    assert list(file_lists.restored(listing, saved, tmp_path / "other")) == [
        ("a/z.pdf", True), ("a.txt", True), ("a/moi.pdf", False)]
    assert len(reads) == 2
    assert (tmp_path / "other" / "a.txt").read_bytes() == b"khac"  # copied all the same, and named
