"""Fixtures of the real-browser tests: one chromium, one JupyterLab page per lesson.

Every test here skips unless tools/browser_test.py (``make test-browser``) started the run;
playwright is imported only then.
"""
from __future__ import annotations

import pytest

from browser_support import (CHROMIUM, CHROMIUM_ARGS, LAB, REPORT, VIEWPORT, WS_SPY, Console,
                             Offline, Report, check_offline)


@pytest.fixture(scope="session")
def report():
    r = Report(REPORT)
    yield r
    r.save()


@pytest.fixture(scope="session")
def browser():
    if not LAB:
        pytest.skip("run by `make test-browser`")
    from playwright.sync_api import sync_playwright   # noqa: PLC0415
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def offline(report):
    guard = Offline()
    yield guard
    report.data["external"] = guard.external


@pytest.fixture(scope="session")
def context(browser, offline):
    """One browser context (cookies: the Lab token) whose requests stay on this machine."""
    ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    offline.attach(ctx)
    ctx.add_init_script(WS_SPY)
    yield ctx
    ctx.close()


@pytest.fixture
def new_page(context):
    """new_page() -> (page, console); pages are closed after the test."""
    pages = []

    def make():
        page = context.new_page()
        pages.append(page)
        return page, Console(page)
    yield make
    for page in pages:
        page.close()


@pytest.fixture(autouse=True)
def no_external_requests(request, report):
    """Each test fails when chromium tried to reach another host during it (CDN, fonts...)."""
    if "offline" not in request.fixturenames and "context" not in request.fixturenames:
        yield
        return
    guard = request.getfixturevalue("offline")
    before = len(guard.external)
    yield
    if not getattr(request.node, "expects_external", False):
        check_offline(guard.since(before))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each test's outcome and time, for the summary."""
    outcome = yield
    rep = outcome.get_result()
    r = getattr(item, "funcargs", {}).get("report")
    if r is None:
        return
    name = item.nodeid.split("::", 1)[-1]
    state, seconds = r.data["tests"].get(name, ("passed", 0.0))
    if rep.failed:
        state = "failed" if rep.when == "call" else "error"
    elif rep.skipped:
        state = "skipped"
    r.data["tests"][name] = [state, seconds + rep.duration]
