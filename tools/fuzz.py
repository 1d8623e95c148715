"""A mutation fuzzer for everything that reads a returned workbook.

    python tools/fuzz.py --seed 1 -n 3000 --out /tmp/fuzz

Seeds are the shipped samples (our template filled, the pasted 2014 table, the 2021 samples).
Each mutant gets one to three damages: byte flips and truncations; zip damage (bad CRC, lying
and huge sizes, duplicate or missing parts, nested zips); XML damage (absurd dimensions and
row numbers, quoting, rows and cells without r, bad string and style indices, every cell type,
huge and non-finite numbers, entity declarations, invalid UTF-8); hostile text in cells (Rich
markup, ANSI/OSC escapes, formulas, control characters, 1 MB strings, RTL overrides, ...).

Every mutant goes through `disclosure-xlsx validate` (console and --format json, in batches),
`validate --annotate` and, for a sample, `fix`, as subprocesses with a timeout and a memory
cap. A run fails on a Python traceback, an exit code other than 0/1/2 (an abort), JSON that is
not strict, a timeout, memory over the cap, a changed input file, or raw control characters
from a cell in the console output. Failing mutants are kept in OUT/failures/<class>/, with
OUT/summary.json and OUT/summary.txt. A failing batch is re-run file by file to find the culprit.

:func:`mutants` and :func:`check_library` are also used by tests/test_fuzz.py.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "samples").glob("*.xlsx"))
CLI = [sys.executable, "-m", "disclosure_xlsx"]
MEMORY_CAP = 3 * 1024**3  # bytes of address space for a CLI process (workers cap themselves)
BATCH_TIMEOUT = 180.0
FILE_TIMEOUT = 60.0
MEGABYTE = "x" * 1_000_000
MEGABYTE_SHARE = 0.02  # of hostile texts: rendering it in the console takes minutes

HOSTILE_TEXT = [
    "[bold red]x[/]",
    "[/]",
    "[link=http://x]y[/link]",
    "\x1b[2J",
    "\x1b]8;;http://x\x07click\x1b]8;;\x07",
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1",
    "@SUM(1)",
    "-1+1",
    "\x00",
    "\x1b",
    "a\rb\nc\td",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "😀👨‍👩‍👧",
    "x" * 10_000,
    "收到申请数\x1b[31m",
    "{zh}{en}{0}%s%d",
    "\ud800",  # a lone surrogate
    "&amp;&lt;<![CDATA[x]]>",
    "44\u3000条",
    "1E+400",
    "NaN",
    "-0",
    "9" * 400,
]
NUMBERS = ["1E+400", "-1E+400", "NaN", "inf", "-inf", "9" * 400, "1e-400", "0x10", "", " ", "1,5"]
CELL_TYPES = ["s", "str", "inlineStr", "b", "e", "n", "d", "x", ""]


# --- zip plumbing ---------------------------------------------------------------------------


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def pack(parts: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in parts:
            # NOTE: a fixed time stamp: the same seed gives the same bytes, whatever the clock says
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            with_warnings_off(lambda info=info, data=data: z.writestr(info, data))
    return out.getvalue()


def with_warnings_off(call: Callable[[], object]) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call()


def central_entries(data: bytes) -> Iterator[int]:
    """Offsets of the central directory headers."""
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0:
        return
    (offset,) = struct.unpack_from("<I", data, eocd + 16)
    while data[offset : offset + 4] == b"PK\x01\x02":
        yield offset
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_len + extra_len + comment_len


def patch_central(rng: random.Random, data: bytes, field_offset: int, values: list[int]) -> bytes:
    buf = bytearray(data)
    entries = list(central_entries(data))
    if not entries:
        return data
    for offset in rng.sample(entries, k=min(len(entries), rng.randint(1, 3))):
        struct.pack_into("<I", buf, offset + field_offset, rng.choice(values))
    return bytes(buf)


# --- mutators: bytes -> bytes ---------------------------------------------------------------


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def insert_garbage(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 512)) + data[at:]


def bad_crc(rng: random.Random, data: bytes) -> bytes:
    return patch_central(rng, data, 16, [0, 0xFFFFFFFF, rng.getrandbits(32)])


def lying_size(rng: random.Random, data: bytes) -> bytes:
    return patch_central(rng, data, 24, [0, 1, 100, 10_000, rng.getrandbits(24)])


def huge_size(rng: random.Random, data: bytes) -> bytes:
    return patch_central(rng, data, rng.choice([20, 24]), [0xFFFFFFFF, 0x7FFFFFFF, 4_000_000_000])


def duplicate_member(rng: random.Random, data: bytes) -> bytes:
    parts = members(data)
    name, body = rng.choice(parts)
    if name.endswith(".xml"):
        body = mutate_xml_text(rng, body)
    parts.insert(rng.randrange(len(parts) + 1), (name, body))
    return pack(parts)


def missing_part(rng: random.Random, data: bytes) -> bytes:
    parts = members(data)
    parts.pop(rng.randrange(len(parts)))
    return pack(parts)


def nested_zip(rng: random.Random, data: bytes) -> bytes:
    parts = members(data)
    if rng.random() < 0.5:
        return pack([("returns/" + rng.choice(["a.xlsx", "b.xls", "c.zip"]), data)])
    index = rng.randrange(len(parts))
    parts[index] = (parts[index][0], data)  # a member that is itself the whole zip
    return pack(parts)


def stored_or_empty(rng: random.Random, data: bytes) -> bytes:
    parts = members(data)
    if rng.random() < 0.5:
        index = rng.randrange(len(parts))
        parts[index] = (parts[index][0], b"")
        return pack(parts)
    return pack(parts, zipfile.ZIP_STORED)


# --- XML-level: edit one member of the package ------------------------------------------------


def edit_member(pattern: str) -> Callable[[Callable[[random.Random, str], str]], Callable]:
    """A mutator applying a text edit to a random member whose name matches ``pattern``."""

    def wrap(edit: Callable[[random.Random, str], str]) -> Callable[[random.Random, bytes], bytes]:
        def mutator(rng: random.Random, data: bytes) -> bytes:
            parts = members(data)
            targets = [i for i, (n, _) in enumerate(parts) if re.search(pattern, n)]
            if not targets:
                return data
            index = rng.choice(targets)
            name, body = parts[index]
            text = body.decode("utf-8", "surrogateescape")
            edited = edit(rng, text)
            try:
                parts[index] = (name, edited.encode("utf-8", "surrogateescape"))
            except UnicodeEncodeError:  # a lone surrogate: written as invalid UTF-8
                parts[index] = (name, edited.encode("utf-8", "surrogatepass"))
            return pack(parts)

        mutator.__name__ = edit.__name__
        return mutator

    return wrap


SHEET = r"xl/worksheets/sheet\d+\.xml$"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@edit_member(SHEET)
def absurd_dimension(rng: random.Random, text: str) -> str:
    ref = rng.choice(["A1:XFD1048576", "A1:ZZZZ99999999", "A0:A0", "", "A1:A1:A1", "B2:A1"])
    if "<dimension" in text:
        return re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', text)
    return text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)


@edit_member(SHEET)
def absurd_rows(rng: random.Random, text: str) -> str:
    value = rng.choice(["99999999", "1048576", "1048577", "0", "-1", "1e3", "", "4294967297"])
    letters = rng.choice(["XFD", "XFE", "ZZZZ", "AAAAAAAAAA", "A"])

    def one(match: re.Match[str]) -> str:
        if rng.random() < 0.3:
            return f'<c r="{letters}{value}"'
        return match.group(0)

    text = re.sub(r'<c r="[A-Z]+\d+"', one, text)
    if rng.random() < 0.5:
        text = text.replace(
            "</sheetData>",
            f'<row r="{value}"><c r="{letters}{value}"><v>1</v></c></row></sheetData>',
        )
    return text


@edit_member(SHEET)
def single_quotes(rng: random.Random, text: str) -> str:
    return re.sub(r'(\s[\w:]+)="([^"\']*)"', r"\1='\2'", text)


@edit_member(SHEET)
def drop_r(rng: random.Random, text: str) -> str:
    share = rng.random()
    return re.sub(r'\sr="[A-Z]*\d+"', lambda m: "" if rng.random() < share else m.group(0), text)


@edit_member(SHEET)
def reorder_attributes(rng: random.Random, text: str) -> str:
    def shuffle(match: re.Match[str]) -> str:
        attrs = re.findall(r'[\w:]+="[^"]*"', match.group(2))
        rng.shuffle(attrs)
        return f"<{match.group(1)} {' '.join(attrs)}{match.group(3)}>"

    return re.sub(r"<(c|row) ([^>]*?)(/?)>", shuffle, text)


@edit_member(SHEET)
def cell_types(rng: random.Random, text: str) -> str:
    def retype(match: re.Match[str]) -> str:
        if rng.random() > 0.2:
            return match.group(0)
        t = rng.choice(CELL_TYPES)
        value = rng.choice(
            [*NUMBERS, "0", "1", "-5", "99999999", "#DIV/0!", "2024-01-01T00:00:00", "TRUE"]
        )
        body = f"<is><t>{value}</t></is>" if t == "inlineStr" else f"<v>{value}</v>"
        return f'<c r="{match.group(1)}"{f" t={chr(34)}{t}{chr(34)}" if t else ""}>{body}</c>'

    return re.sub(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', retype, text)


@edit_member(SHEET)
def bad_indices(rng: random.Random, text: str) -> str:
    index = rng.choice(["-1", "99999999", "x", "", "1.5", "18446744073709551616"])
    text = re.sub(
        r' s="\d+"', lambda m: f' s="{index}"' if rng.random() < 0.3 else m.group(0), text
    )
    return re.sub(
        r'(t="s"[^>]*>)<v>\d+</v>',
        lambda m: f"{m.group(1)}<v>{index}</v>" if rng.random() < 0.5 else m.group(0),
        text,
    )


@edit_member(SHEET)
def numbers(rng: random.Random, text: str) -> str:
    return re.sub(
        r"<v>-?\d+(\.\d+)?</v>",
        lambda m: f"<v>{rng.choice(NUMBERS)}</v>" if rng.random() < 0.3 else m.group(0),
        text,
    )


@edit_member(r"\.xml$")
def entities(rng: random.Random, text: str) -> str:
    prolog = rng.choice(
        [
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            "<!DOCTYPE x>",
        ]
    )
    text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + prolog, text, count=1)
    return text.replace("<v>0</v>", "<v>&d;</v>", 1)


@edit_member(r"\.xml$")
def invalid_utf8(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) or 1)
    bad = rng.choice(
        ["\udcff\udcfe", "\udcc0\udc80", "\udced\udca0\udc80"]
    )  # surrogateescaped bytes
    return text[:at] + bad + text[at:]


@edit_member(r"sharedStrings\.xml$")
def shared_count(rng: random.Random, text: str) -> str:
    n = rng.choice(["4000000000", "99999999999999999999", "-1", "x", "0"])
    return re.sub(r'(uniqueCount|count)="\d+"', rf'\1="{n}"', text)


def escape_xml(rng: random.Random, value: str) -> str:
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if rng.random() < 0.5:  # Excel's own escape for control characters: _x001B_
        out = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: f"_x{ord(m.group(0)):04X}_", out)
    return out


@edit_member(r"(sharedStrings|sheet\d+)\.xml$")
def hostile_text(rng: random.Random, text: str) -> str:
    value = MEGABYTE if rng.random() < MEGABYTE_SHARE else rng.choice(HOSTILE_TEXT)
    value = escape_xml(rng, value)
    if "<si>" in text:
        parts = re.split(r"(<t(?: [^>]*)?>[^<]*</t>)", text)
        slots = [i for i, p in enumerate(parts) if p.startswith("<t")]
        for i in rng.sample(slots, k=min(len(slots), rng.randint(1, 5))):
            parts[i] = f'<t xml:space="preserve">{value}</t>'
        return "".join(parts)

    def replace(match: re.Match[str]) -> str:
        if rng.random() > 0.1:
            return match.group(0)
        return f'<c r="{match.group(1)}" t="inlineStr"><is><t>{value}</t></is></c>'

    return re.sub(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', replace, text)


FAR_ROW = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@edit_member(SHEET)
def calamine_counting(rng: random.Random, text: str) -> str:
    """Cells calamine places otherwise than Excel does (see tests/test_guard_calamine.py)."""
    trick = rng.randrange(4)
    if trick == 0:  # a cell without r counted on from a far row
        return text.replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1"><v>1</v></c>'
            '<c r="A1"><v>1</v></c><c><v>1</v></c></row></sheetData>',
            1,
        )
    if trick == 1:  # a prefixed r, no r to calamine
        text = text.replace("<worksheet ", f'<worksheet xmlns:x="{MAIN_NS}" ', 1)
        return re.sub(r'<c r="', lambda m: '<c x:r="' if rng.random() < 0.1 else m.group(0), text)
    inside = rng.choice(["f", "v"])  # a sheetData end nested in a formula or value
    text = re.sub(
        rf"<{inside}>([^<]*)</{inside}>", rf"<{inside}>\1<sheetData/></{inside}>", text, count=1
    )
    return text.replace("</sheetData>", FAR_ROW + "</sheetData>", 1)


def package_detour(rng: random.Random, data: bytes) -> bytes:
    """Cells or a string count where calamine, not the workbook's relationships, leads."""
    parts = members(data)
    sheets = [(n, b) for n, b in parts if re.search(SHEET, n)]
    if not sheets:
        return data
    name, body = rng.choice(sheets)
    far = body.replace(b"</sheetData>", FAR_ROW.encode() + b"</sheetData>", 1)
    trick = rng.randrange(5)
    if trick == 0:
        parts.append((name.upper(), far))
    elif trick == 1:
        parts.append((name.replace("/", "\\"), far))
    elif trick == 2:
        parts.append(("ev/worksheets/sheet1.xml", far))
    elif trick == 3:
        parts.append(("ev/worksheets/sheet1.xml", far.decode("utf-8", "replace").encode("utf-16")))
    else:
        count = b'<sst xmlns="' + MAIN_NS.encode() + b'" uniqueCount="4000000000"/>'
        parts.append(("ev/sharedStrings.xml", b"<w>" + count + b"</w>"))
    return pack(parts)


def mutate_xml_text(rng: random.Random, body: bytes) -> bytes:
    text = body.decode("utf-8", "replace")
    return text.replace("<v>0</v>", f"<v>{rng.choice(NUMBERS)}</v>").encode()


MUTATORS: list[Callable[[random.Random, bytes], bytes]] = [
    flip_bytes,
    truncate,
    insert_garbage,
    bad_crc,
    lying_size,
    huge_size,
    duplicate_member,
    missing_part,
    nested_zip,
    stored_or_empty,
    absurd_dimension,
    absurd_rows,
    single_quotes,
    drop_r,
    reorder_attributes,
    cell_types,
    bad_indices,
    numbers,
    entities,
    invalid_utf8,
    shared_count,
    calamine_counting,
    package_detour,
    hostile_text,
    hostile_text,
    hostile_text,
]
SUFFIXES = [".xlsx"] * 8 + [".xls", ".xlsm", ".et", ".ods", ".docx", ""]


@dataclass(frozen=True)
class Mutant:
    name: str
    data: bytes
    ops: tuple[str, ...]


def mutants(seed: int, n: int) -> Iterator[Mutant]:
    """``n`` mutants of the seed workbooks, the same ones for the same ``seed``."""
    rng = random.Random(seed)
    sources = [(p.stem, p.read_bytes()) for p in SEEDS]
    for k in range(n):
        stem, data = rng.choice(sources)
        ops = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            mutator = rng.choice(MUTATORS)
            try:
                data = mutator(rng, data) or data
            except (
                zipfile.BadZipFile,
                zlib.error,
                ValueError,
                EOFError,
                KeyError,
                RuntimeError,
                OSError,
                struct.error,
            ):
                continue  # an earlier damage made this one impossible: keep what we have
            ops.append(mutator.__name__)
        if not data:
            data = b"\0"
        yield Mutant(f"m{k:05d}_{stem[:12]}{rng.choice(SUFFIXES)}", data, tuple(ops))


# --- checks -----------------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # traceback, abort, exit-code, json, timeout, memory, modified, console-control
    detail: str
    command: str = ""

    @property
    def signature(self) -> str:
        return f"{self.kind}: {self.detail.splitlines()[-1][:160] if self.detail else ''}"


def strict_json(text: str) -> str | None:
    """None if ``text`` is strict JSON, else why not."""

    def reject(name: str) -> None:
        raise ValueError(f"non-standard constant {name}")

    try:
        json.loads(text, parse_constant=reject)
    except ValueError as exc:
        return str(exc)[:200]
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]")


def check_library(path: Path) -> list[Problem]:
    """validate_file + strict to_json + report_text in this process, in both languages."""
    from disclosure_xlsx.check.report import Report
    from disclosure_xlsx.check.validate import validate_file
    from disclosure_xlsx.render import to_json
    from disclosure_xlsx.render.console import report_text

    problems = []
    try:
        report = Report((validate_file(path),))
        for lang in ("zh", "en"):
            why = strict_json(to_json(report, lang))  # type: ignore[arg-type]
            if why:
                problems.append(Problem("json", why))
            report_text(report, lang)  # type: ignore[arg-type]
    except Exception:
        problems.append(Problem("traceback", traceback.format_exc()))
    return problems


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float


def run_cli(args: list[str], timeout: float) -> Run:
    """One CLI call in a subprocess with a memory cap; its exit code, output, time, peak RSS."""
    start = time.monotonic()
    env = {**os.environ, "COLUMNS": "160", "PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [*CLI, *args],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=_limit_memory if sys.platform == "linux" else None,
            cwd=ROOT,
        )
        deadline = start + timeout
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                _pid, status, usage = os.wait4(proc.pid, 0)
                status = -9999
                break
            time.sleep(0.02)
        proc.returncode = 0  # reaped by wait4 above
        out.seek(0)
        err.seek(0)
        code = -9999 if status == -9999 else os.waitstatus_to_exitcode(status)
        return Run(
            code,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            time.monotonic() - start,
            (usage.ru_maxrss / 1024) if usage else 0.0,
        )


def judge(
    run: Run, command: str, *, json_out: bool = False, console: bool = False
) -> list[Problem]:
    problems = []
    if run.code == -9999:
        problems.append(Problem("timeout", f"{run.seconds:.0f} s", command))
    elif run.code < 0:
        problems.append(Problem("abort", f"signal {-run.code}\n{run.stderr[-2000:]}", command))
    elif run.code not in (0, 1, 2):
        problems.append(Problem("exit-code", f"exit {run.code}\n{run.stderr[-2000:]}", command))
    for stream in (run.stderr, run.stdout):
        if "Traceback (most recent call last)" in stream:
            tail = stream.split("Traceback (most recent call last)")[-1]
            lines = [
                line for line in tail.splitlines() if line.strip() and not line.startswith(" ")
            ]
            last = lines[-1] if lines else ""
            problems.append(Problem("traceback", f"{tail[-3000:]}\n{last}", command))
            break
    if run.max_rss_mb > MEMORY_CAP / 1024**2 * 0.9:
        problems.append(Problem("memory", f"{run.max_rss_mb:.0f} MB", command))
    if json_out and run.code in (0, 1):
        why = strict_json(run.stdout)
        if why:
            problems.append(Problem("json", why, command))
    if console and _CONTROL.search(run.stdout):
        char = _CONTROL.search(run.stdout).group(0)  # type: ignore[union-attr]
        problems.append(Problem("console-control", f"raw {char!r} from a cell on stdout", command))
    return problems


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_batch(paths: list[Path], work: Path, timeout: float) -> dict[Path, list[Problem]]:
    """Validate (console, json) and annotate a batch; on a failure, re-run file by file."""
    found: dict[Path, list[Problem]] = {p: [] for p in paths}
    commands = [
        (["validate", *map(str, paths)], {"console": True}),
        (["validate", *map(str, paths), "--format", "json"], {"json_out": True}),
        (["validate", *map(str, paths), "--format", "json", "--annotate", str(work / "annot")], {}),
    ]
    for args, how in commands:
        extra = args[len(paths) + 1 :]
        for p, problems in _culprits(args[0], paths, extra, how, timeout).items():
            found[p].extend(problems)
    return found


def _culprits(
    command: str, paths: list[Path], extra: list[str], how: dict[str, bool], timeout: float
) -> dict[Path, list[Problem]]:
    """Run ``command`` over ``paths``; on a failure, bisect down to the failing files."""
    run = run_cli([command, *map(str, paths), *extra], timeout)
    problems = judge(run, " ".join([command, *extra]), **how)
    if not problems:
        return {}
    if len(paths) == 1:
        return {paths[0]: problems}
    if any(p.kind == "timeout" for p in problems):  # bisecting would wait for it at every level
        found = {}
        for path in paths:
            run = run_cli([command, str(path), *extra], FILE_TIMEOUT)
            single = judge(run, " ".join([command, *extra]), **how)
            if single:
                found[path] = single
        return found
    half = len(paths) // 2
    found = _culprits(command, paths[:half], extra, how, timeout)
    found.update(_culprits(command, paths[half:], extra, how, timeout))
    return found


def check_fix(path: Path, work: Path) -> list[Problem]:
    out = work / f"fixed_{path.stem}.xlsx"
    run = run_cli(
        ["fix", str(path), "-o", str(out), "--apply-suggestions", "--force"], FILE_TIMEOUT
    )
    return judge(run, "fix -o OUT --apply-suggestions", console=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-n", type=int, default=300, help="number of mutants")
    parser.add_argument("--out", type=Path, default=Path("/tmp/fuzz"))
    parser.add_argument("--batch", type=int, default=50, help="mutants per validate call")
    parser.add_argument("--fix-every", type=int, default=10, help="run fix on every k-th mutant")
    parser.add_argument("--library", action="store_true", help="also check in-process (risky)")
    args = parser.parse_args(argv)
    out: Path = args.out
    shutil.rmtree(out, ignore_errors=True)
    inputs = out / "mutants"
    inputs.mkdir(parents=True)
    work = out / "work"
    work.mkdir()
    all_mutants = list(mutants(args.seed, args.n))
    paths: list[Path] = []
    ops: dict[Path, tuple[str, ...]] = {}
    for m in all_mutants:
        path = inputs / m.name
        path.write_bytes(m.data)
        paths.append(path)
        ops[path] = m.ops
    before = {p: sha(p) for p in paths}
    problems: dict[Path, list[Problem]] = {p: [] for p in paths}
    start = time.monotonic()
    for k in range(0, len(paths), args.batch):
        chunk = paths[k : k + args.batch]
        for p, found in check_batch(chunk, work, BATCH_TIMEOUT).items():
            problems[p].extend(found)
        print(
            f"validated {k + len(chunk)}/{len(paths)}  {time.monotonic() - start:.0f} s",
            file=sys.stderr,
        )
    for k, p in enumerate(paths):
        if k % args.fix_every == 0:
            problems[p].extend(check_fix(p, work))
        if args.library:
            problems[p].extend(check_library(p))
    for p in paths:
        if sha(p) != before[p]:
            problems[p].append(Problem("modified", "the input file changed"))
    classes: Counter[str] = Counter()
    examples: dict[str, list[dict[str, object]]] = {}
    for p, found in problems.items():
        for problem in found:
            sig = problem.signature
            classes[sig] += 1
            folder = out / "failures" / re.sub(r"[^\w.-]+", "_", problem.kind)
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, folder / p.name)
            examples.setdefault(sig, []).append(
                {
                    "file": str(folder / p.name),
                    "ops": ops[p],
                    "command": problem.command,
                    "detail": problem.detail[-1500:],
                }
            )
    summary = {
        "seed": args.seed,
        "mutants": len(paths),
        "failing_mutants": sum(bool(f) for f in problems.values()),
        "classes": dict(classes.most_common()),
        "examples": {k: v[:3] for k, v in examples.items()},
        "seconds": round(time.monotonic() - start),
    }
    (out / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    lines = [
        f"{summary['mutants']} mutants, {summary['failing_mutants']} failing, {summary['seconds']} s"
    ]
    for sig, count in classes.most_common():
        example = examples[sig][0]
        lines.append(
            f"{count:5d}  {sig}\n       e.g. {example['file']}  ops={example['ops']}  cmd={example['command']}"
        )
    (out / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if classes else 0


if __name__ == "__main__":
    sys.exit(main())
