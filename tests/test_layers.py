"""The layering of DESIGN.md, held by reading every module's imports.

Imports go down this order, never up, and apps on one step are peers that do not import
each other::

    core ← accounts ← audit, notify ← approvals ← seedconfig, flags ← oncall ← incidents
    ← support, warroom ← reconcile ← dashboard

Every ``import``/``from ... import`` under ``apps/`` counts, at module level or inside a
function (a lazy import is still a dependency), and so does ``import_module("apps.x...")``
with a literal name. Relative imports are resolved against the module's package. An app
that is not in the order fails too, so a new app has to be placed before it can grow.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APPS_ROOT = Path(__file__).resolve().parent.parent / "apps"

# DESIGN.md's order, lowest first; apps not written yet are here so the test keeps
# holding when they arrive.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("accounts",),
    ("audit", "notify"),
    ("approvals",),
    ("seedconfig", "flags"),
    ("oncall",),
    ("incidents",),
    ("support", "warroom"),
    ("reconcile",),
    ("dashboard",),
)
LAYER_OF: dict[str, int] = {app: step for step, apps in enumerate(LAYERS) for app in apps}

# Known violations that another change removes, as (importing app, imported app). Keep it
# empty of anything else: a new entry needs a reason and the change that will remove it.
PENDING: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    imported: str
    module: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.importer} imports {self.module} "
            f"({self.imported} is {_relation(self.importer, self.imported)})"
        )


def _relation(importer: str, imported: str) -> str:
    if imported not in LAYER_OF:
        return "not in DESIGN.md's order"
    if LAYER_OF[imported] == LAYER_OF[importer]:
        return "a peer"
    return "above it"


def _module_name(root: Path, path: Path) -> list[str]:
    """``apps/flags/services/states.py`` → ``["apps", "flags", "services", "states"]``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return parts


def _imported_modules(tree: ast.AST, module: list[str], is_package: bool) -> list[tuple[int, str]]:
    """Every absolute module name the tree imports, with its line."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                name = ".".join([*base, *([node.module] if node.module else [])])
                # ``from . import x`` in apps/<app>/__init__.py may name a sibling module.
                found.extend((node.lineno, f"{name}.{alias.name}") for alias in node.names)
                found.append((node.lineno, name))
            elif node.module:
                found.append((node.lineno, node.module))
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.lineno, node.args[0].value))
    return found


def layer_violations(root: Path = APPS_ROOT, pending=PENDING) -> list[Violation]:
    """Imports under ``root`` (an ``apps`` folder) that go up or sideways in the order."""
    violations: set[Violation] = set()
    for path in sorted(root.rglob("*.py")):
        module = _module_name(root, path)
        if len(module) < 2:
            continue
        importer = module[1]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, name in _imported_modules(tree, module, path.name == "__init__.py"):
            parts = name.split(".")
            if len(parts) < 2 or parts[0] != "apps" or parts[1] == importer:
                continue
            imported = parts[1]
            allowed = (
                importer in LAYER_OF
                and imported in LAYER_OF
                and LAYER_OF[imported] < LAYER_OF[importer]
            )
            if allowed or (importer, imported) in pending:
                continue
            violations.add(
                Violation(
                    path=str(path.relative_to(root.parent)),
                    line=line,
                    importer=importer,
                    imported=imported,
                    module=".".join(parts[:2]),
                )
            )
    return sorted(violations, key=lambda v: (v.path, v.line, v.module))


def test_layers__every_app_imports_only_apps_below_it():
    violations = layer_violations()
    assert not violations, "Imports against DESIGN.md's order:\n" + "\n".join(map(str, violations))


def test_layers__every_app_is_placed_in_the_order():
    apps = {p.parent.name for p in APPS_ROOT.glob("*/__init__.py")}
    assert apps - set(LAYER_OF) == set()


def test_layers__pending_allowlist_names_only_real_violations():
    """An entry whose violation is gone must leave the list, so it cannot hide a new one."""
    still_needed = {(v.importer, v.imported) for v in layer_violations(pending=frozenset())}
    assert PENDING <= still_needed


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_layers__upward_peer_lazy_and_relative_imports__are_reported(tmp_path):
    root = tmp_path / "apps"
    _write(root, "__init__.py", "")
    _write(root, "flags/__init__.py", "")
    _write(root, "flags/ok.py", "from apps.approvals.services import x\nimport apps.core.demo\n")
    _write(root, "flags/up.py", "from apps.incidents.models import Incident\n")
    _write(root, "flags/peer.py", "def f():\n    import apps.seedconfig.demo\n")
    _write(root, "flags/sub/__init__.py", "")
    _write(root, "flags/sub/rel.py", "from ...warroom import selectors\n")
    _write(
        root,
        "flags/dyn.py",
        "from importlib import import_module\nimport_module('apps.dashboard.views')\n",
    )
    _write(root, "oncall/__init__.py", "from apps.flags import fastpath\n")
    _write(root, "stray/__init__.py", "from apps.core import demo\n")

    found = {(v.path, v.line, v.importer, v.imported) for v in layer_violations(root)}

    assert found == {
        ("apps/flags/up.py", 1, "flags", "incidents"),
        ("apps/flags/peer.py", 2, "flags", "seedconfig"),
        ("apps/flags/sub/rel.py", 1, "flags", "warroom"),
        ("apps/flags/dyn.py", 2, "flags", "dashboard"),
        ("apps/stray/__init__.py", 1, "stray", "core"),
    }


def test_layers__pending_entry__silences_only_its_pair(tmp_path):
    root = tmp_path / "apps"
    _write(
        root, "warroom/__init__.py", "from apps.reconcile import x\nfrom apps.support import y\n"
    )

    found = layer_violations(root, pending=frozenset({("warroom", "reconcile")}))

    assert [(v.importer, v.imported) for v in found] == [("warroom", "support")]
