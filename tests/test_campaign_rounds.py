"""Rounds under real conditions: last year's round, two collects at once, a collect stopped
half-way, bad inputs, a round folder copied elsewhere."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign
from disclosure_xlsx.cli import app
from disclosure_xlsx.spec import load_spec
from disclosure_xlsx.write.template import template_bytes

from .conftest import ROOT
from .rounds import CST, fill_template, message, save_mail, scaled, write_roster
from .workbooks import consistent_2021, consistent_2021_next, pasted_2021

runner = CliRunner(env={"COLUMNS": "200"})


def cli(*args: str):
    result = runner.invoke(app, ["campaign", *args])
    assert "Traceback" not in (result.stdout + result.stderr), result.stderr
    return result


def new_round(folder: Path, names: list[str], year: str, *extra: str) -> Path:
    roster = write_roster(
        folder.parent / f"{folder.name}.csv", [["单位名称"], *([n] for n in names)]
    )
    assert cli("init", str(folder), "--roster", str(roster), "--year", year, *extra).exit_code == 0
    return folder


def filled(folder: Path, name: str, values: dict, out: Path, unit_name: str | None = None) -> Path:
    spec = load_spec(Campaign.open(folder).info.year)
    return fill_template(folder / "templates" / f"{name}.xlsx", out, spec, values, unit_name)


# --- last year's round ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory):
    base = tmp_path_factory.mktemp("years")
    last = new_round(base / "2020", ["环翠区商务局", "环翠区民政局"], "2021")
    for name in ("环翠区商务局", "环翠区民政局"):
        filled(last, name, consistent_2021(), base / "in2020" / f"{name}.xlsx")
    assert cli("collect", str(last), str(base / "in2020")).exit_code == 0
    now = new_round(
        base / "2021", ["区商务局", "区民政局", "区司法局"], "2021", "--previous", str(last)
    )
    return base, last, now


def carried_wrong() -> dict:
    """Next year's return, but 自然人 carries 2 in where last year carried 0 over."""
    values = {**consistent_2021_next(), "carried_in.natural": 2, "carried_in.total": 3}
    values["new.natural"], values["new.total"] = 7, 9
    return values


def test_carry_over_against_last_years_round(two_rounds):
    base, _last, now = two_rounds
    filled(now, "区商务局", consistent_2021_next(), base / "in" / "商务局.xlsx")
    filled(now, "区民政局", carried_wrong(), base / "in" / "民政局.xlsx")
    filled(now, "区司法局", consistent_2021(), base / "in" / "司法局.xlsx")  # new this year
    result = cli("collect", str(now), str(base / "in"))
    assert result.exit_code == 1
    with Campaign.open(now) as r:
        states = {d.name: (d.state, d.errors) for d in r.status().departments}
        report = r.report(r.current("区民政局").file)
    assert states == {"区商务局": ("ok", 0), "区民政局": ("invalid", 2), "区司法局": ("ok", 0)}
    assert [(f["cell"], f["code"], f["found"], f["expected"]) for f in report["findings"]] == [
        ("B33", "carry-over-mismatch", 2, 0),
        ("H33", "carry-over-mismatch", 3, 1),
    ]


def test_assigning_works_out_the_year_checks_again(two_rounds, tmp_path):
    _base, _last, now = two_rounds
    spec = load_spec("2021")
    path = pasted_2021(tmp_path / "报表.xlsx", spec, carried_wrong())  # no name, no stamp
    assert cli("collect", str(now), str(path)).exit_code == 1
    with Campaign.open(now) as r:
        (record,) = [x for x in r.returns() if x.name == "报表.xlsx"]
        assert (record.department_id, record.errors) == (None, 0)
    result = cli("assign", str(now), str(path), "环翠区商务局")  # any spelling of the name
    assert result.exit_code == 0 and "有错误（错误 2，提示 0）" in result.stdout
    with Campaign.open(now) as r:
        codes = [f["code"] for f in r.report("报表.xlsx")["findings"]]
        assert codes == ["carry-over-mismatch", "carry-over-mismatch"]
        assert r.current("区商务局").name == "报表.xlsx"


def test_previous_round_must_be_the_same_format(two_rounds, tmp_path):
    _base, last, _now = two_rounds
    roster = write_roster(tmp_path / "r.csv", [["单位名称"], ["区商务局"]])
    result = cli(
        "init",
        str(tmp_path / "r"),
        "--roster",
        str(roster),
        "--year",
        "2014",
        "--previous",
        str(last),
        "--lang",
        "en",
    )
    assert result.exit_code == 2 and "cannot be compared" in result.stderr
    assert not (tmp_path / "r").exists()


def test_round_folders_can_be_copied(two_rounds, tmp_path):
    base, _last, _now = two_rounds
    copy = tmp_path / "elsewhere"
    shutil.copytree(base, copy)
    with Campaign.open(copy / "2021") as r:
        assert r.status().summary.returned >= 3
        current = r.current("区民政局")
        assert (copy / "2021" / current.file).is_file()
    new = filled(copy / "2021", "区民政局", consistent_2021_next(), tmp_path / "民政局v2.xlsx")
    result = cli("collect", str(copy / "2021"), str(new))
    assert result.exit_code == 0  # last year's round found relative to the copy: no mismatch
    with Campaign.open(base / "2021") as original:
        assert original.current("区民政局").name == "民政局.xlsx"


def test_a_missing_previous_round_is_a_note(two_rounds, tmp_path):
    base, _last, _now = two_rounds
    copy = tmp_path / "alone"
    shutil.copytree(base / "2021", copy)
    new = filled(copy, "区司法局", consistent_2021_next(), tmp_path / "司法局v2.xlsx")
    result = cli("collect", str(copy), str(new))
    assert "找不到上一轮" in result.stdout


# --- bad inputs ----------------------------------------------------------------------------


def test_bad_inputs_are_one_line_each(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局", "区民政局", "区司法局"], "2021")
    inbox = tmp_path / "in"
    inbox.mkdir()
    old = inbox / "民政局2014.xlsx"
    old.write_bytes(template_bytes(load_spec("2014"), "区民政局"))  # last format's template
    (inbox / "司法局.xlsx").write_bytes(b"this is not a workbook")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4")
    save_mail(inbox / "reply.eml", message("a@example.cn", datetime(2025, 3, 1, tzinfo=CST)))
    good = filled(folder, "区商务局", consistent_2021(), tmp_path / "商务局.xlsx")
    result = cli(
        "collect", str(folder), str(inbox), str(good), str(good), str(tmp_path / "nowhere.xlsx")
    )
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 8  # seven inputs, one summary
    out = result.stdout
    assert "民政局2014.xlsx → 区民政局（按单位名称）  有错误" in out
    assert "司法局.xlsx → 区司法局（按文件名）  无法读取" in out
    assert "scan.pdf：不是工作簿" in out and "reply.eml：邮件里没有附件" in out
    assert "nowhere.xlsx：文件不存在" in out
    assert out.count("商务局.xlsx → 区商务局") == 1 and "重复" in out
    with Campaign.open(folder) as r:
        report = r.report("民政局2014.xlsx")
    assert [f["message"] for f in report["findings"]] == [
        "这是 2014 年度格式的统计表，本轮收的是 2021 年度格式"
    ]
    assert report["template"] == "2014"


def test_returns_are_kept_unchanged_and_read_only(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局"], "2014")
    good = filled(folder, "区商务局", {}, tmp_path / "商务局.xlsx")
    cli("collect", str(folder), str(good))
    with Campaign.open(folder) as r:
        stored = folder / r.current("d001").file
    assert stored.read_bytes() == good.read_bytes()
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0
    assert not stored.stat().st_mode & 0o222


def test_init_never_replaces_a_round_with_returns(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局"], "2014")
    roster = tmp_path / "r.csv"
    again = cli("init", str(folder), "--roster", str(roster), "--year", "2014")
    assert again.exit_code == 2 and "--force" in again.stderr
    with Campaign.open(folder) as r:
        first = r.info.id
    assert (
        cli("init", str(folder), "--roster", str(roster), "--year", "2014", "--force").exit_code
        == 0
    )
    with Campaign.open(folder) as r:
        assert r.info.id != first  # nothing received yet: rebuilt
    cli("collect", str(folder), str(filled(folder, "区商务局", {}, tmp_path / "x.xlsx")))
    refused = cli("init", str(folder), "--roster", str(roster), "--year", "2014", "--force")
    assert refused.exit_code == 2 and "已经收到 1 份文件" in refused.stderr


def test_usage_errors(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局"], "2014")
    assert cli("assign", str(folder), "nothing.xlsx", "区商务局").exit_code == 2
    path = filled(folder, "区商务局", {}, tmp_path / "x.xlsx")
    cli("collect", str(folder), str(path))
    bad = cli("assign", str(folder), "x.xlsx", "区档案馆", "--lang", "en")
    assert bad.exit_code == 2 and "no department '区档案馆'" in bad.stderr
    (tmp_path / "t.xlsx").write_bytes(b"")
    assert cli("total", str(folder), "-o", str(tmp_path / "t.xlsx")).exit_code == 2
    assert cli("status", str(folder), "--format", "xlsx").exit_code == 2  # needs -o
    bad_date = cli("collect", str(folder), str(path), "--received-at", "yesterday")
    assert bad_date.exit_code == 2
    deadline = cli(
        "init",
        str(tmp_path / "d"),
        "--roster",
        str(tmp_path / "r.csv"),
        "--year",
        "2014",
        "--deadline",
        "3/31",
    )
    assert deadline.exit_code == 2 and "年-月-日" in deadline.stderr


def test_total_with_returns_that_have_errors(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局", "区民政局"], "2021")
    filled(folder, "区商务局", consistent_2021(), tmp_path / "in" / "a.xlsx")
    broken = {**scaled(consistent_2021(), 2), "new.natural": 99}
    filled(folder, "区民政局", broken, tmp_path / "in" / "b.xlsx")
    cli("collect", str(folder), str(tmp_path / "in"))
    strict = cli("total", str(folder), "--format", "json")
    assert strict.exit_code == 0
    assert json.loads(strict.stdout)["excluded"][0]["id"] == "d002"
    loose = cli("total", str(folder), "--include-invalid", "-o", str(tmp_path / "t.xlsx"))
    assert loose.exit_code == 1 and "汇总数不满足表内规则" in loose.stdout
    assert "合计不符" in loose.stdout


def test_status_xlsx_and_english_collect(tmp_path):
    folder = new_round(tmp_path / "r", ["区商务局", "区民政局"], "2014")
    a = filled(folder, "区商务局", {}, tmp_path / "in" / "a.xlsx")
    (tmp_path / "in" / "b.txt").write_text("x")
    result = cli("collect", str(folder), str(tmp_path / "in"), "--lang", "en")
    text = result.stdout.replace("区商务局", "")
    assert "a.xlsx →  (by stamp)  ok (errors: 0, warnings: 0)" in text
    assert "not taken" in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    out = tmp_path / "status.xlsx"
    result = cli("status", str(folder), "--format", "xlsx", "-o", str(out), "--lang", "en")
    assert result.exit_code == 1 and out.is_file()
    assert a.exists()


# --- two processes, and a collect stopped half-way -----------------------------------------


def _run(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.Popen(
        [sys.executable, "-m", "disclosure_xlsx", "campaign", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )


def _returns(folder: Path) -> int:
    with sqlite3.connect(folder / "campaign.sqlite", timeout=30) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM returns").fetchone()[0])


@pytest.fixture
def many(tmp_path):
    """A 2014 round of 24 departments and one filled return for each."""
    names = [f"第{n:02d}局" for n in range(1, 25)]
    folder = new_round(tmp_path / "r", names, "2014")
    files = [filled(folder, name, {"staff": 0}, tmp_path / "in" / f"{name}.xlsx") for name in names]
    return folder, files


def consistent(folder: Path) -> None:
    """The state file is sound and every recorded return is in received/ as it came."""
    with sqlite3.connect(folder / "campaign.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT file, sha256 FROM returns").fetchall()
    for file, sha in rows:
        assert hashlib.sha256((folder / file).read_bytes()).hexdigest() == sha


def test_two_collects_at_once(many):
    folder, files = many
    shared = files[0]
    first = _run("collect", str(folder), *map(str, files[:13]))
    second = _run("collect", str(folder), str(shared), *map(str, files[13:]))
    outputs = [p.communicate(timeout=300) for p in (first, second)]
    for (_out, err), process in zip(outputs, (first, second), strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err
    assert sum(out.count("= 重复 ") for out, _ in outputs) == 1  # the shared file, once
    consistent(folder)
    with Campaign.open(folder) as r:
        status = r.status()
    assert status.summary.ok == 24
    assert all(d.versions == 1 for d in status.departments)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_a_collect_stopped_half_way_leaves_the_round_sound(many, how):
    folder, files = many
    process = _run("collect", str(folder), *map(str, files))
    deadline = time.monotonic() + 120
    while _returns(folder) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(how)
    _out, err = process.communicate(timeout=120)
    if how == signal.SIGINT and process.returncode != 0:
        assert process.returncode == 130 and "已中断" in err
    assert "Traceback" not in err
    consistent(folder)
    recorded = _returns(folder)
    assert 3 <= recorded <= 24
    result = _run("collect", str(folder), *map(str, files))
    out, err = result.communicate(timeout=300)
    assert result.returncode == 0, err
    assert out.count("= 重复 ") == recorded
    consistent(folder)
    assert _returns(folder) == 24
    # one content file per return: what an interrupted collect stored was reused, not copied
    # again (a SIGKILL may leave a temporary .dx-*.part beside it, never a second copy)
    boxes = [b for b in (folder / "received").iterdir() if not b.name.startswith(".")]
    assert len(boxes) == 24
    assert all(len([f for f in b.iterdir() if not f.name.startswith(".")]) == 1 for b in boxes)
