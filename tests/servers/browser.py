"""Headless Debian Chromium driven by Selenium through the system chromedriver.

Nothing is downloaded at run time: the driver path is given to `Service`, which makes Selenium
skip Selenium Manager (the tool that would fetch a browser or driver), and `start_browser`
turns any call of Selenium Manager into an error all the same. Chromium is kept on loopback:
every host name but localhost resolves to nothing, background networking, component updates,
sync and QUIC are off, and it uses a fresh profile in a temp folder.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from unittest import mock

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = "apt-get install chromium chromium-driver"
WINDOW_SIZE = (1280, 900)

FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
)


def missing() -> str | None:
    """Why the browser cannot run here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing ({INSTALL_HINT})"
    return None


def start_browser(profile_dir: Path, download_dir: Path, *, window_size=WINDOW_SIZE):
    """A new headless Chromium WebDriver; the caller quits it.

    `profile_dir` becomes Chromium's --user-data-dir; files the page downloads land in
    `download_dir` without a prompt. The driver gets a `download_dir` attribute.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={window_size[0]},{window_size[1]}")
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
            "download.directory_upgrade": True,
            "safebrowsing.enabled": False,
        },
    )
    service = Service(
        executable_path=CHROMEDRIVER, log_output=str(profile_dir.parent / "chromedriver.log")
    )

    def no_download(*args, **kwargs):
        raise RuntimeError(
            "Selenium Manager was asked for a browser or driver; tests use the system ones"
        )

    with mock.patch.object(SeleniumManager, "binary_paths", no_download):
        driver = webdriver.Chrome(options=options, service=service)
    try:
        # Headless Chromium may ignore the download preference; say it over DevTools too.
        driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(download_dir), "eventsEnabled": True},
        )
        driver.download_dir = download_dir  # type: ignore[attr-defined]
    except BaseException:
        driver.quit()
        raise
    return driver


def save_screenshot(driver, folder: Path, name: str) -> Path:
    """Save a PNG of the browser window as `folder`/`name`.png (folder made if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    if not driver.save_screenshot(str(path)):
        raise RuntimeError(f"Chromium could not save a screenshot to {path}")
    return path


def wait_for_download(folder: Path, name: str | None = None, timeout: float = 10.0) -> Path:
    """The downloaded file (named `name`, or any) once Chromium finished writing it."""
    folder = Path(folder)
    deadline = time.monotonic() + timeout
    while True:
        names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
        busy = any(n.endswith(".crdownload") for n in names)
        done = sorted(n for n in names if not n.endswith((".crdownload", ".tmp")))
        if name is not None:
            done = [n for n in done if n == name]
        if done and not busy:
            return folder / done[0]
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no finished download {name or ''} in {folder} after {timeout} s")
        time.sleep(0.05)
