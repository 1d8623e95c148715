"""The `disclosure-xlsx` command: parses options, calls one library function, renders, exits.

Exit codes: 0 success (no file with an error), 1 a file has an error or is unreadable,
2 usage error (bad option, missing file, refusing to overwrite, broken spec).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .errors import DisclosureError

app = typer.Typer(
    name="disclosure-xlsx",
    help="政府信息公开工作情况统计表：生成模板、校验报表。Generate and check the statistics table.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

YearOpt = Annotated[str, typer.Option("--year", help="表格年度格式 Template year")]
LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh|en")]


def _fail(exc: DisclosureError) -> typer.Exit:
    from .console import print_error

    print_error(str(exc))
    return typer.Exit(EXIT_USAGE)


def _lang(value: str):  # -> Lang
    if value not in ("zh", "en"):
        raise typer.BadParameter("zh 或 en", param_hint="--lang")
    return value


@app.command()
def template(
    year: YearOpt = "2014",
    unit_name: Annotated[str, typer.Option("--unit-name", help="单位名称 Department name")] = "",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="输出文件（--roster 时为文件夹）")
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="名单 CSV：单位名称[,联系人,邮箱]，每个单位一份模板"),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="工作表保护密码（默认无密码）")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
) -> None:
    """生成空白统计表模板（带保护、数据验证和实时校验）。Write the blank template."""
    from .console import print_line
    from .roster import MANIFEST, read_roster, safe_filename, write_roster_templates
    from .spec import load_spec
    from .template import write_template

    try:
        spec = load_spec(year)
        if roster is not None:
            folder = output or Path(f"templates_{year}")
            entries = write_roster_templates(
                spec, read_roster(roster), folder, password, force=force
            )
            print_line(f"已为 {len(entries)} 个单位生成模板：{folder}（清单：{folder / MANIFEST}）")
            return
        target = output or Path(
            f"{safe_filename(unit_name)}_{year}.xlsx" if unit_name else f"blank_{year}.xlsx"
        )
        if target.exists() and not force:
            raise DisclosureError(f"{target} 已存在；如需覆盖请加 --force")
        write_template(spec, target, unit_name, password)
        print_line(f"已生成 {target}")
    except DisclosureError as exc:
        raise _fail(exc) from None


@app.command("spec")
def spec_command(year: YearOpt = "2014", lang: LangOpt = "zh") -> None:
    """以树形显示表格的全部项目、单位和校验规则。Show items, units and rules."""
    from .console import print_spec
    from .spec import load_spec

    try:
        print_spec(load_spec(year), _lang(lang))
    except DisclosureError as exc:
        raise _fail(exc) from None


def main() -> None:
    app()
