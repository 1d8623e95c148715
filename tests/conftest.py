from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from disclosure_xlsx.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec("2014")


@pytest.fixture(scope="session")
def soffice():
    """Convert a file with LibreOffice headless; skips the test where LibreOffice is absent."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")

    def convert(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
        outdir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(outdir),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        out = outdir / f"{src.stem}.{fmt.split(':')[0]}"
        assert out.exists(), f"LibreOffice did not write {out}"
        return out

    return convert
