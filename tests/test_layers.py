"""The import rules that keep data flowing one way (feed → meeting → index → page or API), with the
private apps on top. Every import counts, including those inside functions; a new arrow that runs
back up fails here, naming the file and line."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "commonground"
PRIVATE = {"journal", "peer"}
# app -> the apps it must never import
FORBIDDEN = {
    "meetings": {"feeds", "search", "fit", "web", "api"} | PRIVATE,
    "catalog": {"feeds", "search", "fit", "web", "api"} | PRIVATE,
    "places": {"feeds", "search", "fit", "web", "api"} | PRIVATE,
    "search": {"feeds", "web", "api", "fit"} | PRIVATE,
    "fit": {"web", "api", "feeds"} | PRIVATE,
    # Feeds come in and go out as files; the Meeting Guide feed's view and the client check, which
    # read the index and the BMLT API, live on the API side.
    "feeds": {"web", "fit", "search", "api"} | PRIVATE,
    "api": {"web"} | PRIVATE,
    "web": PRIVATE,
    # The safety layer sits below every page that shows help: it knows no app above it.
    "safety": {"meetings", "catalog", "places", "search", "fit", "feeds", "api", "web"} | PRIVATE,
    # The private floor: what both private apps need (encryption, opaque ids, form and chart pieces).
    # It stands on the ground floor only.
    "private": {"meetings", "catalog", "places", "search", "fit", "feeds", "api", "web", "safety"} | PRIVATE,
}


def imports_of(path: Path):
    """(line, top-level commonground package) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package[: len(package) - node.level + 1]
                names = [".".join((*base, node.module or ""))]
            else:
                names = [node.module or ""]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "commonground" and len(parts) > 1:
                yield node.lineno, parts[1]


def violations(app: str):
    found = []
    for path in sorted((SRC / app).rglob("*.py")):
        if "tests" in path.relative_to(SRC).parts:
            continue
        for line, target in sorted(imports_of(path)):
            if target in FORBIDDEN[app]:
                found.append(f"{path.relative_to(SRC)}:{line} imports commonground.{target}")
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_import_runs_back_up(app):
    assert violations(app) == []


def test_the_checker_sees_function_level_and_relative_imports(tmp_path, monkeypatch):
    fake = tmp_path / "commonground" / "search"
    fake.mkdir(parents=True)
    (fake / "x.py").write_text("def f():\n    from commonground.web import presenters\n\nfrom ..feeds import registry\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path / "commonground")
    assert violations("search") == ["search/x.py:2 imports commonground.web", "search/x.py:4 imports commonground.feeds"]


def modules_imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_derivation_is_pure_and_models_never_import_the_bulk_writer():
    """models -> derive (pure) and bulk -> models: no cycle between the model and the row code."""
    derive = modules_imported(SRC / "meetings" / "derive.py")
    assert not [m for m in derive if m.startswith("django") or m.startswith("commonground.meetings.models")
                or m.startswith("commonground.meetings.bulk")], derive
    assert not [m for m in modules_imported(SRC / "meetings" / "models.py") if "meetings.bulk" in m]


GROUND_FLOOR = ("env.py", "errors.py", "keys.py", "i18n.py", "tzdb.py")


@pytest.mark.parametrize("module", GROUND_FLOOR)
def test_the_ground_floor_imports_no_app(module):
    """What many apps need (settings readers, the error shape, the private floor's keys) stands on
    nothing above it: journal and peer share keys.py without reaching into each other."""
    assert [target for _, target in imports_of(SRC / module) if target != module.removesuffix(".py")] == []


def test_the_private_apps_share_no_insides():
    """peer reads journal's accounts and encryption through their public functions; it never
    borrows what the ground floor now holds (keys), and journal never imports peer."""
    assert [m for m in violations_between("journal", "peer")] == []
    keyed = [m for path in sorted((SRC / "peer").rglob("*.py")) for m in modules_imported(path)
             if m in ("commonground.private.crypto.new_key", "commonground.private.crypto._key_texts")]
    assert keyed == []


def violations_between(app: str, other: str) -> list[str]:
    return [f"{path.relative_to(SRC)}:{line}" for path in sorted((SRC / app).rglob("*.py"))
            if "tests" not in path.relative_to(SRC).parts
            for line, target in imports_of(path) if target == other]
