#!/usr/bin/env bash
# Set up, then check the bundled example unit (it has planted defects, so flags are expected).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
.venv/bin/bukti check fixtures/example_unit --out out/example "$@"
rc=$?
# 1 means "error flags found", which is what the example folder is built to show.
if [[ $rc -le 1 ]]; then echo "example: done (exit $rc), open out/example/report.html"; exit 0; fi
exit $rc
