"""Tests at least equal to the code where the risk is.

The companion (``journal``) and the peer workspace (``peer``) each have at least as many lines of
tests as of code. A test file counts for an app when it lies in ``tests/<app>/`` or imports the app.
Across ``src/`` too, test lines are at least the code's (migrations and tests aside).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "commonground"
FLOOR = 1.0  # tests ÷ code across src/


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def is_test(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts or path.name == "conftest.py"


def code_files(app: str | None = None) -> list[Path]:
    base = SRC / app if app else SRC
    return [p for p in base.rglob("*.py") if "migrations" not in p.parts and not is_test(p)]


def all_test_files() -> list[Path]:
    found = [p for p in (ROOT / "tests").rglob("*.py")] + [p for p in SRC.rglob("*.py") if is_test(p)]
    return sorted({*found, ROOT / "conftest.py"})


def imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        apps.update(n.split(".")[1] for n in names if n.startswith("commonground.") and n.count(".") >= 1)
    return apps


def files_testing(app: str) -> list[Path]:
    return [p for p in all_test_files() if (ROOT / "tests" / app) in p.parents or app in imported_apps(p)]


@pytest.mark.slow
@pytest.mark.parametrize("app", ["journal", "peer"])
def test_the_private_apps_have_at_least_as_many_test_lines_as_code(app):
    code, tests = sum(map(lines, code_files(app))), sum(map(lines, files_testing(app)))
    assert tests >= code, f"{app}: {tests} lines of tests for {code} lines of code"


def test_across_src_there_are_at_least_as_many_test_lines_as_code():
    code, tests = sum(map(lines, code_files())), sum(map(lines, all_test_files()))
    assert tests / code >= FLOOR, f"{tests} lines of tests for {code} lines of code: {tests / code:.2f} < {FLOOR}"


def test_an_app_is_counted_from_its_imports(tmp_path):
    sample = tmp_path / "t.py"
    sample.write_text("from commonground.peer.models import Staff\nimport commonground.journal.days\nimport os\n")
    assert imported_apps(sample) == {"peer", "journal"}
