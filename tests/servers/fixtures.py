"""pytest plugin: fixtures for the real servers in tests/servers (see its __init__ docstring).

Registered by `pytest_plugins` in tests/conftest.py, so any test can ask for:

- `tls_ca` (session): a `tls.TestCA`, the throwaway CA and 127.0.0.1/localhost certificate.
- `smtp_server`: a plain SMTP server (no TLS, no AUTH) for this test; `.messages` records mail.
- `make_smtp_server(**options)`: more SMTP servers for this test (options: see smtp.SMTPServer;
  TLS servers get `tls_ca` unless given `ca=`). All are stopped after the test.
- `dovecot` (session): the running Dovecot (`imap.DovecotServer`).
- `imap_server`: a fresh user of it with an empty Maildir (`imap.ImapAccount`).
- `make_web_server(directory)`: a static HTTP server on 127.0.0.1 (`web.WebServer`).
- `browser`: a headless Chromium WebDriver with a fresh profile; `browser.download_dir` is
  where downloads land. When the test fails, a screenshot is saved in the test's tmp_path.

Where Dovecot or Chromium is missing the tests that need them are skipped, or failed when the
environment variable CI is "true".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .requirements import unavailable
from .tls import TestCA

if TYPE_CHECKING:
    from .imap import DovecotServer, ImapAccount
    from .smtp import SMTPServer
    from .web import WebServer


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Lets fixtures see in their teardown whether the test itself failed.
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


_call_failed = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def tls_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def make_smtp_server(tls_ca: TestCA) -> Iterator[Callable[..., SMTPServer]]:
    from .smtp import SMTPServer

    servers: list[SMTPServer] = []

    def make(**options: Any) -> SMTPServer:
        if options.get("tls"):
            options.setdefault("ca", tls_ca)
        server = SMTPServer(**options)
        servers.append(server)
        return server.start()

    try:
        yield make
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., SMTPServer]) -> SMTPServer:
    return make_smtp_server()


@pytest.fixture(scope="session")
def dovecot(tls_ca: TestCA) -> Iterator[DovecotServer]:
    from .imap import DovecotServer, DovecotUnavailable

    try:
        server = DovecotServer(tls_ca)
    except DovecotUnavailable as e:
        unavailable(str(e))
    with server:
        yield server


@pytest.fixture
def imap_server(dovecot: DovecotServer) -> ImapAccount:
    return dovecot.add_user()


@pytest.fixture
def make_web_server() -> Iterator[Callable[[Path], WebServer]]:
    from .web import WebServer

    servers: list[WebServer] = []

    def make(directory: Path) -> WebServer:
        server = WebServer(directory)
        servers.append(server)
        return server.start()

    try:
        yield make
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    from . import browser as chromium

    why = chromium.missing()
    if why:
        unavailable(why)
    base = tmp_path_factory.mktemp("chromium")
    driver = chromium.start_browser(base / "profile", base / "downloads")
    try:
        yield driver
        if request.node.stash.get(_call_failed, False):
            tmp = tmp_path_factory.getbasetemp() / "failed-screenshots"
            path = chromium.save_screenshot(driver, tmp, request.node.name)
            print(f"screenshot of the failed test: {path}")
    finally:
        driver.quit()
