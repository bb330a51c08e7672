"""Under the Content-Security-Policy, the pages run with no violation reported.

The policy allows scripts only from our static files; a regression (an inline
script, an event handler attribute, a CDN) would be blocked by the browser and
reported as a securitypolicyviolation. The attempt page, with its clock and
autosave script, is where it matters most.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import attempt_opened, autosaved
from tests.views.factories import quiz_with_questions

# What a page looks like, not how it is stored: once is enough (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend_independent]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_attempt_page_reports_no_csp_violation(page, login, trainee):
    page.add_init_script(LISTEN)
    console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and console_errors.append(message.text),
    )
    quiz = quiz_with_questions(2, title="Under the policy")
    login(trainee)
    attempt_opened(page, quiz, trainee, count=2)
    with autosaved(page):
        page.get_by_role("radio").first.check()
    expect(page.locator("[data-timer]")).to_be_visible()
    # The offline copy's service worker runs under the policy too (worker-src
    # falls back to script-src 'self').
    assert page.evaluate(
        "navigator.serviceWorker.ready.then((r) => r.active.scriptURL)"
    ).endswith("/attempts/sw.js")
    assert page.evaluate("window.__cspViolations") == []
    page.goto(f"{page.url.split('?')[0]}submit/")
    assert page.evaluate("window.__cspViolations") == []
    assert not [e for e in console_errors if "Content Security Policy" in e]

    # The listener is live: an inline script injected now is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")


def test_the_policy_header_reaches_the_browser(page, login, trainee):
    login(trainee)
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
