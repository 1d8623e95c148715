"""The one output module: refusals, whole-or-nothing writes, safe text for cells and CSV."""

from __future__ import annotations

import os

import pytest

from disclosure_xlsx.errors import Interrupted, OutputError, OutputExists, UsageError
from disclosure_xlsx.outputs import (
    check_output,
    csv_safe,
    fit_name,
    sanitize_text,
    write_bytes,
    writing,
)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_check_output_refuses_an_input_by_any_spelling(tmp_path, monkeypatch):
    src = tmp_path / "in.xlsx"
    src.write_bytes(b"department")
    (tmp_path / "link.xlsx").symlink_to(src)
    os.link(src, tmp_path / "hard.xlsx")
    monkeypatch.chdir(tmp_path)
    for target in ("in.xlsx", "./in.xlsx", "../" + tmp_path.name + "/in.xlsx", "link.xlsx"):
        with pytest.raises(UsageError, match="输入文件"):
            check_output(tmp_path / target, [src], force=True)
    with pytest.raises(UsageError, match="输入文件"):
        check_output(tmp_path / "hard.xlsx", [src], force=True)


def test_check_output_refuses_symlinks_existing_files_and_folders(tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("keep")
    (tmp_path / "link.html").symlink_to(other)
    with pytest.raises(UsageError, match="符号链接"):
        check_output(tmp_path / "link.html", force=True)
    (tmp_path / "dangling.html").symlink_to(tmp_path / "nowhere")
    with pytest.raises(UsageError, match="符号链接"):
        check_output(tmp_path / "dangling.html", force=True)
    with pytest.raises(UsageError, match="已存在"):
        check_output(other)
    check_output(other, force=True)
    with pytest.raises(UsageError, match="文件夹"):
        check_output(tmp_path, force=True)
    with pytest.raises(OutputError, match="太长"):
        check_output(tmp_path / ("局" * 90 + ".xlsx"))
    with pytest.raises(OutputError, match="不是文件夹"):
        check_output(other / "x.xlsx")


def test_interrupted_or_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    for exc in (Interrupted, RuntimeError):
        with pytest.raises(exc), writing(target) as fh:
            fh.write(b"half")
            raise exc
        assert target.read_text() == "old"
        assert leftovers(tmp_path) == []


def test_os_errors_are_one_line_naming_the_path(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(OutputError) as info:
        write_bytes(blocker / "sub" / "out.xlsx", b"x")
    assert str(blocker / "sub" / "out.xlsx") in info.value.text.zh
    assert "not a folder" in info.value.text.en and "\n" not in info.value.text.zh
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o500)
        with pytest.raises(OutputError, match="没有写入权限"):
            write_bytes(ro / "out.xlsx", b"x")


def test_disk_full_leaves_nothing(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match="磁盘已满"):
        write_bytes(tmp_path / "out.xlsx", b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_exclusive_write_never_replaces(tmp_path):
    target = tmp_path / "a_校验.xlsx"
    write_bytes(target, b"first", exclusive=True)
    with pytest.raises(OutputExists):
        write_bytes(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first" and leftovers(tmp_path) == []


def test_files_get_the_usual_permissions_not_private_temp_ones(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_bytes(tmp_path / "t.xlsx", b"x")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644


def test_fit_name_counts_bytes_and_keeps_whole_characters():
    name = fit_name("😀" * 80, ".xlsx")
    assert len(name.encode("utf-8")) <= 255 and name.endswith("😀.xlsx")
    assert fit_name("区民政局", "_校验.xlsx") == "区民政局_校验.xlsx"
    assert len(fit_name("局" * 100, "_2014.xlsx").encode()) == 253  # 81 whole characters


def test_sanitize_text_keeps_control_characters_visible():
    assert sanitize_text("a\x1b[2Jb\x00c\td\ne") == "a␛[2Jb␀c\td\ne"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("区民政局", "区民政局"),
        (None, ""),
    ],
)
def test_csv_safe_follows_owasp(value, expected):
    assert csv_safe(value) == expected
