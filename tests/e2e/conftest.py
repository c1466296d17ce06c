"""Browser tests: Playwright drives Debian's chromium, headless, against a live Django server.

On a machine without chromium they are skipped; in CI (CI=true) a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; our ORM calls stay synchronous."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser(allow_orm_beside_playwright):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required for browser tests in CI; not found at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def new_page(browser, viewport, language="ru"):
    """A page that notes every Content-Security-Policy violation chromium reports: each browser
    test fails when the policy blocks something on the pages it visits."""
    context = browser.new_context(viewport=viewport, locale=language, is_mobile=viewport == PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.csp_violations.append(f"{page.url}: {message.text}")
        ),
    )
    return page


def close(page):
    violations = page.csp_violations
    page.context.close()
    assert not violations, "Blocked by the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE)
    yield page
    close(page)


@pytest.fixture
def desktop(browser):
    page = new_page(browser, DESKTOP)
    yield page
    close(page)


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
