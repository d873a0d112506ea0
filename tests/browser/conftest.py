"""Browser tests: the main journeys in Debian's Chromium (Playwright), with an axe scan of every page visited.

Run them alone with ``pytest -m browser``; ``make browser`` installs Chromium from Debian when it is missing.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread: without this, Django refuses the ORM calls
# that the tests make there to prepare their data. Nothing else in the suite runs asynchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Flags that keep Chromium from reaching the network on its own (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Impacts that fail a test; "minor" findings are printed only.
BLOCKING_IMPACTS = {"moderate", "serious", "critical"}
TIMEOUT_MS = 10_000


def _chromium_path():
    return os.environ.get("RELAIS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session: the system one, never a downloaded browser."""
    executable = _chromium_path()
    if not executable:
        pytest.fail("Chromium est introuvable : lancez `make browser` (paquet Debian chromium).")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        # The database connections opened while Playwright runs live in its context, not in the one Django will
        # close at the end of the session: close them now, or they would keep the test database open.
        connections.close_all()
        playwright.stop()


@pytest.fixture(autouse=True)
def live_database(transactional_db):
    """Browser tests are transactional: the live server sees what they create (the territory is loaded again after
    each one, see the root conftest)."""


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) whose relative URLs point at the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def narrow_page(browser, live_server):
    """A browser context 320 px wide, the narrowest screen RGAA asks to read without scrolling sideways."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 320, "height": 720})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def assert_no_sideways_scroll(page):
    """Nothing on the page is wider than the window (RGAA 10.11)."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll("body *")].filter(element => {
                if (element.closest(".fr-table__container, .fr-sr-only, [hidden]")) return false;
                const box = element.getBoundingClientRect();
                return box.width > 0 && box.right > width + 1;
            });
            return {scroll: document.documentElement.scrollWidth - width,
                    wide: wide.slice(0, 5).map(element => element.tagName + "." + element.className)};
        }"""
    )
    assert overflow["scroll"] <= 0, f"La page {page.url} défile horizontalement : {overflow}"


@pytest.fixture(scope="session")
def axe_check():
    """Scan the current page with axe-core; fail on serious or critical violations, listing where they are."""
    axe = Axe()

    def check(page):
        results = axe.run(page)
        violations = results.response["violations"]
        blocking = [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]
        for violation in violations:
            if violation["impact"] not in BLOCKING_IMPACTS:
                print(f"axe ({violation['impact']}) {violation['id']} sur {page.url}")
        if blocking:
            lines = [f"Accessibilité : {len(blocking)} violation(s) graves sur {page.url}"]
            for violation in blocking:
                lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']}")
                lines.extend(f"    {', '.join(str(part) for part in node['target'])}" for node in violation["nodes"])
            pytest.fail("\n".join(lines))
        return results

    return check


@pytest.fixture
def log_in(axe_check, password):
    """Log in through the login form, as a person does, and land on the page the form redirects to."""

    def _log_in(page, email, secret=None):
        page.goto("/connexion/")
        axe_check(page)
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(secret or password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

    return _log_in
