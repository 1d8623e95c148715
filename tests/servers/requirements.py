"""What to do when a system program a test needs is missing: skip locally, fail in CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def unavailable(message: str) -> NoReturn:
    """Skip the test with `message`; under CI=true fail it instead, since CI installs everything."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: CI must install it, see .ci/run)", pytrace=False)
    pytest.skip(message)
