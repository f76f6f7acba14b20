"""Helpers of the real-browser tests (``make test-browser``; see tools/browser_test.py).

Nothing here imports playwright at module level: ``pytest tests`` collects this folder
(and imports its modules for doctests) on machines without it, where the tests skip.

* :data:`needs_browser` skips a test unless tools/browser_test.py started the run;
* :class:`Offline` records and refuses every request to a host other than this machine;
* :func:`open_lesson`, :func:`run_all` drive JupyterLab the way a student does (menu clicks);
* :data:`ARM_STEP` / :func:`slider_step` time one slider step, key press to painted pixels.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

LAB = os.environ.get("COURSE_BROWSER_LAB", "")
TOKEN = os.environ.get("COURSE_BROWSER_TOKEN", "")
CHROMIUM = os.environ.get("COURSE_BROWSER_CHROMIUM", "")
SHOTS = Path(os.environ.get("COURSE_BROWSER_SHOTS", "build/browser"))
REPORT = os.environ.get("COURSE_BROWSER_REPORT", "")
SITE = Path(os.environ.get("COURSE_BROWSER_SITE", "build/site"))
SLIDES = Path(os.environ.get("COURSE_BROWSER_SLIDES", "build/slides"))

needs_browser = pytest.mark.skipif(
    not LAB, reason="real-browser test: run by `make test-browser` (tools/browser_test.py), "
                    "which starts JupyterLab and chromium")

#: chromium with no way out: a proxy on the discard port (nothing listens) for every host
#: but this machine's loopback names. ("<-loopback>" would send localhost to the proxy too.)
CHROMIUM_ARGS = ["--no-sandbox", "--proxy-server=http://127.0.0.1:9",
                 "--proxy-bypass-list=<loopback>", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
VIEWPORT = {"width": 1280, "height": 900}


def is_local(url: str) -> bool:
    """Whether a request stays on this machine (loopback, file, data and blob URLs).

    >>> is_local("http://127.0.0.1:8888/lab"), is_local("data:image/png;base64,AA==")
    (True, True)
    >>> is_local("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js")
    False
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("data", "blob", "file", "about", "chrome-error", "chrome"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


class Offline:
    """Records, and aborts, every request whose host is not this machine.

    ``attach(context)`` routes the context's requests through :meth:`_route` and watches its
    pages' web sockets; ``external`` lists the URLs seen, in order."""

    def __init__(self):
        self.external: list[str] = []

    def attach(self, context):
        context.route(lambda url: not is_local(url), self._route)
        context.on("page", self.watch_page)
        return self

    def watch_page(self, page):
        page.on("websocket", lambda ws: self._note(ws.url))
        page.on("request", lambda req: self._note(req.url))

    def _note(self, url: str):
        if not is_local(url) and url not in self.external:
            self.external.append(url)

    def _route(self, route):
        self._note(route.request.url)
        route.abort("internetdisconnected")

    def since(self, n: int) -> list[str]:
        return self.external[n:]


def check_offline(new: list[str]):
    """Fail naming the requests that tried to leave the machine."""
    if new:
        pytest.fail("requests to other hosts (refused; the course must work offline):\n  "
                    + "\n  ".join(new))


class Console:
    """A page's console errors and uncaught exceptions, as text."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


class Report:
    """What the tests measured, written as JSON for tools/browser_test.py's summary."""

    def __init__(self, path: str):
        self.path = path
        self.data = {"tests": {}, "latency": {}, "screenshots": {}, "external": []}

    def shot(self, page_or_locator, name: str, what: str, **kwargs):
        """Save a screenshot to SHOTS/name and remember its one-line description."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        page_or_locator.screenshot(path=str(SHOTS / name), **kwargs)
        self.data["screenshots"][name] = what

    def save(self):
        if self.path:
            Path(self.path).write_text(json.dumps(self.data, indent=1))


# -- JupyterLab ----------------------------------------------------------------------------------

def api(path: str, method: str = "GET"):
    req = urllib.request.Request(LAB + path, method=method,
                                 headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def shut_down_kernels():
    """Shut every session's kernel down (a finished lesson should not hold a core)."""
    for s in api("/api/sessions"):
        api(f"/api/sessions/{s['id']}", method="DELETE")


#: prompts and kernel state of the notebook on show
STATE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .map(e => e.textContent.trim());
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return {prompts, status: ind ? ind.getAttribute('data-status') : null};
}"""

#: the ipywidgets progress bars on show: [(width %, style class, label text)]
PROGRESS_JS = """() => [...document.querySelectorAll('.widget-hprogress')].map(p => {
  const bar = p.querySelector('.progress-bar');
  const box = p.closest('.widget-hbox');
  const label = box ? box.querySelector('.widget-label-basic, .widget-label') : null;
  return {width: bar ? parseFloat(bar.style.width || '0') : null,
          style: bar ? [...bar.classList].filter(c => c.startsWith('progress-bar-')).join(' ') : '',
          label: label ? label.textContent : ''};
})"""

#: error outputs (tracebacks and stderr), widget render failures, MathJax errors and counts
PROBLEMS_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const text = e => e.textContent.trim().slice(0, 400);
  const errors = [...panel.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(text);
  const broken = [...panel.querySelectorAll('.jp-OutputArea-output')].map(e => e.textContent)
      .filter(t => /Error displaying widget|Error rendering output item|Javascript Error/.test(t))
      .map(t => t.trim().slice(0, 300));
  return {errors, broken,
          mathErrors: [...panel.querySelectorAll('mjx-merror, .MathJax_Error')].map(text),
          math: panel.querySelectorAll('mjx-container').length,
          images: [...panel.querySelectorAll('.jp-OutputArea-output img')].map(
              i => ({w: i.naturalWidth, complete: i.complete}))};
}"""


def open_lesson(page, path: str, timeout: float = 90):
    """Open `path` in JupyterLab (workspace reset) and wait until its kernel has started and
    is idle (before that the indicator also says idle, and Run All would ask for a kernel)."""
    page.goto(f"{LAB}/lab/tree/{path}?reset&token={TOKEN}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout * 1000)
    t0, idle_since = time.time(), None
    while time.time() - t0 < timeout:
        started = any(s.get("path") == path and s.get("kernel") for s in api("/api/sessions"))
        s = page.evaluate(STATE_JS)
        name = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName").first
        ready = started and s and s["status"] == "idle" and "No Kernel" not in name.inner_text()
        idle_since = (idle_since or time.time()) if ready else None
        if idle_since and time.time() - idle_since > 0.5:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the kernel of {path} did not start within {timeout:.0f} s")


def menu(page, top: str, item: str):
    """Click main-menu `top`, then its entry `item` (as a student would)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def run_all(page, timeout: float = 300, on_poll=None) -> float:
    """Run > Run All Cells, then wait until every code cell has an execution count and the
    kernel is idle; ``on_poll(page)`` is called every 0.25 s while it runs. Returns seconds."""
    t0 = time.time()
    menu(page, "Run", "Run All Cells")
    quiet_since = None
    while time.time() - t0 < timeout:
        if on_poll:
            on_poll(page)
        s = page.evaluate(STATE_JS)
        busy = any("*" in p for p in s["prompts"]) or s["status"] != "idle"
        if not busy:
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 0.75:       # idle, and stays idle
                return time.time() - t0 - 0.75
        else:
            quiet_since = None
        page.wait_for_timeout(250)
    raise AssertionError(f"the cells were still running after {timeout:.0f} s: {s}")


def lesson_problems(page) -> dict:
    return page.evaluate(PROBLEMS_JS)


# -- one slider step, timed in the page ------------------------------------------------------

#: In the page, before JupyterLab loads: every kernel web-socket message with its time,
#: direction, size, type and (for status messages) the kernel's state. JupyterLab speaks
#: the v1 binary protocol (offsets, then channel, header, parent header, metadata, content)
#: or plain JSON; both are read.
WS_SPY = """(() => {
  window.__ws = [];
  const S = window.WebSocket, dec = new TextDecoder();
  const size = d => typeof d === 'string' ? d.length : (d.byteLength || d.size || 0);
  const parse = d => {
    try {
      if (typeof d === 'string') { const m = JSON.parse(d); return [m.header.msg_type, m.content]; }
      const v = new DataView(d), n = Number(v.getBigUint64(0, true)), off = [];
      for (let i = 1; i <= n; i++) off.push(Number(v.getBigUint64(8 * i, true)));
      const part = i => dec.decode(new Uint8Array(d, off[i], (off[i + 1] || d.byteLength) - off[i]));
      const header = JSON.parse(part(1));
      const content = header.msg_type === 'status' ? JSON.parse(part(4)) : null;
      return [header.msg_type, content];
    } catch (e) { return ['?', null]; }
  };
  const note = (dir, d) => {
    const [type, content] = parse(d);
    window.__ws.push([dir, performance.now(), size(d), type,
                      content && content.execution_state ? content.execution_state : '']);
  };
  window.WebSocket = class extends S {
    constructor(...a) { super(...a); this.addEventListener('message', e => note('in', e.data)); }
    send(d) { note('out', d); return super.send(d); }
  };
})();"""

#: Arm the timer on `root` (the widget's element): resolves window.__step with the times
#: (performance.now(), ms) of the key press, the figure's new <img> (or new src), its decode,
#: the frame painted with it, the start of the frame after that, and the last change in
#: `root` (settled: none for 300 ms).
ARM_STEP = """(root) => {
  const imgOf = () => root.querySelector('img');
  const before = imgOf() ? imgOf().src : null;
  const t = {}, t0 = performance.now();
  window.__ws = [];
  const onKey = e => { if (t.key === undefined) t.key = e.timeStamp; };
  document.addEventListener('keydown', onKey, true);
  let last = t0;
  const obs = new MutationObserver(() => {
    last = performance.now();
    const img = imgOf();
    if (t.img === undefined && img && img.src && img.src !== before) {
      t.img = last;
      img.decode().catch(() => null).then(() => {
        t.decoded = performance.now();
        // painted: the task after the next frame's rendering (the "next paint" of web-vitals);
        // next frame: the start of the frame after it (an upper bound)
        requestAnimationFrame(() => {
          setTimeout(() => { t.painted = performance.now(); }, 0);
          requestAnimationFrame(() => { t.nextFrame = performance.now(); });
        });
      });
    }
  });
  obs.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
  window.__step = new Promise(resolve => {
    const tick = () => {
      const now = performance.now();
      if ((t.nextFrame !== undefined && now - last > 300) || now - t0 > 20000) {
        obs.disconnect();
        document.removeEventListener('keydown', onKey, true);
        t.settled = last;
        t.ws = window.__ws.filter(m => t.key !== undefined && m[1] >= t.key);
        t.timeout = t.nextFrame === undefined;
        resolve(t);
      } else setTimeout(tick, 10);
    };
    tick();
  });
}"""


def slider_step(page, root, handle, key: str = "ArrowRight") -> dict:
    """Press `key` on the slider `handle`: ``total`` ms from the key press to the first frame
    painted with the new figure, and its ``parts``: the front end until the update leaves
    (key -> comm message out), the wire and the kernel's queue (-> kernel busy), the kernel's
    work until the picture leaves (-> the largest message in before the new <img>), the
    widgets putting it in the page, decoding, painting; and the kernel's whole turn (busy ->
    idle) and the time until the page stopped changing (settled)."""
    handle.focus()
    root.evaluate(ARM_STEP)
    page.keyboard.press(key)
    t = page.evaluate("window.__step")
    if t["timeout"]:
        raise AssertionError(f"the figure did not change within 20 s of {key}: "
                             f"{ {k: v for k, v in t.items() if k != 'ws'} }")
    ws = t["ws"]
    sent = next((m[1] for m in ws if m[0] == "out" and m[3] == "comm_msg"), t["key"])
    busy = next((m[1] for m in ws if m[0] == "in" and m[4] == "busy" and m[1] >= sent), sent)
    idle = next((m[1] for m in ws if m[0] == "in" and m[4] == "idle" and m[1] >= busy), busy)
    before_img = [m for m in ws if m[0] == "in" and busy <= m[1] <= t["img"]]
    got = max(before_img, key=lambda m: m[2])[1] if before_img else t["img"]   # the picture
    return {"total": t["painted"] - t["key"],
            "parts": {"key -> update sent (front end)": sent - t["key"],
                      "sent -> kernel busy (wire, queue)": busy - sent,
                      "busy -> picture message in (kernel)": got - busy,
                      "picture message -> <img> in page": t["img"] - got,
                      "<img> -> decoded": t["decoded"] - t["img"],
                      "decoded -> painted": t["painted"] - t["decoded"],
                      "painted -> next frame starts": t["nextFrame"] - t["painted"],
                      "kernel busy -> idle": idle - busy,
                      "key -> page settled": t["settled"] - t["key"]}}


def kernel_pid(path: str):
    """The process id of the kernel of notebook `path` (Linux: read from /proc), or None."""
    ids = [s["kernel"]["id"] for s in api("/api/sessions") if s.get("path") == path]
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if any(f"kernel-{i}.json" in cmd for i in ids):
            return int(proc.name)
    return None


def cpu_seconds(pid) -> float:
    """User + system CPU time of process `pid` so far (Linux), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return float("nan")


def timed_steps(page, root, handle, path: str, n: int) -> dict:
    """n slider steps (:func:`slider_step`), summarized: median, spread and parts in ms, the
    kernel's CPU time per step, and the machine's load average while they ran."""
    pid = kernel_pid(path)
    cpu0 = cpu_seconds(pid)
    steps = [slider_step(page, root, handle) for _ in range(n)]
    cpu = (cpu_seconds(pid) - cpu0) / n * 1e3
    totals = [s["total"] for s in steps]
    parts = {k: statistics.median(s["parts"][k] for s in steps) for k in steps[0]["parts"]}
    parts["kernel CPU time per step"] = cpu
    return {"steps": totals, "median": statistics.median(totals), "min": min(totals),
            "max": max(totals), "parts": parts, "load": os.getloadavg()[0]}
