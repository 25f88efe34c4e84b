"""A real browser for the dashboard's tests: the system's Chromium, headless, driven by
Selenium through the system's chromedriver.

Nothing is downloaded: the driver's path is given explicitly, so Selenium Manager never runs.
Where Chromium or chromedriver is missing the tests are skipped with the reason, except in CI
(``CI`` set), where ``.ci/setup-test`` installs both and a missing one is a failure.

Selenium's calls block, and the dashboard under test runs on the test's own event loop, so
every call goes through a worker thread (:class:`Browser`): the loop keeps serving the page
the browser is waiting for.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

T = TypeVar("T")

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver", "/usr/lib/chromium/chromedriver", "/usr/bin/chromedriver")
WINDOW = (1100, 1400)
"""Wide enough for the tables, tall enough that a screenshot holds a page."""
PHONE_WIDTH = 390
"""A common phone's CSS width."""
NAVIGATION_TIMEOUT = 15.0
"""How long a form's next page may take (a failure to arrive, not a speed limit)."""


def find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name) or (
            name if os.path.isabs(name) and os.access(name, os.X_OK) else None
        )
        if found:
            return found
    return None


def chromium_or_skip() -> tuple[str, str]:
    """The browser's and the driver's paths; skips (or, in CI, fails) without them."""
    browser, driver = find(BROWSERS), find(DRIVERS)
    if browser is None or driver is None:
        missing = " and ".join(
            name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path
        )
        reason = (
            f"{missing} not installed: the dashboard's browser tests need Debian's chromium and"
            " chromium-driver packages (bash .ci/setup-test installs them)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return browser, driver


def start_chromium(browser: str, driver: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--force-prefers-reduced-motion",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


class Browser:
    """The blocking driver behind awaitable calls, each in a worker thread."""

    def __init__(self, driver: webdriver.Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    async def call(self, work: Callable[[], T]) -> T:
        return await asyncio.to_thread(work)

    async def open(self, path_or_url: str) -> None:
        url = path_or_url if "://" in path_or_url else self.base_url + path_or_url
        await self.call(lambda: self.driver.get(url))

    async def press(self, css: str) -> None:
        """Press a button that submits its form, and wait for the next page: a click does not
        wait for the navigation it starts, and the next call must not overtake it."""

        def click_and_wait() -> None:
            page = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, css).click()
            # Mid-navigation chromedriver may answer a look at the old page with a passing
            # "unhandled inspector error" instead of "stale": ask again until the new page is
            # there and loaded.
            wait = WebDriverWait(
                self.driver, NAVIGATION_TIMEOUT, ignored_exceptions=(WebDriverException,)
            )
            wait.until(staleness_of(page))
            wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

        await self.call(click_and_wait)

    async def type_into(self, css: str, text: str) -> None:
        def fill() -> None:
            field = self.driver.find_element(By.CSS_SELECTOR, css)
            field.clear()
            field.send_keys(text)

        await self.call(fill)

    async def choose(self, css: str, value: str) -> None:
        await self.call(
            lambda: Select(self.driver.find_element(By.CSS_SELECTOR, css)).select_by_value(value)
        )

    async def text(self, css: str = "main") -> str:
        return await self.call(lambda: self.driver.find_element(By.CSS_SELECTOR, css).text)

    async def all(self, css: str) -> list[WebElement]:
        return await self.call(lambda: self.driver.find_elements(By.CSS_SELECTOR, css))

    async def attribute(self, css: str, name: str) -> str | None:
        return await self.call(
            lambda: self.driver.find_element(By.CSS_SELECTOR, css).get_attribute(name)
        )

    async def path(self) -> str:
        url: str = await self.call(lambda: self.driver.current_url)
        return url.removeprefix(self.base_url)

    async def run_script(self, script: str, *args: Any) -> Any:
        return await self.call(lambda: self.driver.execute_script(script, *args))

    async def unlabelled_fields(self) -> list[str]:
        """Form fields a screen reader could not name: no <label> and no aria-label."""
        found: list[str] = await self.run_script(
            "return [...document.querySelectorAll('input, select, textarea, button')]"
            ".filter(e => e.type !== 'hidden')"
            ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
            " && !(e.tagName === 'BUTTON' && e.textContent.trim()))"
            ".map(e => e.outerHTML.slice(0, 80))"
        )
        return found

    async def fits_a_phone(self, width: int = PHONE_WIDTH) -> bool:
        """Whether the page, at a phone's width, needs no sideways scrolling (wide tables
        scroll inside their own box)."""

        def measure() -> bool:
            self.driver.set_window_size(width, WINDOW[1])
            try:
                fits = self.driver.execute_script(
                    "return document.documentElement.scrollWidth"
                    " <= document.documentElement.clientWidth"
                )
            finally:
                self.driver.set_window_size(*WINDOW)
            return bool(fits)

        return await self.call(measure)

    async def first_tab_stop(self) -> str:
        """The text of what the Tab key reaches first (the skip link, for keyboard users)."""

        def tab() -> str:
            self.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
            return str(self.driver.switch_to.active_element.text)

        return await self.call(tab)

    async def screenshot(self, target: Path) -> None:
        """A PNG of the whole page (the window's width, the page's height, at most 2,400 px)."""

        def shoot() -> None:
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(WINDOW[0], min(int(height) + 20, 2400))
            self.driver.save_screenshot(str(target))
            self.driver.set_window_size(*WINDOW)

        await self.call(shoot)
