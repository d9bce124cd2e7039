"""How the scanner's verdict reads at a busy gate on a 360×740 phone: a refusal stays on screen until the next scan
or a tap, a ticket already used is amber (not the red of a forged code) with when and where it went in, a typed
code's verdict comes into view, and sound and vibration come back with the first tap after the camera restarted
by itself."""

from __future__ import annotations

import re
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_checkin_scanner import PHONE, _scans, _seed, _sign_in, _wedge, qr_video

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options():
    return PHONE


def _background(locator) -> str:
    return locator.evaluate("(node) => getComputedStyle(node).backgroundColor")


def test_a_refusal_stays_until_the_next_scan_or_a_tap_and_already_in_is_amber(page, csrf_live_server):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    page.clock.install()
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    expect(page.locator("#scanner")).to_have_attribute("data-synced", "true")
    verdict, detail = page.locator("#verdict"), page.locator("#verdict-detail")

    _wedge(page, seeded["tokens"][0])
    expect(verdict).to_have_attribute("data-verdict", "admitted")
    page.clock.run_for(3000)
    expect(verdict).to_have_attribute("data-verdict", "")  # an admission clears itself for the next person

    _wedge(page, seeded["tokens"][0])
    expect(verdict).to_have_attribute("data-verdict", "already_checked_in")
    (first, _again) = _scans(app, seeded["ids"][0])
    at = first.scanned_at.replace(tzinfo=first.scanned_at.tzinfo or UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    expect(detail).to_contain_text(at.strftime("%H:%M"))
    expect(detail).to_contain_text("Cổng chính")
    expect(verdict).to_have_class(re.compile(r"\bverdict--again\b"))
    amber = _background(verdict)
    page.clock.run_for(10_000)
    expect(verdict).to_have_attribute("data-verdict", "already_checked_in")  # still there for who looked away

    forged = seeded["tokens"][1][:-4] + ("AAAA" if not seeded["tokens"][1].endswith("AAAA") else "BBBB")
    _wedge(page, forged)  # the next scan replaces it
    expect(verdict).to_have_attribute("data-verdict", "unknown")
    expect(verdict).to_have_class(re.compile(r"\bverdict--no\b"))
    assert _background(verdict) != amber
    page.clock.run_for(10_000)
    expect(verdict).to_have_attribute("data-verdict", "unknown")
    expect(page.locator("#verdict-hint")).to_be_visible()
    verdict.tap()
    expect(verdict).to_have_attribute("data-verdict", "")
    expect(page.locator("#verdict-hint")).to_be_hidden()


def test_a_typed_codes_verdict_scrolls_into_view(new_context, csrf_live_server):
    """The phone's keyboard takes half the screen: the code field is low, the verdict above it."""
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    page = new_context(**{**PHONE, "viewport": {"width": 360, "height": 380}}).new_page()
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    expect(page.locator("#scanner")).to_have_attribute("data-synced", "true")
    field = page.locator("#code-input")
    field.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    expect(page.locator("#verdict")).not_to_be_in_viewport()
    field.fill(seeded["codes"][0])
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    expect(page.locator("#verdict")).to_be_in_viewport()


# Counts every vibrate call made before any tap (the browser blocks those and logs an intervention), and tells each
# verdict on the console with whether the page had been tapped and the "sound is off" notice shown. Read from the
# console, not the page: every Playwright evaluation or expect runs as a user gesture and would be the tap.
SPY = """
let blocked = 0;
const real = navigator.vibrate ? navigator.vibrate.bind(navigator) : null;
navigator.vibrate = (pattern) => {
  if (!navigator.userActivation.hasBeenActive) blocked += 1;
  return real ? real(pattern) : true;
};
document.addEventListener("DOMContentLoaded", () => {
  const verdict = document.getElementById("verdict");
  new MutationObserver(() => {
    if (!verdict.dataset.verdict) return;
    const notice = !document.getElementById("sound-off").hidden;
    console.log(`spy ${verdict.dataset.verdict} tapped=${navigator.userActivation.hasBeenActive} ` +
                `notice=${notice} blocked=${blocked}`);
  }).observe(verdict, { attributes: true, attributeFilter: ["data-verdict"] });
});
"""


def _told(page, verdict: str, action) -> str:
    with page.expect_event("console", lambda m: m.text.startswith(f"spy {verdict} ")) as told:
        action()
    return told.value.text


def test_after_the_camera_restarts_by_itself_one_tap_brings_sound_and_vibration_back(
    chromium, csrf_live_server, tmp_path
):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    video = qr_video(seeded["tokens"][0], tmp_path / "ticket.y4m")
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"],
    )
    try:
        context = browser.new_context(**PHONE, permissions=["camera"])
        context.set_default_timeout(10_000)
        context.add_init_script(SPY)
        page = context.new_page()
        _sign_in(page, base, seeded["email"])
        url = f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan"
        page.goto(url)
        said = _told(page, "admitted", page.get_by_role("button", name="Bật camera").click)
        assert said.endswith("tapped=true notice=false blocked=0")

        # the phone's browser closed and opened again on the scanner: the camera comes back on by itself, and
        # nobody has tapped this page yet
        page.close()
        page = context.new_page()
        said = _told(page, "already_checked_in", lambda: page.goto(url, wait_until="commit"))
        assert said.endswith("tapped=false notice=true blocked=0")  # silent, and says why: no blocked call

        notice = page.locator("#sound-off")
        notice.tap()
        expect(notice).to_be_hidden()
        page.get_by_role("button", name="Tắt camera").click()
        said = _told(page, "already_checked_in", page.get_by_role("button", name="Bật camera").click)
        assert said.endswith("tapped=true notice=false blocked=0")
    finally:
        browser.close()
