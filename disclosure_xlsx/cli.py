"""The `disclosure-xlsx` command: parses options, calls one library function, renders, exits.

Exit codes: 0 success (no file with an error), 1 a file has an error or is unreadable,
2 usage error (bad option, missing file, refusing to overwrite, broken spec).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .errors import DisclosureError
from .text import Text

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

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

YearOpt = Annotated[str, typer.Option("--year", help="表格年度格式 Template year")]
LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh|en")]


def _fail(exc: DisclosureError) -> typer.Exit:
    from .render.console import print_error

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
    from .render.console import print_line
    from .spec import load_spec
    from .write.roster import MANIFEST, read_roster, safe_filename, write_roster_templates
    from .write.template import write_template

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
    from .render.console import print_spec
    from .spec import load_spec

    try:
        print_spec(load_spec(year), _lang(lang))
    except DisclosureError as exc:
        raise _fail(exc) from None


@app.command("validate")
def validate_command(
    paths: Annotated[list[str], typer.Argument(help="文件、文件夹或通配符 Files, folders, globs")],
    blank_as_zero: Annotated[
        bool,
        typer.Option("--blank-as-zero", help="空单元格按 0 计，只作提示 Blank cells count as 0"),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="console | json | html")] = "console",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="报告写入文件")] = None,
    lang: LangOpt = "zh",
    strict: Annotated[
        bool, typer.Option("--strict", help="有提示也算不通过 Warnings fail too")
    ] = False,
    year: Annotated[
        str | None, typer.Option("--year", help="只按该年度格式识别 Only this template year")
    ] = None,
    annotate_dir: Annotated[
        Path | None,
        typer.Option(
            "--annotate",
            help="把有问题的文件另存一份批注副本到此文件夹（标色、批注、校验结果表），可直接发回",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="同时读取的进程数（默认 CPU 数，最多 4）Worker processes (default: CPUs, at most 4)",
        ),
    ] = None,
) -> None:
    """校验退回的统计表，列出每个问题单元格。Check returned workbooks.

    Exit code 0: no file has an error; 1: a file has an error or is unreadable; 2: usage error.
    """
    from .check.batch import default_jobs
    from .check.validate import collect_inputs, validate
    from .render import Format, render

    language = _lang(lang)
    try:
        form = Format(fmt)
    except ValueError:
        raise typer.BadParameter("console、json 或 html", param_hint="--format") from None
    try:
        inputs = collect_inputs(paths)
        if not inputs.workbooks:
            skipped = "".join(f"\n  {s.path}: {s.reason(language)}" for s in inputs.skipped)
            raise DisclosureError(
                Text(
                    f"没有找到要校验的工作簿（.xlsx .xlsm .xls .et .ods）{skipped}",
                    f"no workbook to check (.xlsx .xlsm .xls .et .ods){skipped}",
                )
            )
        # NOTE: always in worker processes, even for one file: a reader that aborts must not
        # take the command down (costs a process start, see check/batch.py)
        workers = jobs or default_jobs()
        if len(inputs.workbooks) > 1:
            from .render.console import progress_bar

            with progress_bar() as bar:
                task = bar.add_task("", total=len(inputs.workbooks))
                report = validate(
                    inputs,
                    blank_as_zero=blank_as_zero,
                    year=year,
                    jobs=workers,
                    progress=lambda p: bar.update(task, advance=1, description=p.name),
                )
        else:
            report = validate(inputs, blank_as_zero=blank_as_zero, year=year, jobs=workers)
    except DisclosureError as exc:
        raise _fail(exc) from None
    render(report, form, language, output)
    if annotate_dir is not None:
        from .render.console import print_annotated
        from .write.annotate import annotate

        print_annotated(annotate(report, annotate_dir, language), language)
    raise typer.Exit(EXIT_FINDINGS if report.failed(strict) else EXIT_OK)


@app.command("fill")
def fill_command(
    data: Annotated[
        Path,
        typer.Option("--data", help="数据文件 .csv/.json/.xlsx：项目编号或名称 + 数值"),
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件")] = None,
    unit_name: Annotated[str, typer.Option("--unit-name", help="单位名称")] = "",
    year: YearOpt = "2014",
    missing_as_zero: Annotated[
        bool, typer.Option("--missing-as-zero", help="数据中没有的项目填 0（否则留空）")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
    lang: LangOpt = "zh",
) -> None:
    """用数据填写统计表模板，并校验填好的表。Fill the template from data.

    Exit code 0: written and valid; 1: written, but the data break a rule; 2: nothing written.
    """
    from .check.report import Report
    from .check.validate import validate_file
    from .render.console import print_line, print_report
    from .spec import load_spec
    from .write.fill import fill, read_data
    from .write.roster import safe_filename

    language = _lang(lang)
    target = output or Path(
        f"{safe_filename(unit_name)}_{year}.xlsx" if unit_name else f"filled_{year}.xlsx"
    )
    try:
        if target.exists() and not force:
            raise DisclosureError(f"{target} 已存在；如需覆盖请加 --force")
        filled = fill(
            load_spec(year),
            read_data(data),
            unit_name,
            missing_as_zero=missing_as_zero,
            source=str(data),
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(filled.xlsx)
    except DisclosureError as exc:
        raise _fail(exc) from None
    print_line(
        f"已生成 {target}：填入 {len(filled.values)} 项，留空 {len(filled.blank)} 项"
        if language == "zh"
        else f"wrote {target}: {len(filled.values)} items filled, {len(filled.blank)} left blank"
    )
    report = validate_file(target, year=year)
    print_report(Report((report,)), language)
    raise typer.Exit(EXIT_FINDINGS if report.status != "ok" else EXIT_OK)


@app.command("fix")
def fix_command(
    path: Annotated[Path, typer.Argument(help="要修正的工作簿 The returned workbook")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="修正后的副本（默认：原名_修正.xlsx）")
    ] = None,
    blank_as_zero: Annotated[
        bool, typer.Option("--blank-as-zero", help="空单元格填 0 Fill blank cells with 0")
    ] = False,
    apply_suggestions: Annotated[
        bool,
        typer.Option(
            "--apply-suggestions",
            help="同时采纳建议：数字颠倒等笔误、标题行的数移到下一行、元换算为万元",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件")] = False,
    lang: LangOpt = "zh",
    year: Annotated[str | None, typer.Option("--year", help="只按该年度格式识别")] = None,
) -> None:
    """写出修正后的副本（原文件不动），列出每处改动，再校验副本。Write a corrected copy.

    Exit code 0: the copy has no error; 1: it still has errors; 2: usage error.
    """
    from .render.console import print_fix
    from .write.fix import fix_file

    language = _lang(lang)
    try:
        result = fix_file(
            path,
            output,
            blank_as_zero=blank_as_zero,
            apply_suggestions=apply_suggestions,
            force=force,
            year=year,
        )
    except DisclosureError as exc:
        raise _fail(exc) from None
    print_fix(result, language)
    raise typer.Exit(EXIT_FINDINGS if result.after.status != "ok" else EXIT_OK)


def main() -> None:
    app()
