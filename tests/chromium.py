"""A small DevTools-protocol client for Debian's headless Chromium, over --remote-debugging-pipe.

No port and no new dependency: Chromium reads commands on fd 3 and writes replies and events on
fd 4, each a JSON message ended by a NUL byte. Enough for the report's browser tests and its
benchmark: open a page at a given width, evaluate an expression, watch every request the page
makes, take a screenshot. Expressions evaluated through the protocol run outside the page's
Content-Security-Policy, so the page under test is the page as shipped.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

BINARY = Path("/usr/bin/chromium")
# As the machine's notes say works here: no sandbox as root, and no background traffic on a closed network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe")
MISSING = f"Debian's chromium is not installed ({BINARY}); scripts/test.sh installs it"


class BrowserError(RuntimeError):
    pass


class Chromium:
    """One headless browser with a fresh profile; close() ends it and removes the profile."""

    def __init__(self, binary: Path = BINARY, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="rejectscan-chromium-")
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()
        self.proc = subprocess.Popen(
            [str(binary), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=lambda: (os.dup2(to_child, 3), os.dup2(from_child, 4)))
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """A command's result; events that arrive meanwhile are kept in `events`."""
        self._next += 1
        ident = self._next
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, since: int = 0) -> dict:
        """The first event `method` (of that session) at or after index `since` of `events`."""
        while True:
            for event in self.events[since:]:
                if event.get("method") == method and (session is None or event.get("sessionId") == session):
                    return event
            since = len(self.events)
            self.events.append(self._read())

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise BrowserError(f"no answer from Chromium in {self.timeout:.0f} s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def page(self) -> "Page":
        return Page(self)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._in, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


# Collects the page's Content-Security-Policy violations from the first moment; runs outside the CSP.
_WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI), true);
"""


class Page:
    """A tab: open a URL at a viewport width, evaluate, list requests, take a screenshot."""

    def __init__(self, browser: Chromium) -> None:
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.call("Page.addScriptToEvaluateOnNewDocument", {"source": _WATCH_VIOLATIONS})
        self._opened_at = 0

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def open(self, url: str, width: int = 1000, height: int = 900, media: str = "") -> float:
        """Loads `url` at that viewport width; returns the seconds from navigation to the load event."""
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                         "mobile": width < 500})
        self.call("Emulation.setEmulatedMedia", {"media": media})
        self._opened_at = len(self.browser.events)
        start = time.perf_counter()
        self.call("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session, self._opened_at)
        return time.perf_counter() - start

    def eval(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requests(self) -> list[str]:
        """Every URL the page asked for since it was opened, the page itself included."""
        return [e["params"]["request"]["url"] for e in self.browser.events[self._opened_at:]
                if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session]

    def blocked(self) -> dict[str, str]:
        """URL -> why Chromium refused to send it (e.g. "csp"), for requests the page tried."""
        ids = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in self.browser.events[self._opened_at:]
               if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self.session}
        return {ids[e["params"]["requestId"]]: e["params"]["blockedReason"] for e in self.browser.events[self._opened_at:]
                if e.get("method") == "Network.loadingFailed" and e.get("sessionId") == self.session
                and e["params"].get("blockedReason") and e["params"]["requestId"] in ids}

    def violations(self) -> list[str]:
        return self.eval("window.__violations")

    def screenshot(self, path: Path, width: int, height: int, top: int = 0) -> None:
        """`width` x `height` CSS pixels of the page from `top`, as PNG."""
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                    "clip": {"x": 0, "y": top, "width": width, "height": height,
                                                             "scale": 1}})["data"]
        path.write_bytes(base64.b64decode(data))
