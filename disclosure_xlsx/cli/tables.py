"""The table commands: template, spec, validate, fill, fix. Each parses its options, calls one
library function, renders the result and sets the exit code."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import DisclosureError, Interrupted
from ..text import Text
from .app import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ForceOpt,
    LangChoice,
    LangOpt,
    YearOpt,
    app,
    fail,
    lang_of,
)

if TYPE_CHECKING:
    from ..write.annotate import Annotated as AnnotatedCopy


@app.command()
def template(
    year: YearOpt = "2014",
    unit_name: Annotated[str, typer.Option("--unit-name", help="单位名称 Department name")] = "",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="输出文件（用 --roster 时为文件夹） Output file"),
    ] = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            "--roster",
            help="名单 CSV：单位名称[,联系人,邮箱]，每个单位一份模板 One template per department",
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="工作表保护密码（默认无密码） Sheet password")
    ] = None,
    force: ForceOpt = False,
    language: LangOpt = LangChoice.zh,
) -> None:
    """生成空白统计表模板（带保护、数据验证和实时校验）。Write the blank template."""
    lang = lang_of(language)
    from ..outputs import check_output, check_suffix, write_bytes
    from ..render.console import print_line, print_note
    from ..spec import load_spec
    from ..text import ui
    from ..write.roster import (
        MANIFEST,
        check_unit_name,
        read_roster,
        safe_filename,
        write_roster_templates,
    )
    from ..write.template import template_bytes

    try:
        spec = load_spec(year)
        if roster is not None:
            folder = output or Path(f"templates_{year}")
            try:
                entries = write_roster_templates(
                    spec, read_roster(roster), folder, password, force=force, inputs=[roster]
                )
            except Interrupted as stop:
                print_note(ui("roster.interrupted", lang, done=stop.done, total=stop.total))
                raise typer.Exit(EXIT_INTERRUPTED) from None
            print_line(
                ui(
                    "roster.written",
                    lang,
                    n=len(entries),
                    folder=folder,
                    manifest=folder / MANIFEST,
                )
            )
            return
        check_unit_name(unit_name)
        target = output or Path(
            safe_filename(unit_name, f"_{year}.xlsx") if unit_name else f"blank_{year}.xlsx"
        )
        check_suffix(target)
        check_output(target, force=force)
        write_bytes(target, template_bytes(spec, unit_name, password), exclusive=not force)
        print_line(ui("template.written", lang, path=target))
    except DisclosureError as exc:
        fail(exc, lang)


class SpecFormat(StrEnum):
    """How `spec` shows the table."""

    console = "console"
    json = "json"


@app.command("spec")
def spec_command(
    year: YearOpt = "2014",
    language: LangOpt = LangChoice.zh,
    fmt: Annotated[
        SpecFormat, typer.Option("--format", help="console：树形；json：项目与规则")
    ] = SpecFormat.console,
) -> None:
    """以树形显示表格的全部项目、单位和校验规则。Show items, units and rules."""
    lang = lang_of(language)
    from ..spec import load_spec

    try:
        spec = load_spec(year)
    except DisclosureError as exc:
        fail(exc, lang)
    if fmt is SpecFormat.json:
        import json

        from ..spec.export import spec_dict

        typer.echo(json.dumps(spec_dict(spec, lang), ensure_ascii=False, indent=2))
        return
    from ..render.console import print_spec

    print_spec(spec, lang)


class ReportFormat(StrEnum):
    """Report formats of `validate` (each is a renderer of the same Report)."""

    console = "console"
    json = "json"
    html = "html"


@app.command("validate")
def validate_command(
    paths: Annotated[
        list[str],
        typer.Argument(help="文件、文件夹或通配符 Files, folders, globs", metavar="PATH"),
    ],
    blank_as_zero: Annotated[
        bool,
        typer.Option("--blank-as-zero", help="空单元格按 0 计，只作提示 Blank cells count as 0"),
    ] = False,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="报告格式 Report format")
    ] = ReportFormat.console,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="报告写入文件 Write the report to a file")
    ] = None,
    language: LangOpt = LangChoice.zh,
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
            help="把有问题的文件另存批注副本到此文件夹，可直接发回 Write annotated copies here",
        ),
    ] = None,
    force: ForceOpt = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="同一单位上一年度的表，做年度对比（只校验一个文件时） Last year's return",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="同时读取的进程数（默认 CPU 数，最多 4） Worker processes (default: CPUs, at most 4)",
        ),
    ] = None,
) -> None:
    """校验退回的统计表，列出每个问题单元格。Check returned workbooks.

    Exit code 0: no file has an error; 1: a file has an error or is unreadable, or one
    department sent two returns; 2: usage error or unwritable output; 130: interrupted (the
    report, -o and --annotate cover the files checked so far).
    """
    lang = lang_of(language)
    if previous is None:  # NOTE: files are read in workers; their server starts meanwhile
        from ..processes import start_early

        start_early()
    from ..check.batch import default_jobs
    from ..check.report import Report
    from ..check.store import ReportStore
    from ..check.validate import collect_inputs, validate
    from ..errors import UsageError
    from ..outputs import check_output
    from ..render import Format, render
    from ..render.console import print_annotated, print_note
    from ..text import UI, ui

    try:
        if year is not None:
            from ..spec import load_spec

            load_spec(year)  # an unknown year is a usage error, not a finding on every file
        inputs = collect_inputs(paths)
        files = list(inputs.workbooks)
        if not files:
            for s in inputs.skipped:
                print_note(ui("skipped.line", lang, path=s.path, reason=s.reason))
            raise UsageError(UI["validate.none"])
        if output is not None:
            check_output(output, files, force=force)
        if annotate_dir is not None:
            from ..write.annotate import check_annotate_folder

            check_annotate_folder(files, annotate_dir, force=force)
        if previous is not None and len(files) != 1:
            raise UsageError(UI["validate.previous"])
        # NOTE: always in worker processes, even for one file: a reader that aborts must not
        # take the command down (it costs a process start, see check/batch.py)
        workers = jobs or default_jobs()
        # NOTE: reports go to a temporary file as they come, so memory stays flat on a batch
        # of any size, and a Ctrl-C keeps those done
        done = ReportStore()
        try:
            if previous is not None:
                from ..check.yoy import validate_against

                report = Report(
                    (validate_against(files[0], previous, blank_as_zero=blank_as_zero, year=year),)
                )
            elif len(files) > 1:
                from ..render.console import progress_bar

                with progress_bar(lang) as bar:
                    task = bar.add_task("", total=len(files))
                    report = validate(
                        inputs,
                        blank_as_zero=blank_as_zero,
                        year=year,
                        jobs=workers,
                        progress=lambda p: bar.update(task, advance=1, description=p.name),
                        into=done,
                    )
            else:
                report = validate(inputs, blank_as_zero=blank_as_zero, year=year, jobs=workers)
        except Interrupted:
            # NOTE: stop cleanly: report, -o and --annotate for what was checked, then 130
            report = Report(done, inputs.skipped, planned=len(files))
        render(report, Format(fmt.value), lang, output, exclusive=not force)
        if output is not None:
            print_note(ui("report.written", lang, path=output))
        if annotate_dir is not None:
            from ..write.annotate import iter_annotate

            written: list[AnnotatedCopy] = []
            try:
                for copy in iter_annotate(report, annotate_dir, lang, force=force, inputs=files):
                    written.append(copy)
            except Interrupted:
                print_annotated(written, lang)
                print_note(ui("annot.interrupted", lang, n=len(written)))
                raise typer.Exit(EXIT_INTERRUPTED) from None
            print_annotated(written, lang)
        if report.interrupted:
            total = report.planned
            print_note(ui("validate.interrupted", lang, done=len(report.files), total=total))
            raise typer.Exit(EXIT_INTERRUPTED)
    except DisclosureError as exc:
        fail(exc, lang)
    raise typer.Exit(EXIT_FINDINGS if report.failed(strict) else EXIT_OK)


@app.command("fill")
def fill_command(
    data: Annotated[
        Path,
        typer.Option("--data", help="数据文件 .csv/.json/.xlsx：项目编号或名称 + 数值 Data file"),
    ],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="输出文件 Output")] = None,
    unit_name: Annotated[str, typer.Option("--unit-name", help="单位名称 Department name")] = "",
    year: YearOpt = "2014",
    missing_as_zero: Annotated[
        bool,
        typer.Option(
            "--missing-as-zero", help="数据中没有的项目填 0（否则留空） Missing items as 0"
        ),
    ] = False,
    force: ForceOpt = False,
    language: LangOpt = LangChoice.zh,
) -> None:
    """用数据填写统计表模板，并校验填好的表。Fill the template from data.

    Exit code 0: written and valid; 1: written, but the data break a rule; 2: nothing written.
    """
    lang = lang_of(language)
    from ..check.report import Report
    from ..render.console import print_line, print_notes, print_report
    from ..spec import load_spec
    from ..text import ui
    from ..write.fill import fill_file
    from ..write.roster import check_unit_name, safe_filename

    target = output or Path(
        safe_filename(unit_name, f"_{year}.xlsx") if unit_name else f"filled_{year}.xlsx"
    )
    try:
        check_unit_name(unit_name)
        result = fill_file(
            load_spec(year),
            data,
            target,
            unit_name,
            missing_as_zero=missing_as_zero,
            force=force,
        )
    except DisclosureError as exc:
        fail(exc, lang)
    print_line(
        ui(
            "fill.written",
            lang,
            path=target,
            filled=len(result.filled.values),
            blank=len(result.filled.blank),
        )
    )
    print_notes(result.filled.notes, lang)
    print_report(Report((result.report,)), lang)
    raise typer.Exit(EXIT_FINDINGS if result.report.status != "ok" else EXIT_OK)


@app.command("fix")
def fix_command(
    path: Annotated[
        Path, typer.Argument(help="要修正的工作簿 The returned workbook", metavar="FILE")
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="修正后的副本（默认：原名_修正.xlsx） Corrected copy"),
    ] = None,
    blank_as_zero: Annotated[
        bool, typer.Option("--blank-as-zero", help="空单元格填 0 Fill blank cells with 0")
    ] = False,
    apply_suggestions: Annotated[
        bool,
        typer.Option(
            "--apply-suggestions",
            help="同时采纳建议（笔误、标题行的数下移、元换算为万元） Apply suggestions too",
        ),
    ] = False,
    force: ForceOpt = False,
    language: LangOpt = LangChoice.zh,
    year: Annotated[
        str | None, typer.Option("--year", help="只按该年度格式识别 Only this template year")
    ] = None,
) -> None:
    """写出修正后的副本（原文件不动），列出每处改动，再校验副本。Write a corrected copy.

    Exit code 0: the copy has no error; 1: it still has errors; 2: usage error.
    """
    lang = lang_of(language)
    from ..check.validate import validate
    from ..errors import UsageError
    from ..render.console import print_fix
    from ..write.fix import fix_file

    try:
        # NOTE: read once in a worker process first: a file that crashes the reader is then
        # one line ("unreadable"), not the end of this process
        if year is not None:
            from ..spec import load_spec

            load_spec(year)  # an unknown year is a usage error, not a finding
        if path.is_dir():
            raise UsageError(
                Text(
                    f"{path}：这是文件夹；fix 一次修正一个工作簿，请给出文件名",
                    f"{path}: this is a folder; fix corrects one workbook at a time, name the file",
                )
            )
        checked_all = validate([path], year=year, jobs=1)
        if not checked_all.files:  # a lock file, a folder's odd entry: skipped, and why
            raise UsageError(Text(f"{path}：", f"{path}: ") + checked_all.skipped[0].reason)
        checked = checked_all.files[0]
        if checked.status == "unreadable":
            raise DisclosureError(Text(f"{path}：", f"{path}: ") + checked.findings[0].text)
        result = fix_file(
            path,
            output,
            blank_as_zero=blank_as_zero,
            apply_suggestions=apply_suggestions,
            force=force,
            year=year,
        )
    except DisclosureError as exc:
        fail(exc, lang)
    print_fix(result, lang)
    raise typer.Exit(EXIT_FINDINGS if result.after.status != "ok" else EXIT_OK)
