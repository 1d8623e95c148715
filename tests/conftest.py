from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_xlsx.spec import Spec, load_spec

pytest_plugins = ["tests.servers.fixtures"]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec("2014")


@pytest.fixture(scope="session")
def soffice():
    """Convert a file with LibreOffice headless; skips the test where LibreOffice is absent."""
    from disclosure_xlsx.write import office

    if office.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")

    def convert(src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
        return office.convert(src, fmt, outdir, profile)

    return convert
