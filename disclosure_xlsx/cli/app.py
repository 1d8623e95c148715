"""The `disclosure-xlsx` application: shared options, errors, exit codes, and `main`.

Exit codes: 0 success (no file with an error), 1 a file has an error or is unreadable,
2 usage error (bad option, missing file, refusing to overwrite, unwritable output, broken
spec), 3 internal error (a bug in disclosure-xlsx: run again with --debug to see where),
130 interrupted (Ctrl-C).
"""

import os
import sys
from enum import StrEnum
from typing import Annotated, Any, NoReturn

import typer

from ..errors import DisclosureError, Interrupted, interrupt
from ..text import Lang

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def _fold_help_text() -> None:
    """Let help text break inside a run of Chinese characters instead of cutting it with '…'.

    NOTE: Rich treats a run of CJK characters as one word and, in typer's option tables,
    ellipsizes what does not fit, so at 80 columns option help lost its end. Folding keeps every
    character; tests/test_cli_help.py renders every command's help at 80 columns.
    """
    rich_utils = _rich_utils()
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is None or getattr(make, "folds", False):
        return

    def folding(*args: object, **kwargs: object) -> object:
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


class _Deferred:
    """Stands for a rich class while typer's help formatter is imported; builds the real one
    if it is ever used (typer uses Markdown only in markdown mode, Traceback only for pretty
    exceptions: this CLI uses neither)."""

    module = ""
    name = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    @classmethod
    def _real(cls) -> Any:
        import importlib

        return getattr(importlib.import_module(cls.module), cls.name)

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real().from_exception(*args, **kwargs)


def _rich_utils() -> Any:
    """typer's help formatter, imported without rich.markdown and rich.traceback.

    NOTE: those two pull in markdown-it, pygments and attrs: about 0.1 s of the 0.2 s that
    importing typer.rich_utils costs, on every ``--help``, for features help does not use.
    They stand in only while rich_utils is imported; a later import gets the real modules.
    """
    if "typer.rich_utils" in sys.modules:
        return sys.modules["typer.rich_utils"]
    import types

    stubs: dict[str, types.ModuleType] = {}
    for module, name in (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback")):
        if module not in sys.modules:
            stub = types.ModuleType(module)
            setattr(stub, name, type(name, (_Deferred,), {"module": module, "name": name}))
            stubs[module] = stub
    sys.modules.update(stubs)
    try:
        from typer import rich_utils
    finally:
        for module, stub in stubs.items():
            if sys.modules.get(module) is stub:
                del sys.modules[module]
    return rich_utils


def _is_wide(ch: str) -> bool:
    """A Chinese (wide or full-width) character, as the paper layout counts them."""
    import unicodedata

    return unicodedata.east_asian_width(ch) in "WF"


def reflow(text: str) -> str:
    """A docstring's paragraphs as one line each, for the terminal to wrap.

    NOTE: typer's "rich" markup keeps every line break of a docstring, so at 80 columns a
    command's help came out ragged ("...or\n one\n department"): each source line was
    wrapped on its own. Lines of a paragraph are joined with a space, or with nothing between
    Chinese characters; blank lines still separate paragraphs.
    """
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = [line.strip() for line in paragraph.strip("\n").splitlines() if line.strip()]
        joined = lines[0] if lines else ""
        for line in lines[1:]:
            glue = "" if _is_wide(joined[-1]) and _is_wide(line[0]) else " "
            joined += glue + line
        paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _fold_when_help_is_shown() -> None:
    """Apply :func:`_fold_help_text` when typer formats help, not when the CLI starts.

    NOTE: importing typer.rich_utils costs about 0.1 s (rich.markdown, markdown-it); every
    command paid it at start-up although only help uses it.
    """
    from typer import core

    for cls in (core.TyperCommand, core.TyperGroup):
        original = cls.format_help
        if getattr(original, "folds", False):
            continue

        def format_help(self: Any, ctx: Any, formatter: Any, _original: Any = original) -> None:
            _fold_help_text()
            if isinstance(self.help, str):
                self.help = reflow(self.help)
            _original(self, ctx, formatter)

        format_help.folds = True  # type: ignore[attr-defined]
        cls.format_help = format_help  # type: ignore[method-assign]


_fold_when_help_is_shown()

app = typer.Typer(
    name="disclosure-xlsx",
    help=(
        "政府信息公开工作情况统计表（2014 格式与 2021 全国格式）：生成模板、校验、批注退回、"
        "修正、填写。Generate, check, annotate, fix and fill the statistics tables."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class LangChoice(StrEnum):
    """Output language."""

    zh = "zh"
    en = "en"


def lang_of(choice: LangChoice) -> Lang:
    """The language a --lang choice names."""
    return "en" if choice is LangChoice.en else "zh"


YearOpt = Annotated[str, typer.Option("--year", help="表格年度格式 Template year: 2014|2021")]
LangOpt = Annotated[
    LangChoice,
    typer.Option("--lang", envvar="DISCLOSURE_XLSX_LANG", help="输出语言 Output language"),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="覆盖已存在的输出文件 Replace an existing output")
]

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"disclosure-xlsx {version('disclosure-xlsx')}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的程序调用栈 Show tracebacks")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="显示版本 Show the version"
        ),
    ] = False,
) -> None:
    """政府信息公开工作情况统计表：生成模板、校验、批注退回、修正、填写。"""
    _state["debug"] = debug


def fail(exc: DisclosureError, lang: Lang = "zh") -> NoReturn:
    """Print one of our errors as one line and exit with the usage code."""
    from ..render.console import print_error

    print_error(exc.text(lang), lang)
    raise typer.Exit(EXIT_USAGE)


def _interrupt(signum: int, frame: object) -> None:
    interrupt()


def main() -> None:
    """Run the CLI; a bug shows as one line (a traceback with --debug), Ctrl-C exits 130."""
    import signal

    # NOTE: our own BaseException, not KeyboardInterrupt: click turns that into "Aborted!" and
    # exit 1, and a batch must be able to stop cleanly and say how far it got.
    signal.signal(signal.SIGINT, _interrupt)
    try:
        app()
    except Interrupted:
        sys.stderr.write("\n已中断 Interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a bug in this package, not a bad input
        if _state["debug"]:
            raise
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        if _argv_lang(sys.argv[1:]) == "en":
            sys.stderr.write(
                f"Internal error (a bug in disclosure-xlsx, not a problem of the file): {detail}\n"
                "Run the same command again with --debug and report what it prints.\n"
            )
        else:
            sys.stderr.write(
                f"内部错误（程序缺陷，不是文件的问题）：{detail}\n"
                "请加 --debug 重新运行同一命令，并把输出报告给维护者。\n"
            )
        sys.exit(EXIT_BUG)


def _argv_lang(args: list[str]) -> str:
    """The language a command line asked for (``--lang en``, ``--lang=en`` or the
    environment), for the one message printed after the command itself failed."""
    lang = os.environ.get("DISCLOSURE_XLSX_LANG", "zh")
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
    return lang
