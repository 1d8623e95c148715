"""The round's web page (issue 15) through Starlette's TestClient: what each page shows, that an
upload is exactly a collect, and the security list: who may read what, CSRF, path traversal in
file names and addresses, oversize and zip-bomb uploads, HTML injection through 单位名称."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient
from typer.testing import CliRunner

from disclosure_xlsx.campaign import Campaign, tokens
from disclosure_xlsx.campaign.store import DB_NAME
from disclosure_xlsx.cli import app as cli_app
from disclosure_xlsx.errors import UsageError
from disclosure_xlsx.web import create_app, security

from .servers.ports import free_port
from .webround import (
    PASSWORD,
    ROSTER,
    csrf_of,
    good_return,
    link_token,
    make_round,
    stranger_return,
    wrong_return,
)

BASE = "http://127.0.0.1:8000"
runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def folder(tmp_path):
    return make_round(tmp_path)


def client_for(folder: Path) -> TestClient:
    return TestClient(create_app(folder, allowed_hosts=["127.0.0.1"]), base_url=BASE)


def clerk(folder: Path) -> TestClient:
    """A client signed in as the clerk."""
    client = client_for(folder)
    page = client.get("/")
    answer = client.post("/login", data={"csrf": csrf_of(page.text), "password": PASSWORD})
    assert answer.status_code == 200 and 'id="status"' in answer.text
    return client


def upload(client: TestClient, path: str, files: dict[str, bytes], page: str = "/"):
    """Post files as the page's form does (multipart, with the page's CSRF token)."""
    csrf = csrf_of(client.get(page).text)
    return client.post(
        path,
        data={"csrf": csrf},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files.items()],
    )


def returns(folder: Path):
    with Campaign.open(folder) as round_:
        return round_.returns()


# --- the clerk's page ------------------------------------------------------------------------


def test_the_clerk_signs_in_and_sees_the_round(folder):
    client = client_for(folder)
    page = client.get("/")
    assert page.status_code == 200 and 'type="password"' in page.text
    assert "区司法局" not in page.text  # nothing of the round before signing in
    wrong = client.post("/login", data={"csrf": csrf_of(page.text), "password": "nope"})
    assert wrong.status_code == 403 and "口令不对" in wrong.text
    home = clerk(folder).get("/")
    for name in ("区市场监督管理局", "区司法局", "区民政局", "已交 0/3", "未交"):
        assert name in home.text
    english = clerk(folder).get("/?lang=en")
    assert "returned 0/3" in english.text and "Unmatched returns" in english.text


def test_an_upload_is_exactly_a_collect(folder, tmp_path):
    """The same files through the page and through `campaign collect` into a twin round:
    the same departments, matching, checks, stored names and reports."""
    files = {
        "市场监管局.xlsx": good_return(folder, "区市场监督管理局.xlsx", tmp_path / "a.xlsx"),
        "司法局.xlsx": wrong_return(folder, "区司法局.xlsx", tmp_path / "b.xlsx"),
        "统计表(1).xlsx": stranger_return(tmp_path / "c.xlsx"),
    }
    twin = tmp_path / "twin"
    twin.mkdir()
    import shutil

    shutil.copytree(folder, twin / "round")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, path in files.items():
        shutil.copy(path, inbox / name)
    client = clerk(folder)
    answer = upload(client, "/upload", {n: p.read_bytes() for n, p in files.items()})
    assert answer.status_code == 200 and "done=" in str(answer.url)
    assert "收到 3 份（未匹配 1），重复 0，未收 0" in answer.text
    with Campaign.open(twin / "round") as round_:
        round_.collect(sorted(inbox.iterdir()))
        expected = {r.name: r for r in round_.returns()}
        expected_reports = {r.name: round_.report(str(r.id)) for r in round_.returns()}
    with Campaign.open(folder) as round_:
        got = {r.name: r for r in round_.returns()}
        got_reports = {r.name: round_.report(str(r.id)) for r in round_.returns()}
    assert got.keys() == expected.keys() == files.keys()
    for name in files:
        a, b = got[name], expected[name]
        assert (a.file, a.department_id, a.matched_by, a.status, a.errors, a.warnings) == (
            b.file,
            b.department_id,
            b.matched_by,
            b.status,
            b.errors,
            b.warnings,
        )
        assert got_reports[name] == expected_reports[name]
    states = {d.name: d.state for d in Campaign.open(folder).status().departments}
    assert states == {"区市场监督管理局": "ok", "区司法局": "invalid", "区民政局": "missing"}


def test_assign_downloads_and_the_reports(folder, tmp_path):
    client = clerk(folder)
    stranger = stranger_return(tmp_path / "统计表(1).xlsx")
    upload(client, "/upload", {"统计表(1).xlsx": stranger.read_bytes()})
    page = client.get("/")
    assert "未匹配的文件" in page.text and "统计表(1).xlsx" in page.text
    (record,) = returns(folder)
    answer = client.post(
        "/assign",
        data={"csrf": csrf_of(page.text), "return": str(record.id), "department": "d003"},
    )
    assert answer.status_code == 200 and "没有未匹配的文件" in answer.text
    with Campaign.open(folder) as round_:
        assert round_.current("d003").id == record.id
    total = client.get("/total.xlsx")
    assert total.headers["content-disposition"].endswith("UTF-8''%E6%B1%87%E6%80%BB.xlsx")
    wb = load_workbook(io.BytesIO(total.content))
    assert "明细" in wb.sheetnames
    status = client.get("/status.xlsx")
    assert load_workbook(io.BytesIO(status.content)).sheetnames == ["收集情况"]
    report = client.get(f"/returns/{record.id}/report")
    assert report.status_code == 200 and "校验报告" in report.text
    annotated = client.get(f"/returns/{record.id}/annotated")
    assert load_workbook(io.BytesIO(annotated.content)).sheetnames[0] == "校验结果"
    original = client.get(f"/returns/{record.id}/file")
    assert original.content == stranger.read_bytes()
    history = client.get("/departments/d003")
    assert "统计表(1).xlsx" in history.text and "人工指定" in history.text


def test_sort_and_filter(folder, tmp_path):
    client = clerk(folder)
    upload(
        client,
        "/upload",
        {"b.xlsx": wrong_return(folder, "区司法局.xlsx", tmp_path / "b.xlsx").read_bytes()},
    )
    only = client.get("/?state=invalid").text
    assert "区司法局" in only.split('id="status"')[1] and "区民政局" not in only
    by_state = client.get("/?sort=state").text.split('id="status"')[1]  # missing first
    assert by_state.index("区市场监督管理局") < by_state.index("区司法局")
    by_state = client.get("/?sort=state&desc=1").text.split('id="status"')[1]
    assert by_state.index("区市场监督管理局") > by_state.index("区司法局")


def test_the_page_knows_when_the_round_changed(folder, tmp_path):
    """A collect at the console bumps the counter the page polls."""
    client = clerk(folder)
    before = client.get("/revision").json()["revision"]
    with Campaign.open(folder) as round_:
        round_.collect([good_return(folder, "区民政局.xlsx", tmp_path / "m.xlsx")])
    assert client.get("/revision").json()["revision"] > before
    assert "已交-通过" in client.get("/").text


def test_department_links(folder):
    with Campaign.open(folder) as round_:
        first = tokens.link(round_, "d001", "http://10.0.0.5:8000")
        assert first == tokens.link(round_, "区市场监督管理局", "http://10.0.0.5:8000")
        token = first.rsplit("/", 1)[1]
        assert len(token) == 24 and tokens.verify(round_, token).id == "d001"
        fresh = tokens.issue(round_, "d001")
        assert fresh != token and tokens.verify(round_, token) is None
        tokens.revoke(round_, "d001")
        assert tokens.link(round_, "d001") is None and tokens.verify(round_, fresh) is None
    raw = (folder / DB_NAME).read_bytes()
    assert token.encode() not in raw and fresh.encode() not in raw  # only hashes are stored
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(folder / DB_NAME) as conn:
        (stored,) = conn.execute("SELECT hash FROM clerk").fetchone()
    assert stored.startswith("scrypt$16384$8$1$")
    assert stat.S_IMODE((folder / tokens.KEY_FILE).stat().st_mode) == 0o600


def test_status_links_prints_each_departments_address(folder):
    result = runner.invoke(
        cli_app, ["campaign", "status", str(folder), "--links", "--base-url", "http://h:1"]
    )
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if "http://h:1/d/" in ln]
    assert len(lines) == 3
    with Campaign.open(folder) as round_:
        for line, department in zip(lines, round_.departments(), strict=True):
            token = line.rsplit("/d/", 1)[1].strip()
            assert tokens.verify(round_, token) == department


def test_the_clerk_reissues_and_revokes_a_link(folder):
    client = clerk(folder)
    page = client.get("/departments/d002")
    assert "尚未发放链接" in page.text
    page = client.post(
        "/departments/d002/link", data={"csrf": csrf_of(page.text), "action": "issue"}
    )
    old = page.text.split('id="department-link">')[1].split("<")[0]
    assert client_for(folder).get(old.removeprefix("http://127.0.0.1:8000")).status_code == 200
    page = client.post(
        "/departments/d002/link", data={"csrf": csrf_of(page.text), "action": "issue"}
    )
    new = page.text.split('id="department-link">')[1].split("<")[0]
    assert new != old
    assert client_for(folder).get(old.removeprefix(BASE)).status_code == 404
    page = client.post(
        "/departments/d002/link", data={"csrf": csrf_of(page.text), "action": "revoke"}
    )
    assert "链接已于" in page.text
    assert client_for(folder).get(new.removeprefix(BASE)).status_code == 404


# --- a department's page ---------------------------------------------------------------------


def test_a_department_uploads_and_sees_its_report_at_once(folder, tmp_path):
    token = link_token(folder, "d002")
    client = client_for(folder)
    page = client.get(f"/d/{token}")
    assert page.status_code == 200
    assert "区司法局" in page.text and "2099-12-31" in page.text and "未交" in page.text
    template = client.get(f"/d/{token}/template")
    assert template.content == (folder / "templates" / "区司法局.xlsx").read_bytes()
    wrong = wrong_return(folder, "区司法局.xlsx", tmp_path / "错.xlsx")
    answer = upload(
        client, f"/d/{token}/upload", {"司法局.xlsx": wrong.read_bytes()}, f"/d/{token}"
    )
    assert answer.status_code == 200
    assert "已收到 司法局.xlsx：有错误" in answer.text
    assert "合计不符" in answer.text and "请按下表修改后重新上传" in answer.text
    (record,) = returns(folder)
    assert record.department_id == "d002" and record.matched_by == "stamp"
    annotated = client.get(f"/d/{token}/returns/{record.id}/annotated")
    assert load_workbook(io.BytesIO(annotated.content)).sheetnames[0] == "校验结果"
    good = good_return(folder, "区司法局.xlsx", tmp_path / "对.xlsx")
    answer = upload(
        client, f"/d/{token}/upload", {"司法局_改.xlsx": good.read_bytes()}, f"/d/{token}"
    )
    assert "已收到 司法局_改.xlsx：通过" in answer.text and "已交-通过" in answer.text
    with Campaign.open(folder) as round_:
        assert [r.name for r in round_.history("d002")] == ["司法局.xlsx", "司法局_改.xlsx"]


def test_without_javascript_the_forms_still_work(folder, tmp_path):
    """The plain form posts (no script): sign in, upload, see the result, download."""
    client = clerk(folder)
    answer = upload(
        client,
        "/upload",
        {"a.xlsx": good_return(folder, "区民政局.xlsx", tmp_path / "a.xlsx").read_bytes()},
    )
    assert "区民政局（按模板标识）" in answer.text
    assert client.get("/total.xlsx").status_code == 200


# --- security --------------------------------------------------------------------------------


CLERK_ONLY = [
    ("get", "/revision"),
    ("get", "/total.xlsx"),
    ("get", "/status.xlsx"),
    ("get", "/departments/d001"),
    ("get", "/returns/1/report"),
    ("get", "/returns/1/annotated"),
    ("get", "/returns/1/file"),
]


def test_everything_but_the_sign_in_page_is_404_without_signing_in(folder, tmp_path):
    clerk(folder)  # a session elsewhere does not matter
    upload(
        clerk(folder),
        "/upload",
        {"a.xlsx": good_return(folder, "区民政局.xlsx", tmp_path / "a.xlsx").read_bytes()},
    )
    client = client_for(folder)
    for method, path in CLERK_ONLY:
        assert getattr(client, method)(path).status_code == 404, path
    for path in ("/nothing", "/d/", "/d/notatoken", "/d/" + "A" * 24, "/admin", "/static/x.js"):
        assert client.get(path).status_code == 404, path
    assert client.put("/").status_code == 404
    assert client.post("/upload", data={"csrf": "x"}).status_code == 404
    assert len(returns(folder)) == 1


def test_a_department_link_opens_nothing_else(folder, tmp_path):
    """A department's token reads neither another department's page or returns nor the
    clerk's page."""
    mine, other = link_token(folder, "d001"), link_token(folder, "d002")
    theirs = wrong_return(folder, "区司法局.xlsx", tmp_path / "theirs.xlsx")
    upload(
        client_for(folder),
        f"/d/{other}/upload",
        {"司法局.xlsx": theirs.read_bytes()},
        f"/d/{other}",
    )
    (their_return,) = returns(folder)
    client = client_for(folder)
    page = client.get(f"/d/{mine}")
    assert page.status_code == 200
    for name in ("区司法局", "区民政局", "司法局.xlsx"):
        assert name not in page.text
    for path in (
        f"/d/{mine}/returns/{their_return.id}/report",
        f"/d/{mine}/returns/{their_return.id}/annotated",
        f"/d/{mine}/returns/999/report",
        *(path for _method, path in CLERK_ONLY),
    ):
        assert client.get(path).status_code == 404, path
    assert "区司法局" not in client.get("/").text  # the sign-in form, nothing of the round
    # a file of another department uploaded through this link: recorded, not named
    answer = upload(
        client,
        f"/d/{mine}/upload",
        {"x.xlsx": good_return(folder, "区司法局.xlsx", tmp_path / "x.xlsx").read_bytes()},
        f"/d/{mine}",
    )
    assert "无法确认是本单位的统计表" in answer.text and "区司法局" not in answer.text


def test_forms_without_their_csrf_token_are_refused(folder, tmp_path):
    client = clerk(folder)
    token = link_token(folder, "d001")
    data = good_return(folder, "区市场监督管理局.xlsx", tmp_path / "a.xlsx").read_bytes()
    files = [("files", ("a.xlsx", data, "application/octet-stream"))]
    assert client.post("/upload", files=files).status_code == 403
    assert client.post("/upload", data={"csrf": "forged"}, files=files).status_code == 403
    assert client.post(f"/d/{token}/upload", files=files).status_code == 403
    assert client.post("/assign", data={"return": "1", "department": "d001"}).status_code == 403
    assert client.post("/departments/d001/link", data={"action": "revoke"}).status_code == 403
    assert client.post("/logout").status_code == 403
    fresh = client_for(folder)
    fresh.get("/")
    assert fresh.post("/login", data={"password": PASSWORD}).status_code == 403
    # the right token from another site (the browser names the origin) is refused as well
    csrf = csrf_of(client.get("/").text)
    crossed = client.post(
        "/upload", data={"csrf": csrf}, files=files, headers={"Origin": "http://evil.example"}
    )
    assert crossed.status_code == 403
    assert returns(folder) == []
    assert "表单已过期" in client.post("/upload", files=files).text


@pytest.mark.parametrize(
    "name",
    ["../../../evil.xlsx", "..\\..\\evil.xlsx", "/etc/evil.xlsx", "C:\\Windows\\evil.xlsx"],
)
def test_path_traversal_in_an_uploaded_file_name(folder, tmp_path, name):
    data = good_return(folder, "区市场监督管理局.xlsx", tmp_path / "a.xlsx").read_bytes()
    before = set(tmp_path.rglob("*"))
    upload(clerk(folder), "/upload", {name: data})
    (record,) = returns(folder)
    assert record.name == "evil.xlsx"
    assert record.file.startswith("received/") and record.file.endswith("/evil.xlsx")
    made = {p for p in set(tmp_path.rglob("*")) - before if p.is_file()}
    assert made and all(p.is_relative_to(folder) for p in made)
    assert not Path("/etc/evil.xlsx").exists()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One round with one return, for the tests that only read."""
    base = tmp_path_factory.mktemp("shared")
    folder = make_round(base)
    with Campaign.open(folder) as round_:
        round_.collect([good_return(folder, "区民政局.xlsx", base / "民政局.xlsx")])
    return folder


@pytest.mark.parametrize(
    "path",
    [
        "/static/../campaign.sqlite",
        "/static/%2e%2e/web.key",
        "/static/..%2fweb.key",
        "/static/app.js/../../web.key",
        "/returns/..%2f..%2fweb.key/file",
        "/returns/-1/file",
        "/d/..%2f..%2fweb.key",
        "/d/%2e%2e/%2e%2e/campaign.sqlite",
        "/templates/区司法局.xlsx",
        "/received/",
        "/web.key",
        "/campaign.sqlite",
    ],
)
def test_path_traversal_in_addresses(shared, path):
    client = clerk(shared)
    answer = client.get(path)
    assert answer.status_code in (404, 400), path
    key = (shared / tokens.KEY_FILE).read_text().strip()
    assert key not in answer.text and b"SQLite format" not in answer.content


def test_stored_paths_never_lead_outside_the_round(folder):
    with Campaign.open(folder) as round_:
        for bad in ("../名单.csv", "/etc/passwd", "received/../../名单.csv"):
            with pytest.raises(UsageError):
                round_.inside(bad)
        assert round_.inside("templates/区司法局.xlsx").is_file()


def test_oversize_uploads(folder, tmp_path, monkeypatch):
    client = clerk(folder)
    big = b"PK\x03\x04" + b"\0" * security.MAX_UPLOAD_BYTES  # one byte over
    good = good_return(folder, "区民政局.xlsx", tmp_path / "a.xlsx").read_bytes()
    answer = upload(client, "/upload", {"big.xlsx": big, "ok.xlsx": good})
    assert "未收 web › big.xlsx：文件过大（超过 20 MB），未收" in answer.text
    assert [r.name for r in returns(folder)] == ["ok.xlsx"]
    # too many files in one request
    many = {f"{n}.xlsx": b"x" for n in range(security.MAX_UPLOAD_FILES + 1)}
    assert upload(client, "/upload", many).status_code == 400
    # a body over the limit: refused by its declared length, and while it streams
    monkeypatch.setattr(security, "MAX_REQUEST_BYTES", 1024 * 1024)
    csrf = csrf_of(client.get("/").text)
    answer = client.post(
        "/upload", data={"csrf": csrf}, files=[("files", ("a.xlsx", b"\0" * 2_000_000))]
    )
    assert answer.status_code == 413 and "上传的内容太大" in answer.text

    def chunks():
        boundary = b"--XyZ\r\n"
        yield boundary + b'Content-Disposition: form-data; name="csrf"\r\n\r\n' + csrf.encode()
        yield b"\r\n" + boundary
        yield b'Content-Disposition: form-data; name="files"; filename="a.xlsx"\r\n\r\n'
        for _ in range(40):
            yield b"\0" * 65536  # 2.5 MB with no Content-Length

    answer = client.post(
        "/upload",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert answer.status_code == 413
    assert len(returns(folder)) == 1


def test_zip_bomb_uploads_are_refused_quickly(folder, tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 11_000_000)  # a ratio of ~1000
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("统计表.xlsx", b"\0" * 11_000_000)
    assert len(bomb.getvalue()) < security.MAX_UPLOAD_BYTES
    answer = upload(
        clerk(folder), "/upload", {"bomb.xlsx": bomb.getvalue(), "bomb.zip": archive.getvalue()}
    )
    assert answer.status_code == 200
    assert "疑似压缩炸弹" in answer.text  # the .zip: refused before unpacking
    (record,) = returns(folder)  # the workbook: stored as received, then the guard refused it
    assert record.name == "bomb.xlsx" and record.status == "unreadable"
    with Campaign.open(folder) as round_:
        (finding,) = round_.report(str(record.id))["findings"]
    assert finding["code"] == "unreadable" and "压缩炸弹" in finding["message"]


MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_injection_through_names_is_escaped(tmp_path):
    """单位名称 in a return, a department's name on the roster and a file name are shown as
    text, never as markup."""
    roster = [*ROSTER, [f"区{MARKUP}局", "", "", ""]]
    folder = make_round(tmp_path, roster)
    client = clerk(folder)
    stranger = stranger_return(tmp_path / "s.xlsx", unit_name=MARKUP)
    upload(client, "/upload", {f"{MARKUP}.xlsx": stranger.read_bytes()})
    token = link_token(folder, "d004")
    pages = [
        client.get("/").text,
        client.get("/departments/d004").text,
        client.get(f"/returns/{returns(folder)[0].id}/report").text,
        client_for(folder).get(f"/d/{token}").text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page or "&lt;img" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[0]


def test_every_page_has_a_strict_content_security_policy(shared):
    client = clerk(shared)
    for path in ("/", "/departments/d001", "/nothing", "/static/app.js"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    report = client.get("/returns/1/report").headers["content-security-policy"]
    assert "script-src" not in report and report.startswith("default-src 'none'")
    cookie = client_for(shared).get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_other_host_names_are_refused(shared):
    client = TestClient(
        create_app(shared, allowed_hosts=["127.0.0.1"]), base_url="http://evil.example"
    )
    assert client.get("/").status_code == 400


def test_signing_in_is_throttled(folder):
    client = client_for(folder)
    csrf = csrf_of(client.get("/").text)
    for _ in range(security.MAX_FAILURES):
        assert client.post("/login", data={"csrf": csrf, "password": "x"}).status_code == 403
    blocked = client.post("/login", data={"csrf": csrf, "password": PASSWORD})
    assert blocked.status_code == 429


def test_a_new_password_ends_the_old_sessions(folder):
    client = clerk(folder)
    with Campaign.open(folder) as round_:
        tokens.set_clerk_password(round_, "another-password")
    assert client.get("/revision").status_code == 404


# --- the serve command -----------------------------------------------------------------------


def test_serve_warns_when_reachable_from_the_network(folder):
    port = free_port("0.0.0.0")
    env = {**os.environ, "COLUMNS": "200"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "disclosure_xlsx",
            "campaign",
            "serve",
            str(folder),
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        line = process.stdout.readline()
        while "收集人页面" not in line:
            assert line, process.stderr.read()
            line = process.stdout.readline()
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=10)
    assert "注意：服务在 0.0.0.0 上监听" in err


def test_serve_refuses_a_port_in_use(folder):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli_app, ["campaign", "serve", str(folder), "--port", str(port)])
    assert result.exit_code == 2 and "无法在 127.0.0.1" in result.output


def test_a_recorded_report_is_rebuilt_exactly(folder, tmp_path):
    upload(
        clerk(folder),
        "/upload",
        {
            "a.xlsx": wrong_return(folder, "区司法局.xlsx", tmp_path / "a.xlsx").read_bytes(),
            "b.xlsx": stranger_return(tmp_path / "b.xlsx").read_bytes(),
        },
    )
    with Campaign.open(folder) as round_:
        for record in round_.returns():
            for lang in ("zh", "en"):
                rebuilt = round_.file_report(str(record.id)).to_dict(lang)
                stored = round_.report(str(record.id), lang)
                assert json.dumps({**rebuilt, "path": None}) == json.dumps({**stored, "path": None})
