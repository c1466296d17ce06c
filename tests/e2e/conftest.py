"""Browser tests: Playwright drives Debian's chromium, headless, against a live Django server.

On a machine without chromium they are skipped; in CI (CI=true) a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# The sizes issue 12 names: a small Android phone and the commonest laptop screen.
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}
# axe-core's rules for WCAG 2.1 level A and AA (axe-playwright-python bundles axe-core).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21aa"]


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


# Elements whose right edge passes the viewport, outside any box that scrolls or clips them:
# what a visitor would have to scroll sideways to read.
STICKING_OUT = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = (element) => {
        for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
            if (getComputedStyle(box).overflowX !== "visible") return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !clipped(element))
        .slice(0, 5)
        .map((element) => element.outerHTML.slice(0, 160));
}"""


def sideways_overflow(page):
    """Why the page scrolls sideways (how wide it is, what sticks out), or "" if it does not."""
    # Not window.innerWidth: a phone zooms out to show a page wider than the screen, and
    # innerWidth grows with it; the layout viewport (the root's clientWidth) stays the screen's.
    scroll_width, window_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= window_width:
        return ""
    return f"{scroll_width} px wide in a {window_width} px window; sticking out:\n" + "\n".join(
        page.evaluate(STICKING_OUT)
    )


def assert_no_sideways_scroll(page):
    """Nothing on the page is wider than the window (WCAG 1.4.10 Reflow): no sideways scroll."""
    overflow = sideways_overflow(page)
    assert not overflow, f"{page.url} scrolls sideways: {overflow}"


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}


def start_axe(page):
    """Starts axe-core on the page and returns at once: pages in other contexts (other
    renderer processes) can load and be checked meanwhile.

    axe is injected through the DevTools protocol (Playwright's evaluate), which the page's
    Content-Security-Policy does not govern; the policy stays on for everything the page loads.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    page.evaluate("options => { window.komekAxe = axe.run(document, options); }", AXE_OPTIONS)


def axe_violations(page):
    """axe-core's WCAG 2.1 A/AA violations on the page (from `start_axe`, or run now), one
    readable line per element."""
    if not page.evaluate("() => 'komekAxe' in window"):
        start_axe(page)
    violations = page.evaluate("() => window.komekAxe.then(results => results.violations)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{', '.join(node['target'])}: {node['failureSummary'].replace(chr(10), ' ')}"
        for violation in violations
        for node in violation["nodes"]
    ]


def assert_accessible(page):
    """axe-core reports no WCAG 2.1 AA violation on the page as it is now."""
    violations = axe_violations(page)
    assert not violations, f"{page.url}: axe-core found\n" + "\n".join(violations)
