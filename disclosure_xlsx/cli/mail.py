"""The e-mail commands of the `campaign` group: send, fetch, reply (registered on its app).

Servers, the sender and the office's contact come from the round's ``mail/设置.toml``; the
options here override it for one run. The password is never an option value: it comes from
the environment variable ``--password-env`` (or the file's ``password_env``) names, or from a
prompt that does not echo.

Exit codes: 0 everything done (send, reply: every letter sent or drafted; fetch: every file
taken, matched and passing); 1 something to see to (a letter failed or had no address, the
server stopped mid-way; a file not taken, unmatched or with errors, a department's mail
without attachment); 2 nothing could be done (not a round, bad settings or texts, the server
cannot be reached, refused the login or failed the TLS check); 130 interrupted (what was
sent or taken is recorded as it happened).
"""

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import DisclosureError, UsageError
from ..text import UI, Lang, Text, ui
from .app import EXIT_FINDINGS, EXIT_OK, ForceOpt, LangChoice, LangOpt, fail, lang_of
from .campaign import FolderArg
from .campaign import app as campaign_app

if TYPE_CHECKING:
    from ..campaign import Outcome
    from ..mail import FetchedMessage, MailSettings, PostResult, Secret, Server
    from ..mail.settings import Security

UserOpt = Annotated[
    str | None, typer.Option("--user", help="登录用户名（不填则按设置） Login user", metavar="USER")
]
PasswordEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        help="存放密码的环境变量名（不填则运行时输入） Environment variable holding the password",
        metavar="VAR",
    ),
]
CaFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--ca-file", help="服务器证书的签发证书 .pem（单位自建证书时） CA certificate file"
    ),
]
StarttlsOpt = Annotated[
    bool, typer.Option("--starttls", help="先明文连接再加密（STARTTLS） Use STARTTLS")
]
DraftsOpt = Annotated[
    Path | None,
    typer.Option(
        "--drafts",
        help="不发送，写成 .eml 草稿放进这个文件夹，在邮件客户端里打开后发出 "
        "Write drafts to this folder instead of sending",
        metavar="OUT_DIR",
    ),
]
SmtpOpt = Annotated[
    str | None,
    typer.Option("--smtp", help="发信服务器 SMTP server", metavar="HOST[:PORT]"),
]
SslOpt = Annotated[bool, typer.Option("--ssl", help="SSL 加密连接（端口 465） Use SSL")]
FromOpt = Annotated[
    str | None,
    typer.Option("--from", help="发件人 Sender, e.g. '公开办 <gk@example.cn>'", metavar="ADDR"),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        help="只发给这些单位（可重复，或用逗号分隔） Only these departments",
        metavar="DEPT",
    ),
]
AgainOpt = Annotated[
    bool, typer.Option("--again", help="已发过的也再发一次 Send again to those sent before")
]
PerMinuteOpt = Annotated[
    int | None,
    typer.Option("--per-minute", help="每分钟最多发几封 At most N messages a minute", min=1),
]


def _prompt(lang: Lang) -> Callable[[str], str]:
    def ask(account: str) -> str:
        return str(typer.prompt(ui("mail.password", lang, account=account), hide_input=True))

    return ask


def _password(server: "Server | None", lang: Lang) -> "Secret | None":
    from ..mail import password_for

    if server is None:
        return None
    return password_for(server, _prompt(lang))


def _security(ssl: bool, starttls: bool) -> "Security | None":
    if ssl and starttls:
        raise UsageError(UI["mail.ssl_and_starttls"])
    return "ssl" if ssl else "starttls" if starttls else None


def _smtp_settings(
    folder: Path,
    *,
    drafts: Path | None,
    smtp: str | None,
    user: str | None,
    ssl: bool,
    starttls: bool,
    ca_file: Path | None,
    password_env: str | None,
) -> "tuple[MailSettings, Server | None]":
    from ..mail import load_settings, override

    if drafts is not None and smtp is not None:
        raise UsageError(UI["mail.drafts_and_smtp"])
    settings = load_settings(folder)
    if drafts is not None:
        return settings, None
    server = override(
        "smtp",
        settings.smtp.server,
        host=smtp,
        user=user,
        security=_security(ssl, starttls),
        ca_file=ca_file,
        password_env=password_env,
    )
    return settings, server


def _post_command(name: str, post: str, doc: str) -> None:
    """Register ``campaign NAME``: `send` and `reply` take the same options and do the same
    (the settings, the password, the letters, the exit code); ``post`` names the library
    call that plans and posts the letters (imported when the command runs)."""

    def command(
        folder: FolderArg,
        drafts: DraftsOpt = None,
        smtp: SmtpOpt = None,
        user: UserOpt = None,
        ssl: SslOpt = False,
        starttls: StarttlsOpt = False,
        sender: FromOpt = None,
        password_env: PasswordEnvOpt = None,
        ca_file: CaFileOpt = None,
        only: OnlyOpt = None,
        again: AgainOpt = False,
        per_minute: PerMinuteOpt = None,
        force: ForceOpt = False,
        language: LangOpt = LangChoice.zh,
    ) -> None:
        from .. import mail
        from ..campaign import Campaign
        from ..render.console import print_delivery, print_posted

        lang = lang_of(language)
        try:
            settings, server = _smtp_settings(
                folder,
                drafts=drafts,
                smtp=smtp,
                user=user,
                ssl=ssl,
                starttls=starttls,
                ca_file=ca_file,
                password_env=password_env,
            )
            with Campaign.open(folder) as round_:
                password = _password(server, lang)
                result: PostResult = getattr(mail, post)(
                    round_,
                    settings,
                    server=server,
                    password=password,
                    drafts=drafts,
                    sender=sender,
                    only=only or (),
                    again=again,
                    force=force,
                    per_minute=per_minute,
                    progress=lambda d: print_delivery(d, lang),
                )
        except DisclosureError as exc:
            fail(exc, lang)
        print_posted(result, lang)
        raise typer.Exit(EXIT_FINDINGS if result.needs_attention or result.stopped else EXIT_OK)

    command.__doc__ = doc
    campaign_app.command(name)(command)


_post_command(
    "send",
    "send_notices",
    """发通知：每个单位一封，附上它的模板。Send each department its template.

    Exit code 0: every letter sent (or drafted); 1: one failed or had no address; 2: cannot start.
    """,
)
_post_command(
    "reply",
    "send_replies",
    """退回修改、催报逾期未交的单位。Reply with what to fix; remind the overdue.

    Exit code 0: every letter sent (or drafted); 1: one failed or had no address; 2: cannot start.
    """,
)


@campaign_app.command("fetch")
def fetch_command(
    folder: FolderArg,
    imap: Annotated[
        str | None,
        typer.Option("--imap", help="收信服务器（默认 SSL） IMAP server", metavar="HOST[:PORT]"),
    ] = None,
    user: UserOpt = None,
    starttls: StarttlsOpt = False,
    mail_folder: Annotated[
        str | None,
        typer.Option("--folder", help="邮箱文件夹（默认 INBOX） Mailbox folder", metavar="NAME"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="只看这一天以后的邮件 Only mail since", metavar="YYYY-MM-DD"),
    ] = None,
    move_to: Annotated[
        str | None,
        typer.Option(
            "--move-to", help="收下后移到这个文件夹（默认不动） Move what was taken", metavar="NAME"
        ),
    ] = None,
    password_env: PasswordEnvOpt = None,
    ca_file: CaFileOpt = None,
    language: LangOpt = LangChoice.zh,
) -> None:
    """收信：从邮箱取出报表并登记。Fetch the returns from the mailbox.

    Exit code 0: every file taken, matched and passing; 1: something to see to; 2: cannot start.
    """
    lang = lang_of(language)
    from ..campaign import Campaign
    from ..mail import Listener, fetch_returns, load_settings, override
    from ..mail.settings import parse_date
    from ..render.console import (
        mail_progress,
        print_fetched,
        print_fetched_note,
        print_outcome,
    )

    bar = mail_progress(lang)
    task = bar.add_task("", total=None)

    class Shown(Listener):
        """A line for each file and each note, over a progress bar of the messages."""

        def start(self, total: int) -> None:
            bar.update(task, total=total)

        def outcome(self, outcome: "Outcome") -> None:
            print_outcome(outcome, lang)

        def message(self, message: "FetchedMessage") -> None:
            if message.note is not None:
                print_fetched_note(message, lang)

        def advance(self, n: int = 1) -> None:
            bar.advance(task, n)

    try:
        settings = load_settings(folder)
        server = override(
            "imap",
            settings.imap.server,
            host=imap,
            user=user,
            security="starttls" if starttls else None,
            ca_file=ca_file,
            password_env=password_env,
        )
        if server is None:
            raise UsageError(
                Text(
                    "没有收信服务器：请在 mail/设置.toml 的 [imap] 填写 host，或用 --imap 服务器",
                    "no IMAP server: give host in [imap] of mail/设置.toml, or --imap HOST",
                )
            )
        day = parse_date(since) if since else settings.imap.since
        target = move_to if move_to is not None else settings.imap.move_to
        with Campaign.open(folder) as round_:
            password = _password(server, lang)
            with bar:
                report = fetch_returns(
                    round_,
                    server,
                    password,
                    folder=mail_folder or settings.imap.folder,
                    since=day,
                    move_to=target or None,
                    listener=Shown(),
                )
    except DisclosureError as exc:
        fail(exc, lang)
    print_fetched(report, lang, target)
    raise typer.Exit(EXIT_FINDINGS if report.needs_attention else EXIT_OK)
