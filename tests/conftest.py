import os

# One Tesseract thread per process (measured: threads fight over 2 cores), set before any OCR.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
# The tests' Prefect runs must not touch a user's Prefect home or a running server.
os.environ.pop("PREFECT_API_URL", None)
