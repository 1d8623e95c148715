"""Loopback ports: find a free one, wait until a server accepts connections on one."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port on `host` that nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_for_port(
    port: int,
    host: str = LOOPBACK,
    timeout: float = 10.0,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Return once `host:port` accepts a TCP connection; raise TimeoutError after `timeout` s.

    `alive`, when given, is polled too: when it returns False (say, the server process exited)
    this raises RuntimeError at once instead of waiting for the timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None and not alive():
            raise RuntimeError(f"the server meant for {host}:{port} stopped before listening")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout} s") from None
            time.sleep(0.02)
