"""How every `bukti` command ends, one enum for all of them (check, review, nightly, serve, server),
the error that carries its exit code up to the command line, and the argument parser of the one
command tree (pipeline/cli.py), whose usage errors are such errors."""
from __future__ import annotations

import argparse
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FLAGS = 1          # unwaived error flags (check, nightly), or a server that is not there / not healthy
    USAGE = 2          # bad usage or bad input: one line on stderr says why
    INTERNAL = 3       # a bug: one line asking to report it (BUKTI_DEBUG=1 shows the traceback)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it
    TERMINATED = 143   # SIGTERM (128 + SIGTERM)

    @classmethod
    def for_signal(cls, signum: int) -> int:
        return 128 + signum


class UsageError(Exception):
    """Bad usage or input; str() is the one line the user reads. Carries its exit code, and the
    command it is about when argparse raised it (`prog`, e.g. "bukti review waive")."""
    exit_code = ExitCode.USAGE

    def __init__(self, message: str = "", prog: str | None = None):
        super().__init__(message)
        self.prog = prog


class UsageParser(argparse.ArgumentParser):
    """argparse prints the whole usage on a usage error; the contract wants one clear line and
    exit 2, so the error is raised for the command to print."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')", prog=self.prog)
