"""The shape of the code: domain packages with one public face each, imports that point one
way, and entry points that do not pay for heavy libraries they may never use."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "app" / "services"
PACKAGES = sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists())
LAYERS = ["core", "models", "schemas", "services", "deps", "routers", "main"]


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every ``from app... import`` and ``import app...`` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.startswith("app")]
    return found


def _package_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[2] if parts[:2] == ("app", "services") and len(parts) > 3 else None


def _app_files() -> list[Path]:
    return sorted((ROOT / "app").rglob("*.py")) + sorted((ROOT / "bench").rglob("*.py"))


def test_services_folder_holds_only_domain_packages() -> None:
    loose = sorted(p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py")
    assert loose == []
    assert PACKAGES == [
        "accounts",
        "agenda",
        "cohorts",
        "library",
        "links",
        "mail",
        "matching",
        "ops",
        "overview",
        "plans",
        "printing",
        "privacy",
        "roster",
        "tablet",
        "workbooks",
    ]


def test_no_package_internals_are_imported_from_outside_the_package() -> None:
    offences = []
    for path in _app_files():
        home = _package_of(path)
        for line, module, _ in _imports(path):
            parts = module.split(".")
            if parts[:2] == ["app", "services"] and len(parts) > 3 and parts[2] != home:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offences == []


def test_every_public_name_of_a_package_is_listed_in_its_all() -> None:
    for name in PACKAGES:
        init = SERVICES / name / "__init__.py"
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{name}/__init__.py says what the package owns"
        imported = {
            a.asname or a.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith(f"app.services.{name}.")
            for a in node.names
        }
        listed = next(
            {ast.literal_eval(e) for e in node.value.elts}  # type: ignore[attr-defined]
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
        )
        assert imported <= listed, f"{name}: not in __all__: {sorted(imported - listed)}"


def test_packages_depend_on_each_other_without_a_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in SERVICES.rglob("*.py"):
        home = _package_of(path)
        for _, module, names in _imports(path):
            parts = module.split(".")
            if parts[:2] != ["app", "services"]:
                continue
            targets = [parts[2]] if len(parts) > 2 else [n for n in names if n in PACKAGES]
            graph[home or ""].update(t for t in targets if t != home)
    order: list[str] = []
    visiting: list[str] = []

    def visit(node: str) -> None:
        if node in order:
            return
        assert node not in visiting, f"import cycle between packages: {[*visiting, node]}"
        visiting.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        visiting.pop()
        order.append(node)

    for package in PACKAGES:
        visit(package)


def test_imports_point_one_way_through_the_layers() -> None:
    offences = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        layer = parts[1] if len(parts) > 1 else parts[0]
        if layer not in LAYERS:
            continue
        for line, module, _ in _imports(path):
            target = module.split(".")[1] if "." in module else module
            if target in LAYERS and LAYERS.index(target) > LAYERS.index(layer):
                offences.append(f"{path.relative_to(ROOT)}:{line} ({layer}) imports {module}")
    assert offences == []


@pytest.mark.parametrize("module", ["app.cli", "app.main"])
def test_entry_points_do_not_import_heavy_libraries(module: str) -> None:
    heavy = [
        "ortools",
        "weasyprint",
        "pandas",
        "pypdf",
        "segno",
        "icalendar",
        "procrastinate",
        "aiosmtpd",
    ]
    probe = f"import sys, {module}; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""
