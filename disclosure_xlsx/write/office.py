"""LibreOffice headless, where installed: to turn .xls/.ods returns into .xlsx we can edit.

openpyxl edits only xlsx/xlsm; departments also send .xls and .ods. Rather than rebuild their
layout from cell values (losing widths, merges and fonts), we let a real office suite convert it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DisclosureError
from ..text import Text

TIMEOUT = 180  # seconds; the first start of a fresh profile is slow


def soffice() -> str | None:
    """The LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path, profile: Path | None = None) -> Path:
    """Convert ``src`` to ``fmt`` (e.g. "xlsx", "pdf") in ``outdir``.

    LibreOffice runs with a private profile (a temporary one unless ``profile`` is given, which
    saves its start-up on repeated calls), so it never clashes with a user's open office.
    """
    return convert_many([src], fmt, outdir, profile)[0]


def convert_many(
    sources: list[Path], fmt: str, outdir: Path, profile: Path | None = None
) -> list[Path]:
    """Convert several files in one LibreOffice start (it takes seconds); outputs in order."""
    exe = soffice()
    src = sources[0]
    if exe is None:
        raise DisclosureError(
            Text(
                f"{src.name}：处理 {src.suffix} 文件需要 LibreOffice（soffice），请安装，"
                "或先在 Excel/WPS 中另存为 .xlsx",
                f"{src.name}: a {src.suffix} file needs LibreOffice (soffice): install it, "
                "or save the file as .xlsx in Excel/WPS first",
            )
        )
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dx-lo-") as tmp:
        home = (profile or Path(tmp)).resolve()
        try:
            subprocess.run(
                [
                    exe,
                    f"-env:UserInstallation={home.as_uri()}",
                    "--headless",
                    "--convert-to",
                    fmt,
                    "--outdir",
                    str(outdir),
                    *map(str, sources),
                ],
                check=True,
                capture_output=True,
                timeout=TIMEOUT * len(sources),
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise DisclosureError(
                Text(
                    f"{src.name}：LibreOffice 转换失败（{type(exc).__name__}）",
                    f"{src.name}: LibreOffice could not convert it ({type(exc).__name__})",
                )
            ) from None
    outs = [outdir / f"{s.stem}.{fmt.split(':')[0]}" for s in sources]
    for s, out in zip(sources, outs, strict=True):
        if not out.exists():
            raise DisclosureError(
                Text(
                    f"{s.name}：LibreOffice 没有生成 {out.name}",
                    f"{s.name}: LibreOffice did not write {out.name}",
                )
            )
    return outs
