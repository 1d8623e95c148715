"""The round's web page in a real browser (headless Debian Chromium through Selenium), against
the server on a free loopback port: the clerk's flow, a department's flow, and the basic flow
with JavaScript switched off. Screenshots of both pages are saved for review under the test
run's temp folder (``screenshots/``); with DISCLOSURE_XLSX_SCREENSHOTS=DIR also into DIR (the
README's images in docs/ were made so)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from disclosure_xlsx.campaign import Campaign

from .servers.browser import save_screenshot, wait_for_download
from .webround import (
    PASSWORD,
    good_return,
    link_token,
    make_round,
    running,
    stranger_return,
    wrong_return,
)

WAIT = 20


@pytest.fixture
def screenshots(tmp_path_factory):
    """Save a screenshot of the whole page for review (and for the README when asked)."""
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    extra = os.environ.get("DISCLOSURE_XLSX_SCREENSHOTS")

    def take(driver, name: str) -> Path:
        width = driver.get_window_size()["width"]
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height) + 140, 600), 2400))
        path = save_screenshot(driver, folder, name)
        if extra:
            save_screenshot(driver, Path(extra), name)
        print(f"screenshot: {path}")
        return path

    return take


def wait(driver, condition, timeout: float = WAIT):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # NOTE: the page may reload itself between finding an element and reading it
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, 0.1, ignored).until(condition)


def state_of(driver, dept: str) -> str:
    from selenium.webdriver.common.by import By

    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-department="{dept}"]')
    return row.find_element(By.CSS_SELECTOR, "td.state").text


def scripts_ran(driver) -> bool:
    """Whether the page's own script ran (it marks <html class="js">)."""
    return "js" in (driver.find_element("tag name", "html").get_attribute("class") or "")


def upload_files(driver, paths: list[Path]) -> None:
    """Choose files in the page's file input and press Upload; wait for the next page."""
    from selenium.webdriver.common.by import By

    before = driver.current_url
    driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))
    driver.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    wait(driver, lambda d: d.current_url != before and "done=" in d.current_url)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def test_the_clerk_in_a_browser(browser, tmp_path, screenshots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    folder = make_round(tmp_path)
    inbox = tmp_path / "收件"
    files = [
        good_return(folder, "区市场监督管理局.xlsx", inbox / "市场监管局2021年报表.xlsx"),
        wrong_return(folder, "区司法局.xlsx", inbox / "司法局.xlsx"),
        stranger_return(inbox / "统计表(1).xlsx"),
    ]
    with running(folder) as base:
        browser.get(base + "/")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait(browser, lambda d: d.find_elements(By.ID, "status"))
        assert scripts_ran(browser)
        assert [state_of(browser, d) for d in ("d001", "d002", "d003")] == ["未交"] * 3

        upload_files(browser, files)
        result = browser.find_element(By.ID, "result").text
        assert "收到 3 份（未匹配 1），重复 0，未收 0" in result
        assert state_of(browser, "d001") == "已交-通过"
        assert state_of(browser, "d002") == "已交-有错误"
        assert state_of(browser, "d003") == "未交"
        unmatched = browser.find_element(By.ID, "unmatched")
        assert "统计表(1).xlsx" in unmatched.text
        screenshots(browser, "web_clerk")

        Select(unmatched.find_element(By.NAME, "department")).select_by_visible_text("区民政局")
        unmatched.find_element(By.CSS_SELECTOR, "form.assign button").click()
        wait(browser, lambda d: "没有未匹配的文件" in d.find_element(By.ID, "unmatched").text)
        assert state_of(browser, "d003") == "已交-通过"

        # a collect at the console: the open page refreshes itself
        corrected = good_return(folder, "区司法局.xlsx", tmp_path / "更正" / "司法局_更正.xlsx")
        with Campaign.open(folder) as round_:
            round_.collect([corrected])
        wait(browser, lambda d: state_of(d, "d002") == "已交-通过")
        assert "已交 3/3，通过 3" in browser.find_element(By.ID, "summary").text

        browser.find_element(By.ID, "download-total").click()
        total = wait_for_download(browser.download_dir, "汇总.xlsx", timeout=WAIT)
        wb = load_workbook(total)
        assert wb.sheetnames[-2:] == ["明细", "说明"]


def test_a_department_in_a_browser(browser, tmp_path, screenshots):
    from selenium.webdriver.common.by import By

    folder = make_round(tmp_path)
    token = link_token(folder, "d002")
    wrong = wrong_return(folder, "区司法局.xlsx", tmp_path / "填报" / "司法局统计表.xlsx")
    right = good_return(folder, "区司法局.xlsx", tmp_path / "修改" / "司法局统计表_改.xlsx")
    with running(folder) as base:
        browser.get(f"{base}/d/{token}")
        assert browser.find_element(By.ID, "department-name").text == "区司法局"
        assert "2099-12-31" in browser.find_element(By.TAG_NAME, "main").text
        assert "区市场监督管理局" not in browser.page_source
        browser.find_element(By.ID, "download-template").click()
        template = wait_for_download(browser.download_dir, "区司法局.xlsx", timeout=WAIT)
        assert template.read_bytes() == (folder / "templates" / "区司法局.xlsx").read_bytes()

        upload_files(browser, [wrong])
        report = browser.find_element(By.CSS_SELECTOR, "section.own-report")
        assert "有错误" in report.text and "合计不符" in report.text
        cells = [td.text for td in report.find_elements(By.CSS_SELECTOR, "td.cell")]
        assert cells and all(cells)
        assert browser.find_element(By.ID, "own-state").text == "已交-有错误"
        screenshots(browser, "web_department")
        report.find_element(By.CSS_SELECTOR, "a.annotated-link").click()
        copy = wait_for_download(browser.download_dir, "司法局统计表_批注.xlsx", timeout=WAIT)
        assert load_workbook(copy).sheetnames[0] == "校验结果"

        upload_files(browser, [right])
        report = browser.find_element(By.CSS_SELECTOR, "section.own-report")
        assert "通过" in report.text and "没有发现问题" in report.text
        assert browser.find_element(By.ID, "own-state").text == "已交-通过"
    with Campaign.open(folder) as round_:
        assert [r.status for r in round_.history("d002")] == ["invalid", "ok"]


def test_the_basic_flow_without_javascript(browser, tmp_path):
    """Scripts off: the clerk signs in, uploads by the plain form, sees the table."""
    from selenium.webdriver.common.by import By

    folder = make_round(tmp_path)
    return_ = good_return(folder, "区民政局.xlsx", tmp_path / "民政局.xlsx")
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    with running(folder) as base:
        browser.get(base + "/")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait(browser, lambda d: d.find_elements(By.ID, "status"))
        assert not scripts_ran(browser)
        upload_files(browser, [return_])
        assert state_of(browser, "d003") == "已交-通过"


DROP = """
const [names, contents] = arguments;
const transfer = new DataTransfer();
names.forEach(function (name, n) {
  const bytes = Uint8Array.from(atob(contents[n]), function (c) { return c.charCodeAt(0); });
  transfer.items.add(new File([bytes], name));
});
const box = document.querySelector("[data-drop]");
box.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true, cancelable: true}));
box.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
"""


def test_files_dropped_on_the_upload_box(browser, tmp_path):
    """Drag and drop: files dropped on the box are uploaded by the page's script."""
    import base64

    from selenium.webdriver.common.by import By

    folder = make_round(tmp_path)
    files = [
        good_return(folder, "区民政局.xlsx", tmp_path / "民政局.xlsx"),
        good_return(folder, "区司法局.xlsx", tmp_path / "司法局.xlsx"),
    ]
    with running(folder) as base:
        browser.get(base + "/")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        wait(browser, lambda d: d.find_elements(By.ID, "status"))
        before = browser.current_url
        browser.execute_script(
            DROP,
            [p.name for p in files],
            [base64.b64encode(p.read_bytes()).decode() for p in files],
        )
        wait(browser, lambda d: d.current_url != before and "done=" in d.current_url)
        wait(browser, lambda d: d.find_elements(By.ID, "result"))
        assert "收到 2 份（未匹配 0）" in browser.find_element(By.ID, "result").text
        assert state_of(browser, "d002") == state_of(browser, "d003") == "已交-通过"
