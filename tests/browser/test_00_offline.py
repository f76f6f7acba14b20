"""The browser's network ends at this machine, and a page that needs a CDN is caught.

These run first (file order): if the guard did not work, every later "no external requests"
verdict would mean nothing.
"""
from __future__ import annotations

import pytest

from browser_support import check_offline, needs_browser

pytestmark = needs_browser

CDN_PAGE = """<!doctype html><html><head>
<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"></script>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
</head><body><p>$x^2$ needs a CDN here</p></body></html>"""


def test_a_cdn_script_is_recorded_and_fails_the_check(request, new_page, offline, tmp_path):
    request.node.expects_external = True          # this test wants the requests recorded
    page, _ = new_page()
    html = tmp_path / "cdn.html"
    html.write_text(CDN_PAGE)
    before = len(offline.external)
    page.goto(html.as_uri(), wait_until="load")
    seen = offline.since(before)
    assert "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js" in seen, seen
    assert any(u.startswith("https://fonts.googleapis.com/") for u in seen), seen
    with pytest.raises(pytest.fail.Exception, match="cdn.jsdelivr.net"):
        check_offline(seen)
    del offline.external[before:]                   # expected: not part of the run's summary


def test_the_network_is_unreachable_even_without_the_route(browser):
    """The proxy alone already refuses other hosts (a context with no route at all)."""
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        with pytest.raises(Exception, match="ERR_PROXY_CONNECTION_FAILED|ERR_"):
            page.goto("http://example.com/", timeout=15000)
    finally:
        ctx.close()
