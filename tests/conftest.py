import os
import tempfile

# One Tesseract thread per process (measured: threads fight over 2 cores), set before any OCR.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# The tests' Prefect runs must not touch a user's Prefect server, run store or extraction cache:
# a stale cache would hide what the extractors do now.
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("BUKTI_STORE", None)
os.environ["BUKTI_HOME"] = tempfile.mkdtemp(prefix="bukti-test-home-")

# The same Prefect settings the CLI applies, before any test module imports Prefect (its logging
# and settings are fixed at import).
from pipeline.orchestration.prefect_env import configure  # noqa: E402

configure()
