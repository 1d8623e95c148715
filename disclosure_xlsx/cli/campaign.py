"""The `campaign` commands: init, collect, assign, status, total. Each opens the round, calls
one method of :class:`~disclosure_xlsx.campaign.Campaign`, renders, and sets the exit code.

Exit codes: 0 done (collect: every file taken, matched and passing; status: every department
has a passing return and nothing is unmatched; total: the sums pass every rule); 1 the same
command found something to see to; 2 usage error (not a round, bad roster, unknown file or
department, output exists); 130 interrupted (what was recorded stays recorded).
"""

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ..errors import DisclosureError, Interrupted, UsageError
from ..text import UI, Lang, Text
from .app import EXIT_FINDINGS, EXIT_OK, ForceOpt, LangChoice, LangOpt, fail, lang_of

app = typer.Typer(
    name="campaign",
    help=(
        "一轮收集：按名单下发模板、收表、匹配单位、查看谁交了、汇总全区。"
        "A collection round: templates out, returns in, who has returned, the district total."
    ),
    no_args_is_help=True,
)

FolderArg = Annotated[Path, typer.Argument(help="这一轮的文件夹 The round's folder", metavar="DIR")]


@app.command("init")
def init_command(
    folder: FolderArg,
    roster: Annotated[
        Path,
        typer.Option("--roster", help="名单 CSV：单位名称[,联系人,邮箱,电话] Roster CSV"),
    ],
    year: Annotated[str, typer.Option("--year", help="表格年度格式 Template year: 2014|2021")],
    title: Annotated[str | None, typer.Option("--title", help="这一轮的名称 Title")] = None,
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="截止日期 YYYY-MM-DD Deadline")
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="上一年度的收集文件夹（做年度对比） Last year's round"),
    ] = None,
    force: ForceOpt = False,
    language: LangOpt = LangChoice.zh,
) -> None:
    """建立一轮收集：状态库和每个单位一份带标识的模板。Create a round."""
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..render.console import print_campaign_created

    try:
        with Campaign.init(
            folder, roster, year, title=title, deadline=deadline, previous=previous, force=force
        ) as round_:
            n = len(round_.departments())
            info = round_.info
    except DisclosureError as exc:
        fail(exc, lang)
    print_campaign_created(folder, n, folder / "templates", info.id, info.previous, lang)


@app.command("collect")
def collect_command(
    folder: FolderArg,
    paths: Annotated[
        list[str],
        typer.Argument(
            help="退回的文件、文件夹、.eml 邮件、.zip Files, folders, e-mails", metavar="PATH..."
        ),
    ],
    sender: Annotated[
        str | None,
        typer.Option(
            "--sender", help="这些文件的发件邮箱（.eml 自带） Sender address of these files"
        ),
    ] = None,
    received_at: Annotated[
        str | None,
        typer.Option(
            "--received-at",
            help="收到时间，如 2025-03-01T09:30（默认：邮件时间，否则现在） When they arrived",
        ),
    ] = None,
    language: LangOpt = LangChoice.zh,
) -> None:
    """收表：存档、校验、匹配单位、登记。Take returned files in.

    Exit code 0: every file taken, matched and passing; 1: something to see to; 2: usage error.
    """
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..render.console import print_collected, print_outcome

    try:
        when = _when(received_at)
        with Campaign.open(folder) as round_:
            result = round_.collect(
                paths,
                sender=sender,
                received_at=when,
                progress=lambda o: print_outcome(o, lang),
            )
    except DisclosureError as exc:
        fail(exc, lang)
    print_collected(result, lang)
    if not result.outcomes:  # most likely the wrong folder: say so rather than succeed quietly
        from ..render.console import print_note

        where = "、".join(paths)
        print_note(
            Text(
                f"在 {where} 中没有找到任何文件（是不是指错了文件夹？）",
                f"no file found in {', '.join(paths)} (the wrong folder?)",
            )(lang)
        )
    raise typer.Exit(EXIT_FINDINGS if result.needs_attention else EXIT_OK)


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            Text(
                f"收到时间“{text}”应写成 2025-03-01T09:30",
                f"--received-at '{text}' must look like 2025-03-01T09:30",
            )
        ) from None
    return when if when.tzinfo else when.astimezone()


@app.command("assign")
def assign_command(
    folder: FolderArg,
    file: Annotated[
        str,
        typer.Argument(
            help="文件（received/ 下的路径、原文件名或序号） The return", metavar="FILE"
        ),
    ],
    dept: Annotated[str, typer.Argument(help="单位名称或编号 The department", metavar="DEPT")],
    language: LangOpt = LangChoice.zh,
) -> None:
    """把一份文件指定给一个单位。Say whose a return is."""
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..render.console import print_assigned

    try:
        with Campaign.open(folder) as round_:
            record = round_.assign(file, dept)
            name = round_.department(record.department_id or dept).name
    except DisclosureError as exc:
        fail(exc, lang)
    print_assigned(record, name, lang)


class StatusFormat(StrEnum):
    """How `campaign status` shows the round."""

    console = "console"
    json = "json"
    xlsx = "xlsx"


@app.command("status")
def status_command(
    folder: FolderArg,
    fmt: Annotated[
        StatusFormat, typer.Option("--format", help="console|json|xlsx（xlsx 需 -o）")
    ] = StatusFormat.console,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="写入文件 Write to a file")
    ] = None,
    force: ForceOpt = False,
    links: Annotated[
        bool,
        typer.Option(
            "--links",
            help="列出各单位的上传链接（尚无链接的单位随即发放） "
            "The departments' upload links (issued where missing)",
        ),
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="链接的开头（默认：campaign serve 记下的地址） "
            "Start of the links (default: the address campaign serve recorded)",
        ),
    ] = None,
    language: LangOpt = LangChoice.zh,
) -> None:
    """谁交了、谁没交、谁有错误。Who has returned what.

    Exit code 0: every department has a passing return and nothing is unmatched; 1: not yet.
    """
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..outputs import check_output, write_bytes, write_text
    from ..render.console import print_campaign_status, print_note
    from ..text import ui

    if links:
        _print_links(folder, base_url, lang)
    try:
        if fmt is StatusFormat.xlsx and output is None:
            raise UsageError(
                Text("--format xlsx 需要用 -o 指定文件", "--format xlsx needs -o FILE")
            )
        if output is not None:
            check_output(output, force=force)
        with Campaign.open(folder) as round_:
            status = round_.status()
            contacts = {d.id: (d.contact, d.phone) for d in round_.departments()}
        if fmt is StatusFormat.json:
            import json

            text = json.dumps(status.to_dict(lang), ensure_ascii=False, indent=2)
            if output is None:
                typer.echo(text)
            else:
                write_text(output, text + "\n")
        elif fmt is StatusFormat.xlsx:
            from ..campaign.sheets import status_workbook

            assert output is not None
            write_bytes(output, status_workbook(status, contacts, lang))
        else:
            print_campaign_status(status, lang)
        if output is not None:
            print_note(ui("campaign.status.written", lang, path=output))
    except DisclosureError as exc:
        fail(exc, lang)
    raise typer.Exit(EXIT_OK if status.complete else EXIT_FINDINGS)


class TotalFormat(StrEnum):
    """How `campaign total` shows the sums."""

    console = "console"
    json = "json"


@app.command("total")
def total_command(
    folder: FolderArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="汇总表 .xlsx（模板 + 明细 + 说明） The total workbook"
        ),
    ] = None,
    include_invalid: Annotated[
        bool,
        typer.Option("--include-invalid", help="有错误的单位也计入 Count returns with errors too"),
    ] = False,
    fmt: Annotated[
        TotalFormat, typer.Option("--format", help="console|json")
    ] = TotalFormat.console,
    unit_name: Annotated[
        str | None,
        typer.Option(
            "--unit-name", help="汇总表的单位名称（默认：这一轮的名称） Name on the total"
        ),
    ] = None,
    force: ForceOpt = False,
    language: LangOpt = LangChoice.zh,
) -> None:
    """全区汇总：各单位当前版本逐项相加，写出并校验。The district total.

    Exit code 0: the sums pass every rule; 1: they do not; 2: usage error.
    """
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..render.console import print_total

    try:
        with Campaign.open(folder) as round_:
            if output is not None:
                total = round_.write_total(
                    output, include_invalid=include_invalid, unit_name=unit_name, force=force
                )
            else:
                total = round_.total(include_invalid=include_invalid, unit_name=unit_name)
    except DisclosureError as exc:
        fail(exc, lang)
    if fmt is TotalFormat.json:
        import json

        typer.echo(json.dumps(total.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        print_total(total, lang, output)
    ok = total.report is not None and total.report.status == "ok"
    raise typer.Exit(EXIT_OK if ok else EXIT_FINDINGS)


def _print_links(folder: Path, base_url: str | None, lang: Lang) -> NoReturn:
    """`status --links`: one line per department, its personal upload address."""
    from ..campaign import Campaign
    from ..campaign import tokens as link_tokens
    from ..numbers import clean
    from ..render.console import print_line
    from ..text import ui

    try:
        with Campaign.open(folder) as round_:
            status = round_.status()
            rows = [
                (d.name, link_tokens.link(round_, d.id, base_url)) for d in round_.departments()
            ]
    except DisclosureError as exc:
        fail(exc, lang)
    print_line(ui("campaign.links.title", lang))
    for n, (name, address) in enumerate(rows, start=1):
        # NOTE: plain lines, never wrapped, so an address copies whole
        typer.echo(f"{n}\t{clean(name)}\t{address or ui('campaign.links.none', lang)}")
    raise typer.Exit(EXIT_OK if status.complete else EXIT_FINDINGS)


# --- the web page (issue 15) ---------------------------------------------------------------

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command("serve")
def serve_command(
    folder: FolderArg,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="监听的地址（默认只允许本机访问；0.0.0.0 让同一网络的电脑都能访问） "
            "Address to listen on",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 Port")] = 8000,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="各单位访问本服务用的地址，写进链接（默认按 --host 和 --port） "
            "The address departments use, for their links",
        ),
    ] = None,
    new_password: Annotated[
        bool,
        typer.Option("--new-password", help="重新设置收集人口令 Set a new clerk password"),
    ] = False,
    language: LangOpt = LangChoice.zh,
) -> None:
    """网页：收集人看全局、各单位凭自己的链接上传并马上看到结果。The round in a browser.

    Runs until Ctrl+C. The first start sets the clerk's password.
    """
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..campaign import tokens as link_tokens
    from ..render.console import print_line, print_note
    from ..text import ui

    try:
        import uvicorn

        from ..web import create_app
    except ImportError:
        fail(UsageError(UI["web.serve.missing"]), lang)
    try:
        _check_port(host, port)
        address = url or f"http://{_url_host(host)}:{port}"
        with Campaign.open(folder) as round_:
            link_tokens.set_base_url(round_, address)
            if new_password or not link_tokens.has_clerk_password(round_):
                password, generated = _ask_password(lang)
                link_tokens.set_clerk_password(round_, password)
                if generated:  # NOTE: on a line of its own, so no wrapping cuts it
                    print_line(ui("web.serve.password.generated", lang))
                    print_line(f"    {password}")
                else:
                    print_line(ui("web.serve.password.set", lang))
        app_ = create_app(folder, allowed_hosts=_allowed_hosts(host, address))
    except DisclosureError as exc:
        fail(exc, lang)
    if host not in LOOPBACK:
        print_note(ui("web.serve.exposed", lang, host=host))
    # NOTE: on a loopback address the clerk uses that; --url is for the departments
    clerk = f"http://{_url_host(host)}:{port}" if host in LOOPBACK else address
    print_line(ui("web.serve.clerk", lang, url=clerk + ("/?lang=en" if lang == "en" else "/")))
    print_line(ui("web.serve.links", lang, folder=folder))
    print_line(ui("web.serve.stop", lang))
    # NOTE: uvicorn's access log is off (log_level warning): department links are in the paths
    import contextlib

    # uvicorn stops cleanly on Ctrl+C, then passes it on: the normal way out, not an error
    with contextlib.suppress(Interrupted):
        uvicorn.run(
            app_,
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
            proxy_headers=False,
        )
    print_line(ui("web.serve.stopped", lang))


def _url_host(host: str) -> str:
    """The host as a link names it: a wildcard address becomes this computer's address."""
    if host in ("0.0.0.0", "::", ""):
        import socket

        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.255.255.255", 1))  # NOTE: UDP connect sends nothing
                return str(probe.getsockname()[0])
        except OSError:
            return socket.gethostname()
    return f"[{host}]" if ":" in host else host


def _allowed_hosts(host: str, address: str) -> list[str] | None:
    """Host names the server answers to (a page fetched under another name, as in a DNS
    rebinding attack, is refused); None when listening everywhere without a known address."""
    from urllib.parse import urlsplit

    names = {"127.0.0.1", "localhost", "[::1]", "::1", urlsplit(address).hostname or ""}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host)
    return sorted(n for n in names if n)


def _check_port(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                Text(
                    f"无法在 {host}:{port} 上监听（{exc.strerror}）；端口被占用时可换 --port",
                    f"cannot listen on {host}:{port} ({exc.strerror}); try another --port",
                )
            ) from None


def _ask_password(lang: Lang) -> tuple[str, bool]:
    """The clerk's new password: typed at a terminal, else generated (then shown once)."""
    import secrets
    import sys

    from ..text import ui

    if sys.stdin.isatty():
        typed = typer.prompt(
            ui("web.serve.password.prompt", lang),
            default="",
            hide_input=True,
            confirmation_prompt=True,
            show_default=False,
        )
        if typed:
            return typed, False
    return secrets.token_urlsafe(12), True
