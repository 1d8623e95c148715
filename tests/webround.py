"""A small round for the web page's tests, its returns, and the server on a loopback port."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

from disclosure_xlsx.campaign import Campaign, tokens
from disclosure_xlsx.spec import Spec, load_spec
from disclosure_xlsx.write.template import template_bytes

from .rounds import fill_template, write_roster
from .servers.ports import LOOPBACK, free_port, wait_for_port
from .workbooks import consistent_2021

PASSWORD = "clerk-password-1"
DEADLINE = "2099-12-31"
ROSTER = [
    ["单位名称", "联系人", "邮箱", "电话"],
    ["区市场监督管理局", "王敏", "scjgj@example.gov.cn", "0631-5200001"],
    ["区司法局", "李强", "sfj@example.gov.cn", "0631-5200002"],
    ["区民政局", "张静", "", "0631-5200003"],
]


def make_round(base: Path, roster: list[list[str]] = ROSTER) -> Path:
    """A 2021 round with the clerk's password set; returns its folder."""
    folder = base / "2021年度"
    path = write_roster(base / "名单.csv", roster)
    with Campaign.init(
        folder, path, "2021", title="环翠区 2021 年度政府信息公开统计", deadline=DEADLINE
    ) as round_:
        tokens.set_clerk_password(round_, PASSWORD)
    return folder


def spec21() -> Spec:
    return load_spec("2021")


def good_return(folder: Path, template: str, target: Path) -> Path:
    """A department's own template filled in consistently."""
    return fill_template(folder / "templates" / template, target, spec21(), consistent_2021())


def wrong_return(folder: Path, template: str, target: Path) -> Path:
    """The same with a total that does not add up (an error)."""
    values = consistent_2021()
    values["new.natural"] += 3
    return fill_template(folder / "templates" / template, target, spec21(), values)


def stranger_return(target: Path, unit_name: str = "区教育局") -> Path:
    """A consistent return on an unstamped template, of a department not on the roster."""
    blank = target.parent / f".blank-{target.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    blank.write_bytes(template_bytes(spec21(), unit_name))
    fill_template(blank, target, spec21(), consistent_2021())
    blank.unlink()
    return target


def link_token(folder: Path, dept: str) -> str:
    with Campaign.open(folder) as round_:
        return tokens.token(round_, dept) or tokens.issue(round_, dept)


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with its CSRF token"
    return found.group(1)


@contextlib.contextmanager
def running(folder: Path) -> Iterator[str]:
    """The round's web app served by uvicorn in a thread on a free loopback port; yields
    the base address."""
    import uvicorn

    from disclosure_xlsx.web import create_app

    port = free_port()
    app = create_app(folder, allowed_hosts=[LOOPBACK, "localhost"])
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning")
    server = uvicorn.Server(config)
    # NOTE: uvicorn installs signal handlers only in the main thread; this is not it
    thread = threading.Thread(target=server.run, name="dx-web", daemon=True)
    thread.start()
    try:
        wait_for_port(port, alive=thread.is_alive)
        with tokens_base(folder, f"http://{LOOPBACK}:{port}"):
            yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def tokens_base(folder: Path, url: str) -> Iterator[None]:
    with Campaign.open(folder) as round_:
        tokens.set_base_url(round_, url)
    yield
