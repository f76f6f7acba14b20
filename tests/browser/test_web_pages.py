"""The built website (``make site`` -> build/site/) and slide decks (``make slides`` ->
build/slides/*.slides.html) in a real browser, with no network.

Each lesson page: no console error, formulas rendered by MathJax (no raw ``$...$`` left, no
MathJax error), every image loaded. One deck: paged from the first slide to the last.
Skipped, saying which command builds them, while they have not been built.
"""
from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from browser_support import SITE, SLIDES, Console, needs_browser

pytestmark = needs_browser

ROOT = Path(__file__).resolve().parents[2]

#: a lesson page of the site: its file name starts with the lesson number (00_... to 12_...)
LESSON_PAGE = re.compile(r"^\d\d[a-z]?_.*\.html$")

#: wait until MathJax (if the page loads it) has typeset the page
MATHJAX_DONE = """async () => {
  const t0 = performance.now();
  while (document.readyState !== 'complete' && performance.now() - t0 < 10000)
    await new Promise(r => setTimeout(r, 50));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await new Promise(r => setTimeout(r, 200));
}"""

#: math typeset, MathJax errors, raw TeX delimiters left in the text, images (loaded or not)
PAGE_JS = r"""() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest('script, style, pre, code, .highlight, mjx-container, .MathJax')
          ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const raw = [];
  while (walker.nextNode()) {
    const t = walker.currentNode.textContent;
    if (/\$\$|\\\(|\\\[|\$[^$\s][^$]*[\\^_][^$]*\$/.test(t)) raw.push(t.trim().slice(0, 120));
  }
  const imgs = [...document.querySelectorAll('img')];
  return {math: document.querySelectorAll('mjx-container, .MathJax, .katex').length,
          mathErrors: [...document.querySelectorAll('mjx-merror, .MathJax_Error')].map(
              e => e.textContent.slice(0, 120)),
          raw: raw.slice(0, 5),
          images: imgs.length,
          broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 120))};
}"""


@pytest.fixture(scope="module")
def served():
    """(url -> a folder's files): a local web server for build/, as a reader's would be."""
    root = SITE.parent
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def expected(name: str) -> dict:
    """What the page of notebook `name` must show: formulas if its markdown has any, images
    if its saved outputs have any (lesson 00 has none)."""
    nb_file = ROOT / "notebooks" / f"{name}.ipynb"
    if not nb_file.exists():
        return {"math": False, "images": False}
    cells = json.loads(nb_file.read_text())["cells"]
    return {"math": any("$" in "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"),
            "images": any(k.startswith("image/") for c in cells for o in c.get("outputs", [])
                          for k in o.get("data", {}))}


def lesson_pages():
    return sorted(p for p in SITE.rglob("*.html") if LESSON_PAGE.match(p.name)
                  and "_static" not in p.parts and "_sources" not in p.parts)


def test_each_lesson_page_renders_math_and_figures(served, new_page, report):
    if not SITE.exists():
        pytest.skip(f"no website at {SITE}: build it with `make site` (tools/build_site.py)")
    pages = lesson_pages()
    assert pages, f"{SITE} has no lesson pages (files named like 04_running_averages.html)"
    url, root = served
    problems = []
    for i, path in enumerate(pages):
        page, console = new_page()
        page.goto(f"{url}/{path.relative_to(root).as_posix()}", wait_until="load")
        page.evaluate(MATHJAX_DONE)
        found = page.evaluate(PAGE_JS)
        name, want = path.stem, expected(path.stem)
        if console.errors:
            problems.append(f"{name}: console errors {console.errors[:3]}")
        if found["mathErrors"] or found["raw"]:
            problems.append(f"{name}: math not rendered {found['mathErrors'] or found['raw']}")
        if want["math"] and found["math"] == 0:
            problems.append(f"{name}: its notebook has formulas, the page typeset none")
        if want["images"] and found["images"] == 0:
            problems.append(f"{name}: its notebook has figures, the page shows none")
        if found["broken"]:
            problems.append(f"{name}: images that did not load {found['broken']}")
        if name.startswith("09_") or i == 0:
            first = page.locator("main img, article img, img").first
            where = "the top of the page"
            if first.count():
                first.scroll_into_view_if_needed()
                where = "scrolled to its first figure"
            report.shot(page, f"site_{name}.png",
                        f"the website's page {name} ({where}): sidebar with the course map, "
                        "the text with its formulas")
        page.close()
    assert not problems, "website pages:\n  " + "\n  ".join(problems)


def test_a_slide_deck_pages_through(served, new_page, report):
    decks = sorted(SLIDES.glob("*.slides.html")) if SLIDES.exists() else []
    if not decks:
        pytest.skip(f"no slide decks in {SLIDES}: build them with `make slides` (tools/slides.py)")
    deck = next((d for d in decks if d.name.startswith("04_")), decks[0])
    page, console = new_page()
    page.goto(deck.as_uri(), wait_until="load")
    page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()",
                           timeout=20000)
    page.evaluate(MATHJAX_DONE)
    total = page.evaluate("() => Reveal.getTotalSlides()")
    assert total >= 10, f"{deck.name}: only {total} slides"
    seen, shot = 1, False
    for _ in range(4 * total):              # fragments take extra key presses
        if page.evaluate("() => Reveal.isLastSlide() && !Reveal.availableFragments().next"):
            break
        page.keyboard.press("Space")        # the next fragment or slide (vertical ones too)
        page.wait_for_timeout(60)
        seen = max(seen, page.evaluate("() => Reveal.getSlidePastCount() + 1"))
        if seen == 3 and not shot:
            page.wait_for_timeout(1000)     # let the slide transition finish before the picture
            report.shot(page, "slides_04_third_slide.png",
                        f"slide 3 of the deck {deck.name} opened from disk")
            shot = True
    assert page.evaluate("() => Reveal.isLastSlide()"), f"{deck.name}: stopped at slide {seen}"
    assert seen == total, f"{deck.name}: paged through {seen} of {total} slides"
    mjx_errors = page.evaluate("() => document.querySelectorAll('mjx-merror').length")
    assert mjx_errors == 0, f"{deck.name}: {mjx_errors} MathJax errors"
    assert not console.errors, f"{deck.name}: console errors {console.errors[:5]}"
