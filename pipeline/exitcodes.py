"""How every `bukti` command ends, one enum for all of them (check, review, nightly, serve, server),
and the error that carries its exit code up to the command line."""
from __future__ import annotations

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
    """Bad usage or input; str() is the one line the user reads. Carries its exit code."""
    exit_code = ExitCode.USAGE
