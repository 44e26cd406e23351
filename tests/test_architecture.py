"""The rooms of ARCHITECTURE.md stay apart: import-linter's contracts (pyproject.toml) and no
import cycles, whose every case so far showed a name living in the wrong room."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "extractors", "rules")


def test_import_contracts_hold():
    """In a subprocess: import-linter configures logging with dictConfig, which disables every
    logger that exists at that moment (the product's, imported while tests were collected), and a
    later test of what the product logs then captured nothing."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c",
                          "import sys; from importlinter.cli import lint_imports; "
                          f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))"],
                         capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), module imports only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.find_modules_directly_imported_by(v)):
            if not w.startswith(PACKAGES):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for m in sorted(graph.modules):
        if m.startswith(PACKAGES) and m not in index:
            visit(m)
    return out


def test_no_import_cycles():
    import grimp
    # imports only for type annotations (under TYPE_CHECKING) do not run: they make no cycle
    graph = grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)
    # A package's __init__ importing its own submodules is not a cycle between rooms.
    for pkg in list(graph.modules):
        for child in list(graph.find_modules_directly_imported_by(pkg)):
            if child.startswith(pkg + "."):
                graph.remove_import(importer=pkg, imported=child)
    assert _cycles(graph) == []


def test_the_core_check_runs_without_prefect(tmp_path):
    """pipeline.check.run_check is the whole check without Prefect: a run imports none of it."""
    import subprocess
    import sys
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "unit.yaml").write_text("unit: Dinas Kependudukan dan Pencatatan Sipil\nperiod: 2024\n")
    code = ("import sys, json; from pipeline.check import run_check; "
            f"r = run_check(None, {str(ev)!r}, {str(tmp_path / 'out')!r}, store='none', lang='en'); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'prefect'], 'prefect imported'; "
            "print(json.dumps(r['summary']['documents']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "0" and (tmp_path / "out" / "report.json").is_file()
