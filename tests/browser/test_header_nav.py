"""The header on a 1366x768 laptop, the commonest office screen: with an administrator's full menu, in Vietnamese
(the longer labels), no menu item breaks over two lines and the site's name is shown whole."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.demo import load_demo
from app.extensions import db
from app.views import LANG_COOKIE

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-demo-1010"

# Per menu item: how many lines its text takes (its content height over its line height), and whether the
# site's name is cut (its text wider than its box).
HEADER = """() => {
  const items = [...document.querySelectorAll('.menu nav a, .menu nav .link')].map(el => {
    const style = getComputedStyle(el);
    const content = el.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return {text: el.textContent.trim(), lines: Math.round(content / parseFloat(style.lineHeight))};
  });
  const name = document.querySelector('.brand span');
  const d = document.documentElement;
  return {items, clipped: name.scrollWidth > name.clientWidth, width: d.scrollWidth};
}"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_menu_item_wraps_and_the_site_name_is_whole_at_1366(csrf_live_server, new_context, artifacts, lang):
    with csrf_live_server.app.app_context():
        load_demo(db.session, password=PASSWORD)
        db.session.commit()
    base = csrf_live_server.url
    context = new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": LANG_COOKIE, "value": lang, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#login", "admin@dxday.example")
    page.fill("#password", PASSWORD)
    page.click("main form.form [type=submit]")
    expect(page.locator(".flashes")).to_be_visible()
    for path in ("/", "/events/calendar"):
        page.goto(f"{base}{path}")
        page.screenshot(path=str(artifacts / f"header-1366-{lang}{path.replace('/', '-')}.png"))
        header = page.evaluate(HEADER)
        assert len(header["items"]) >= 10  # the administrator's whole menu and account links
        assert [item for item in header["items"] if item["lines"] != 1] == []
        assert not header["clipped"]
        assert header["width"] <= 1366
