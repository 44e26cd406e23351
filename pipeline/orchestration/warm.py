"""A warm worker: `bukti check` run in a process forked from one that has already started.

Every `bukti check` pays, before it reads a page, for Python to import Prefect, pydantic,
SQLAlchemy, spaCy and the readers and to build the language pipeline: about 2 CPU-s and 1-1.5 s
of wall time in which one core works alone (benchmarks/RESULTS.md, "Stop 23"). On a folder of a
few dozen documents that is a tenth of the whole check. A user who checks repeatedly already runs
`bukti server start` for the Prefect API server; the same command starts this worker beside it
(the `warm_worker` setting turns it off). The worker imports all of that once, then waits on a
Unix socket in bukti's data folder. `bukti check` hands it its command line, environment, working
folder and its own stdin/stdout/stderr (SCM_RIGHTS), and the worker forks: the child becomes that
command - same code path as `pipeline.cli.main`, output straight to the user's terminal, the
user's signals forwarded to it by the waiting `bukti check` - and sends back its exit code.

Why fork, not threads in one long-lived process: each check keeps the isolation of a command of
its own (its settings, signal handling, memory returned at its end, several checks at once), and
the forked child starts with nothing but imports: no run state, no cache, so a cold check stays
cold. The worker itself never runs a check and starts no thread (forking a process with threads
is unsafe); it checks that before it serves.

The command runs in its own process as before (`bukti check` falls back silently) whenever the
worker cannot give the same result: no worker, a worker of older code (it then restarts itself on
the new code), another Prefect set-up in the environment, or a different user.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
from pathlib import Path

from pipeline import cli
from pipeline.handoff import HEADER, PROTOCOL, REPO, ROOMS


def warm_up() -> None:
    """Import what a check imports and build what every check builds first."""
    from pipeline.orchestration.prefect_env import configure
    configure()
    import importlib
    # what a check imports on its way (measured: sys.modules after a check against after warm-up)
    for name in ("pipeline.check", "pipeline.orchestration.flow", "pipeline.orchestration.artifacts",
                 "pipeline.read", "pipeline.crops", "pipeline.regions", "pipeline.page_cut",
                 "pipeline.report.output", "pipeline.report.review", "pipeline.report.html_report",
                 "pipeline.report.xlsx_report", "pipeline.report.lke_sheet", "pipeline.store.schema",
                 "pipeline.orchestration.serve", "pipeline.orchestration.server", "alembic.command",
                 "alembic.config", "cv2", "prefect.flow_engine", "prefect.task_engine", "prefect.artifacts",
                 "prefect.utilities.visualization", "prefect.concurrency.sync",
                 "fastapi.encoders", "anyio._backends._asyncio"):   # a flow run's parameters, its client
        importlib.import_module(name)
    import pkgutil
    import rules.checks
    for module in pkgutil.iter_modules(rules.checks.__path__, "rules.checks."):
        importlib.import_module(module.name)
    from extractors import nlp
    from extractors.extract import load_readers
    nlp.get_nlp()
    load_readers()
    from extractors.ocr import tesseract
    tesseract.know_version()
    import gc
    gc.collect()
    gc.freeze()   # what exists now is shared by every child: no collection walks it again


def code_fingerprint(root: Path = REPO) -> list:
    """(path, size, mtime) of every file of the worker's rooms: it changes when the code, a rule
    pack or a vocabulary does; and the installed packages' folders, whose mtime changes when pip
    installs, upgrades or removes a package (a new dist-info folder)."""
    import site
    out = []
    for packages in site.getsitepackages():
        try:
            out.append((packages, 0, os.stat(packages).st_mtime_ns))
        except OSError:
            pass
    for room in ROOMS:
        for dirpath, dirnames, filenames in os.walk(root / room):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except OSError:
                    continue
                out.append((os.path.relpath(os.path.join(dirpath, name), root), st.st_size, st.st_mtime_ns))
    return out


def _prefect_env(env: dict[str, str]) -> dict[str, str]:
    """The Prefect settings a command with this environment runs with (bukti's defaults under the
    user's own, as prefect_env.configure applies them)."""
    from pipeline.orchestration.prefect_env import DEFAULTS
    return {k: v for k, v in {**DEFAULTS, **env}.items() if k.startswith("PREFECT_")}


class Worker:
    def __init__(self, path: Path):
        self.path = path
        self.base_env = dict(os.environ)   # as started: a request's Prefect set-up must match it
        self.children: set[int] = set()
        self.stopping = False
        self.restart = False

    def serve(self) -> int:
        warm_up()
        import threading
        if threading.active_count() != 1:
            # A fork would copy another thread's locks mid-use; refuse rather than risk it.
            print(f"warm worker: {threading.active_count()} threads after warm-up; not serving",
                  file=sys.stderr)
            return 1
        self.fingerprint = code_fingerprint()
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.unlink(missing_ok=True)
        old = os.umask(0o077)   # only this user may hand the worker a command
        try:
            listener.bind(str(tmp))
        finally:
            os.umask(old)
        listener.listen(16)
        os.replace(tmp, self.path)   # appears ready, all at once
        mine = os.stat(self.path).st_ino
        print(f"warm worker: serving on {self.path} (pid {os.getpid()})", file=sys.stderr, flush=True)
        import select
        try:
            while not self.stopping:
                try:
                    ready, _, _ = select.select([listener, wake_r], [], [])
                except InterruptedError:
                    continue
                if wake_r in ready:
                    os.read(wake_r, 512)
                    self._reap()
                if listener in ready and not self.stopping:
                    conn, _ = listener.accept()
                    try:
                        self._handle(conn, listener, wake_r, wake_w)
                    except Exception as exc:   # one bad request must not end the worker
                        print(f"warm worker: request failed: {exc!r}", file=sys.stderr, flush=True)
                    finally:
                        conn.close()
                    if self.restart:
                        self._restart(listener)
        finally:
            if _inode(self.path) == mine:   # not a newer worker's socket at the same path
                self.path.unlink()
            listener.close()
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)   # a stopping worker stops its checks as a command would
        return 0

    def _stop(self, _signum, _frame) -> None:
        self.stopping = True

    def _reap(self) -> None:
        # any child, not only those in self.children: after a restart (exec) the checks forked by
        # the old image are still ours to reap
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if not pid:
                return
            self.children.discard(pid)

    def _handle(self, conn: socket.socket, listener, wake_r: int, wake_w: int) -> None:
        conn.settimeout(10)
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1]
        if uid != os.getuid():
            return _reply(conn, {"refused": "user"})
        data, fds, _flags, _addr = socket.recv_fds(conn, 4096, 3)
        for fd in fds:
            os.set_inheritable(fd, False)   # the user's terminal must not outlive a restart in us
        try:
            data = _receive(conn, data, HEADER.size)
            if data is None:
                return None
            tag, size, mask = HEADER.unpack(data[:HEADER.size])
            if tag != PROTOCOL:
                return _reply(conn, {"refused": "protocol"})
            body = _receive(conn, data[HEADER.size:], size)
            if body is None:
                return None
            request = json.loads(body)
            refusal = self._refusal(request)
            if refusal:
                _reply(conn, {"refused": refusal})
                self.restart = refusal == "stale"
                return None
            pid = os.fork()
            if pid == 0:   # the child: becomes the command; never returns
                signal.set_wakeup_fd(-1)
                listener.close()
                os.close(wake_r)
                os.close(wake_w)
                _run_child(conn, request, dict(zip([fd for fd in (0, 1, 2) if mask >> fd & 1], fds)))
            self.children.add(pid)
            # from here, not from the child: the command's wait for this line depends on this loop
            # alone, so its time-out can never leave a forked check running beside a fallback
            _reply(conn, {"pid": pid})
            return None
        finally:
            for fd in fds:
                os.close(fd)

    def _refusal(self, request: dict) -> str | None:
        if request.get("argv", [None])[0] != "check":
            return "command"
        if code_fingerprint() != self.fingerprint:
            return "stale"
        env = request["env"]
        mine, theirs = _prefect_env(self.base_env), _prefect_env(env)
        if "PREFECT_API_URL" not in theirs:
            mine.pop("PREFECT_API_URL", None)   # the command would find the same server on its own
        if mine != theirs:
            return "prefect-settings"
        return None

    def _restart(self, listener) -> None:
        """The code changed under the worker: start again on the new code (same pid, so the state
        file still names it; running checks are children of the new image and are reaped by it)."""
        self.path.unlink(missing_ok=True)
        listener.close()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "pipeline.orchestration.warm", str(self.path)])


def _receive(conn: socket.socket, data: bytes, size: int) -> bytes | None:
    """`data` completed to at least `size` bytes from the stream, or None if it ends first."""
    while len(data) < size:
        more = conn.recv(max(4096, size - len(data)))
        if not more:
            return None
        data += more
    return data


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _reply(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _run_child(conn: socket.socket, request: dict, fds: dict[int, int]) -> None:
    """In the forked child: take on the command's environment, folder and streams, run it, send
    its exit code and CPU time, and exit."""
    code = 3
    try:
        os.setpgid(0, 0)   # signals reach it only from the command that waits for it
        # as a fresh Python has them (the worker's own handlers are for the worker)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        _adopt_streams(fds, request["streams"])
        import tempfile
        tempfile.tempdir = None   # the command's TMPDIR, not the worker's
        from pipeline import timing
        cli._T0 = timing._T0 = request["t0"]   # "since the start of the command" stays true
        conn.settimeout(None)
        done = _watch_command(conn)
        try:
            code = int(cli.main(request["argv"], hand_off=False))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        import atexit
        done.set()   # the command may go once it has its exit code: that is not a hang-up
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        import resource
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        _reply(conn, {"exit": code, "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime})
    except BaseException as exc:   # never back into the worker's loop
        try:
            print(f"bukti: warm worker: {exc!r}", file=sys.stderr, flush=True)
        except Exception:
            pass
    finally:
        os._exit(code)


def _adopt_streams(fds: dict[int, int], streams: list) -> None:
    """The command's stdin/stdout/stderr become this process's, with the encodings the command's
    own Python chose (they follow its locale, which may not be the worker's). Log handlers made
    at import (Prefect's console handler) write to the new streams too."""
    import io
    import logging
    old = {id(sys.stdout): "stdout", id(sys.stderr): "stderr"}
    for target, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        if target not in fds or streams[target] is None:
            os.close(target)
            setattr(sys, name, None)
            continue
        os.dup2(fds[target], target)
        encoding, errors = streams[target]
        if target == 0:
            stream = io.TextIOWrapper(io.open(0, "rb", closefd=False), encoding=encoding, errors=errors)
        else:
            # as Python makes them: stdout line-buffered on a terminal, stderr always
            stream = io.TextIOWrapper(io.open(target, "wb", closefd=False), encoding=encoding, errors=errors,
                                      line_buffering=target == 2 or os.isatty(target))
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    for fd in fds.values():
        if fd > 2:
            os.close(fd)
    loggers = [logging.getLogger()] + [l for l in logging.Logger.manager.loggerDict.values()
                                       if isinstance(l, logging.Logger)]
    for handler in {h for logger in loggers for h in logger.handlers}:
        name = old.get(id(getattr(handler, "stream", None)))
        if name and isinstance(handler, logging.StreamHandler):
            handler.setStream(getattr(sys, name))
            if hasattr(handler, "console"):   # rich's Console keeps the stream it was given
                handler.console.file = getattr(sys, name)


def _watch_command(conn: socket.socket):
    """A command killed outright (its terminal closed, SIGKILL) sends nothing more: its socket
    closes. Stop the check then, as a command whose terminal went away would be stopped. Returns
    the event to set once the exit code is on its way (after that a closed socket is expected)."""
    import threading
    done = threading.Event()

    def watch() -> None:
        try:
            while conn.recv(64):
                pass
        except OSError:
            pass
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="warm-command-watch", daemon=True).start()
    return done


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pipeline.orchestration.warm SOCKET", file=sys.stderr)
        return 2
    return Worker(Path(args[0])).serve()


if __name__ == "__main__":
    raise SystemExit(main())
