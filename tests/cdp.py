"""A real headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe),
for tests that click and type: no driver, no port, no package beyond the standard library.

Input goes through Input.dispatchMouseEvent / Input.insertText, i.e. the browser's own input
pipeline (hit testing, focus, `click` and `input` events), not a script calling element.click().
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


class Page:
    def __init__(self, exe: str, base_flags: list[str], *, width: int = 1280, height: int = 900):
        self._profile = tempfile.TemporaryDirectory(prefix="bukti-cdp-")
        # Chromium reads commands from fd 3 and writes replies to fd 4.
        to_chrome_r, self._out = os.pipe()
        self._in, from_chrome_w = os.pipe()

        def child_fds() -> None:
            # Out of the way first: either pipe end may itself be fd 3 or 4 (and close-on-exec).
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in (to_chrome_r, from_chrome_w)]
            for target, fd in zip((3, 4), high):
                os.dup2(fd, target, inheritable=True)
        self.proc = subprocess.Popen(
            [exe, *base_flags, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.session: str | None = None
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def send(self, method: str, **params: Any) -> dict:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def eval(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, path: Path, *, timeout: float = 60) -> None:
        """Load a file and wait until the page's own script has run (data-ready="1")."""
        self.send("Page.navigate", url=Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while self.eval("document.documentElement && document.documentElement.getAttribute('data-ready')") != "1":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path}: the page's script did not run")
            time.sleep(0.1)

    def click(self, selector: str) -> None:
        box = self.eval(f"(function(){{var r=document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
                        "return [r.left + r.width / 2, r.top + r.height / 2];})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def type(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", text=text)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._in, self._out):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()
