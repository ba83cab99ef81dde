"""The import rules that keep data flowing one way (feed → meeting → index → page or API), with the
private apps on top. Every import counts, including those inside functions; a new arrow that runs
back up fails here, naming the file and line."""

import ast
import functools
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
    # Phone and text reads the finder's search, the gazetteer and the safety layer, never the private apps.
    "phone": {"web", "api", "feeds", "fit"} | PRIVATE,
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
    (fake / "x.py").write_text(
        "def f():\n    from commonground.web import presenters\n\nfrom ..feeds import registry\n"
    )
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path / "commonground")
    assert violations("search") == [
        "search/x.py:2 imports commonground.web",
        "search/x.py:4 imports commonground.feeds",
    ]


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
    assert not [
        m
        for m in derive
        if m.startswith("django")
        or m.startswith("commonground.meetings.models")
        or m.startswith("commonground.meetings.bulk")
    ], derive
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
    keyed = [
        m
        for path in sorted((SRC / "peer").rglob("*.py"))
        for m in modules_imported(path)
        if m in ("commonground.private.crypto.new_key", "commonground.private.crypto._key_texts")
    ]
    assert keyed == []


def violations_between(app: str, other: str) -> list[str]:
    return [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted((SRC / app).rglob("*.py"))
        if "tests" not in path.relative_to(SRC).parts
        for line, target in imports_of(path)
        if target == other
    ]


# ---------------------------------------------------------------------------------------------
# The module graph: every import, at any depth in a file, as an arrow between modules.


def _module_names() -> dict[str, Path]:
    names = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def module_graph(modules: dict[str, Path] | None = None) -> dict[str, set[str]]:
    """module -> the commonground modules it imports. ``from package import submodule`` is an arrow
    to the submodule (Python runs the package's __init__ on the way, as it does for any import)."""
    modules = _module_names() if modules is None else modules

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        arrows: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                targets = [
                    f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module for alias in node.names
                ]
            else:
                continue
            arrows.update(t for t in map(known, targets) if t and t.startswith("commonground") and t != name)
        graph[name] = arrows
    return graph


@functools.cache
def project_graph() -> dict[str, set[str]]:
    """The project's own module graph, drawn once for the tests that read it (they never change it)."""
    return module_graph()


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle_anywhere():
    """No two modules import each other, however far round and however lazily (an import inside a
    function is still an arrow): a circle means two modules share one rule's ownership."""
    assert circles(project_graph()) == []


def test_the_circle_finder_sees_lazy_and_long_circles(tmp_path):
    root = tmp_path / "commonground" / "a"
    root.mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "x.py").write_text("from commonground.a import y\n")
    (root / "y.py").write_text("def f():\n    from . import z\n")
    (root / "z.py").write_text("import commonground.a.x\n")
    (root / "w.py").write_text("from commonground.a.x import thing\n")
    modules = {f"commonground.a.{n}": root / f"{n}.py" for n in "xyzw"} | {"commonground.a": root / "__init__.py"}
    assert circles(module_graph(modules)) == [["commonground.a.x", "commonground.a.y", "commonground.a.z"]]


def test_nothing_but_a_url_configuration_imports_a_views_module():
    """Views are the top of the house: a rule a view needs lives below it, so any module may call it."""
    graph = project_graph()
    views = {m for m in graph if m.rsplit(".", 1)[-1].startswith("views")}
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in graph.items()
        for t in targets & views
        if not m.rsplit(".", 1)[-1].startswith(("urls", "views")) or m.startswith("commonground.views")
    )
    # a views module may import its own package's sibling views (split by topic), nothing else may
    wrong = [w for w in wrong if not _same_package_views(w)]
    assert wrong == []


def _same_package_views(line: str) -> bool:
    importer, _, target = line.partition(" imports ")
    return importer.rsplit(".", 1)[-1].startswith("views") and importer.rpartition(".")[0] == target.rpartition(".")[0]


def test_peer_reads_the_companion_only_through_its_sharing_module():
    """The peer workspace sees what a participant shares, through journal/sharing.py: never the
    companion's models, views, forms or encryption."""
    graph = project_graph()
    wrong = sorted(
        f"{m} imports {t}"
        for m, targets in graph.items()
        if m.startswith("commonground.peer")
        for t in targets
        if t.startswith("commonground.journal") and t != "commonground.journal.sharing"
    )
    assert wrong == []


LOWER_FLOORS = ("meetings", "catalog", "places", "search", "fit", "feeds", "api", "web", "safety", "private")
# The top-level modules that are not the ground floor: they assemble the house (settings, URLs, the
# CLI, the WSGI entry) and so may name the private apps.
ASSEMBLY = {"commonground", "commonground.cli", "commonground.settings", "commonground.urls", "commonground.wsgi"}


def test_no_lower_floor_imports_a_private_app():
    """Below the private apps: every finder app, the safety layer, the private floor and the ground
    floor. None of them may import journal or peer, however lazily."""
    graph = project_graph()
    lower = [m for m in graph if m not in ASSEMBLY and (m.count(".") == 1 or m.split(".")[1] in LOWER_FLOORS)]
    wrong = sorted(
        f"{m} imports {t}" for m in lower for t in graph[m] if t.split(".")[1:2] and t.split(".")[1] in PRIVATE
    )
    assert wrong == []


def test_no_app_imports_the_assembly():
    """The WSGI entry, the URL configuration and the CLI put the house together from its apps; an
    app that imported one of them would point up at the roof (``serve`` once imported the WSGI
    module: its steps now live in ``web/serving.py``, which both call)."""
    graph = project_graph()
    roof = ASSEMBLY - {"commonground", "commonground.settings"}
    wrong = sorted(
        f"{m} imports {t}" for m, targets in graph.items() if m not in ASSEMBLY for t in targets if t in roof
    )
    assert wrong == []
