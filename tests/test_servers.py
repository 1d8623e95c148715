"""Smoke tests of the real servers in tests/servers, driven by the standard library's clients."""

from __future__ import annotations

import imaplib
import smtplib
import ssl
import struct
import time
from datetime import datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.servers import imap as imap_module
from tests.servers import requirements
from tests.servers.browser import save_screenshot, wait_for_download
from tests.servers.imap import DovecotServer, imap_utf7, live_processes_in_group, simple_message

ATTACHMENT = "2023年度政府信息公开工作情况统计表.xlsx"
SUBJECT = "请报送政府信息公开工作年度报表"


def report_mail(to: str = "office@example.test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "统计科 <stats@example.test>"
    msg["To"] = to
    msg["Subject"] = SUBJECT
    msg.set_content("各单位：请于月底前填报附件中的表格。\n")
    msg.add_attachment(
        b"PK\x03\x04 not really a workbook",
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=ATTACHMENT,
    )
    return msg


# -- SMTP


def test_smtp_plain_records_the_message(smtp_server):
    with smtplib.SMTP(smtp_server.host, smtp_server.port, timeout=10) as client:
        assert not client.has_extn("starttls")
        client.send_message(report_mail(), from_addr="bounce@example.test")
    [received] = smtp_server.messages
    assert received.mail_from == "bounce@example.test"
    assert received.rcpt_tos == ("office@example.test",)
    assert not received.tls and received.auth_user is None
    assert received.raw.startswith(b"From: ")
    assert received.message["Subject"] == SUBJECT
    [attachment] = received.message.iter_attachments()
    assert attachment.get_filename() == ATTACHMENT
    assert attachment.get_content() == b"PK\x03\x04 not really a workbook"


def test_smtp_starttls_with_auth(make_smtp_server, tls_ca):
    server = make_smtp_server(tls="starttls", require_starttls=True, user="clerk", password="pw1")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")  # AUTH only once the connection is encrypted
        with pytest.raises(smtplib.SMTPSenderRefused):
            client.send_message(report_mail())  # 530: STARTTLS first
        client.starttls(context=server.client_context())  # verifies against the test CA
        client.ehlo()
        assert client.has_extn("auth")
        with pytest.raises(smtplib.SMTPSenderRefused):
            client.send_message(report_mail())  # 530: AUTH first
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("clerk", "wrong")
        client.login("clerk", "pw1")
        client.send_message(report_mail())
    [received] = server.messages
    assert received.tls and received.auth_user == "clerk"
    assert [a.get_filename() for a in received.message.iter_attachments()] == [ATTACHMENT]


@pytest.mark.parametrize("mechanism", ["LOGIN", "PLAIN"])
def test_smtp_auth_mechanisms(make_smtp_server, mechanism):
    server = make_smtp_server(tls="starttls", user="clerk", password="pw1")
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.starttls(context=server.client_context())
        client.ehlo()
        client.user, client.password = "clerk", "pw1"
        code, _ = client.auth(mechanism, getattr(client, f"auth_{mechanism.lower()}"))
        assert code == 235
        client.send_message(report_mail())
    assert server.wait_for(1)[0].auth_user == "clerk"


def test_smtp_certificate_is_really_verified(make_smtp_server):
    server = make_smtp_server(tls="starttls")
    # The system's CAs do not know the throwaway test CA.
    with (
        smtplib.SMTP(server.host, server.port, timeout=10) as client,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        client.starttls(context=ssl.create_default_context())


def test_smtps_implicit_tls(make_smtp_server):
    server = make_smtp_server(tls="implicit", user="clerk", password="pw1")
    ctx = server.client_context()
    with smtplib.SMTP_SSL(server.host, server.port, context=ctx, timeout=10) as client:
        client.login("clerk", "pw1")
        client.send_message(report_mail())
    [received] = server.messages
    assert received.tls and received.auth_user == "clerk"


def test_smtp_auth_without_tls_only_when_asked(make_smtp_server):
    server = make_smtp_server(user="clerk", password="pw1", auth_without_tls=True)
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.login("clerk", "pw1")
        client.send_message(report_mail())
    assert server.messages[0].auth_user == "clerk"


def test_smtp_rejected_recipient(make_smtp_server):
    server = make_smtp_server(reject={"Gone@Example.test"})
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(report_mail("gone@example.test"))
        assert refused.value.recipients["gone@example.test"][0] == 550
        # With one good recipient smtplib sends, and returns the refused ones.
        failed = client.sendmail(
            "stats@example.test",
            ["office@example.test", "gone@example.test"],
            report_mail().as_bytes(),
        )
    assert failed["gone@example.test"][0] == 550
    [received] = server.messages
    assert received.rcpt_tos == ("office@example.test",)
    assert server.refused == ["gone@example.test", "gone@example.test"]


def test_smtp_slow_server(make_smtp_server):
    server = make_smtp_server(delay=0.5)
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        start = time.monotonic()
        client.send_message(report_mail())
        assert time.monotonic() - start >= 0.5
    client = smtplib.SMTP(server.host, server.port, timeout=0.2)
    try:
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            client.send_message(report_mail())  # the client gave up waiting for the reply
    finally:
        client.close()


# -- IMAP (Dovecot)


def fetch_subject(client: imaplib.IMAP4, uid: bytes) -> str:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert status == "OK"
    header = data[0][1].decode("ascii").split(":", 1)[1].strip()
    return str(make_header(decode_header(header)))


def test_imap_plain_login_list_fetch(imap_server):
    raw = report_mail().as_bytes()
    imap_server.deliver(raw)
    imap_server.deliver(simple_message(1, subject="已处理"), folder="归档/2023", seen=True)
    with imap_server.connect() as client:
        status, folders = client.list()
        assert status == "OK"
        names = {line.decode().rsplit(" ", 1)[1].strip('"') for line in folders}
        assert names == {"INBOX", imap_utf7("归档"), imap_utf7("归档/2023")}

        status, [count] = client.select("INBOX")
        assert (status, count) == ("OK", b"1")
        [uidvalidity] = client.response("UIDVALIDITY")[1]
        assert int(uidvalidity) > 0
        status, [uids] = client.uid("SEARCH", None, "ALL")
        assert uids == b"1"
        assert fetch_subject(client, b"1") == SUBJECT
        status, data = client.uid("FETCH", b"1", "(RFC822)")
        assert data[0][1] == raw.replace(b"\n", b"\r\n")

        status, [count] = client.select(f'"{imap_utf7("归档/2023")}"', readonly=True)
        assert (status, count) == ("OK", b"1")
        status, data = client.uid("FETCH", b"1:*", "(FLAGS)")
        assert b"\\Seen" in data[0]
        assert fetch_subject(client, b"1") == "已处理"


def test_imaps_verified(imap_server):
    imap_server.deliver(simple_message(7))
    with imap_server.connect(ssl=True) as client:
        assert client.sock.getpeercert()["subjectAltName"]
        status, [count] = client.select("INBOX", readonly=True)
        assert (status, count) == ("OK", b"1")
        assert fetch_subject(client, b"1") == "Message 7"
    # imaplib verifies nothing without a context; one that trusts the system CAs refuses ours.
    with pytest.raises(ssl.SSLCertVerificationError):
        imaplib.IMAP4_SSL(
            imap_server.host, imap_server.ssl_port, ssl_context=ssl.create_default_context()
        )


def test_imap_starttls(imap_server):
    with imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10) as client:
        client.starttls(ssl_context=imap_server.ssl_context())
        client.login(imap_server.user, imap_server.password)
        assert client.select("INBOX")[0] == "OK"


def test_imap_wrong_password_is_refused(imap_server):
    with (
        imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10) as client,
        pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"),
    ):
        client.login(imap_server.user, imap_server.password + "x")


def test_imap_users_are_separate(dovecot, imap_server):
    other = dovecot.add_user()
    other.deliver(simple_message(1))
    with imap_server.connect() as client:
        assert client.select("INBOX", readonly=True)[1] == [b"0"]
    with (
        imaplib.IMAP4(imap_server.host, imap_server.port, timeout=10) as client,
        pytest.raises(imaplib.IMAP4.error),
    ):
        client.login(other.user, imap_server.password)


def test_imap_sees_mail_delivered_while_connected(imap_server):
    with imap_server.connect() as client:
        assert client.select("INBOX")[1] == [b"0"]
        imap_server.deliver(simple_message(1))
        imap_server.deliver(simple_message(2), flags="SF")
        client.noop()
        _, [uids] = client.uid("SEARCH", None, "ALL")
        assert uids == b"1 2"
        _, [flagged] = client.uid("SEARCH", None, "FLAGGED")
        assert flagged == b"2"


def test_imap_fill_many_messages(imap_server):
    start = time.monotonic()
    paths = imap_server.fill(300, folder="Bulk")
    assert len(paths) == 300 and time.monotonic() - start < 5
    with imap_server.connect() as client:
        status, data = client.status("Bulk", "(MESSAGES UNSEEN UIDNEXT)")
        assert status == "OK"
        assert b"MESSAGES 300" in data[0] and b"UNSEEN 0" in data[0]
        client.select("Bulk", readonly=True)
        assert fetch_subject(client, b"300") == "Message 299"


def test_imap_delivery_options(imap_server):
    sent = datetime(2024, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    imap_server.deliver(simple_message(1), flags="RS", date=sent)
    imap_server.fill(3, folder="Unread", flags="")
    with imap_server.connect() as client:
        client.select("INBOX", readonly=True)
        _, data = client.uid("FETCH", b"1", "(FLAGS INTERNALDATE)")
        assert b"\\Answered" in data[0] and b"\\Seen" in data[0]
        assert b'INTERNALDATE "01-Mar-2024 01:30:00 +0000"' in data[0]
        _, data = client.status("Unread", "(MESSAGES UNSEEN)")
        assert data[0] == b"Unread (MESSAGES 3 UNSEEN 3)"


def test_dovecot_stops_cleanly(tls_ca):
    with DovecotServer(tls_ca) as server:
        pid = server._process.pid
        root = server.root
        assert server.start_seconds < 5
        server.add_user("solo", "pw").deliver(simple_message(1))
        with server.accounts["solo"].connect() as client:
            assert client.select()[1] == [b"1"]
    assert live_processes_in_group(pid) == []
    assert not root.exists()


# -- browser


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_browser_loads_loopback_page(browser, make_web_server, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>政府信息公开 测试页</title>"
        "</head><body><h1>政府信息公开工作年度报表</h1>"
        f"<a id='get' href='{ATTACHMENT}' download>下载表格</a></body></html>",
        encoding="utf-8",
    )
    (site / ATTACHMENT).write_bytes(b"PK\x03\x04 not really a workbook")
    web = make_web_server(site)

    browser.get(web.url)
    assert browser.title == "政府信息公开 测试页"
    assert browser.find_element("tag name", "h1").text == "政府信息公开工作年度报表"

    shot = save_screenshot(browser, tmp_path / "shots", "首页 page")
    assert shot.name == "首页_page.png"
    width, height = png_size(shot)
    assert width == 1280 and height > 500

    browser.find_element("id", "get").click()
    downloaded = wait_for_download(browser.download_dir, ATTACHMENT)
    assert downloaded.read_bytes() == b"PK\x03\x04 not really a workbook"
    assert "/" in web.requests


def test_browser_stays_on_loopback(browser):
    from selenium.common.exceptions import WebDriverException

    with pytest.raises(WebDriverException, match="ERR_NAME_NOT_RESOLVED"):
        browser.get("http://example.com/")


# -- the skip-or-fail rule


def test_missing_program_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install x"):
        requirements.unavailable("x is missing (apt-get install x)")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        requirements.unavailable("x is missing (apt-get install x)")


def test_missing_dovecot_says_how_to_install(monkeypatch):
    monkeypatch.setattr(imap_module, "DOVECOT_CANDIDATES", ())
    monkeypatch.setattr(imap_module.shutil, "which", lambda name: None)
    with pytest.raises(imap_module.DovecotUnavailable, match="apt-get install dovecot-imapd"):
        imap_module.check_dovecot()
