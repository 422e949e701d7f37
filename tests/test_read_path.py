"""One read path: pages and API views read through selectors, never a model manager.

A selector (``apps/<app>/selectors``) narrows what it reads to what the caller may see
(``apps.accounts.policy.restrict``); a view that reads ``Model.objects`` itself is a second
path that skips it. This test reads every view module (``apps/*/views*.py``,
``apps/*/views/``, ``apps/*/api/``) and fails on:

- ``<anything>.objects`` (``Team.objects.filter(...)``, ``get_user_model().objects``);
- ``get_object_or_404(Model, ...)`` / ``get_list_or_404(Model, ...)`` with a class name
  (CamelCase) as the first argument instead of a selector's queryset.

Not counted, by rule: ``Model.objects.none()`` (reads nothing: the empty queryset API views
declare for the schema) and a ``queryset=`` argument of a serializer field (it resolves an
id the caller sent, and the service then checks what may be done with the row; narrowing it
to what the caller may see would change a 403 into a 400 for rows they may name).
Anything else goes in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

APPS_ROOT = Path(__file__).resolve().parent.parent / "apps"

# (path under the repository, enclosing function or class) -> why it may read a manager.
ALLOWED: dict[tuple[str, str], str] = {
    # The idempotency store of every API write: the request's own replay record, keyed by
    # the caller and the key they sent; it is the API's machinery, not data shown to anyone.
    ("apps/core/api/idempotency.py", "_wrap.wrapper"): "idempotency store",
    # Serializer fields resolving a person id the caller sent (then checked by the service);
    # like a ``queryset=`` field, restricting them would change 403s into 400s.
    ("apps/oncall/api/serializers.py", "PersonField.get_queryset"): "input id lookup",
    ("apps/warroom/api/serializers/launch.py", "TaskOwnerField.to_internal_value"): (
        "input id lookup"
    ),
}


@dataclass(frozen=True)
class DirectRead:
    path: str
    line: int
    where: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.where or '<module>'}: {self.code}"


def view_modules(root: Path = APPS_ROOT) -> list[Path]:
    found: set[Path] = set()
    for app in root.iterdir():
        if not (app / "__init__.py").exists():
            continue
        found.update(app.glob("views*.py"))
        for layer in ("views", "api"):
            if (app / layer).is_dir():
                found.update((app / layer).rglob("*.py"))
    return sorted(found)


def _is_class_name(node: ast.AST) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return bool(name) and name[0].isupper() and not name.isupper()


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []
        self.exempt: set[int] = set()  # ids of nodes a rule lets through

    def _enter(self, node) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        # Model.objects.none(): reads nothing.
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "none"
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
        ):
            self.exempt.add(id(func.value))
        # A serializer field's queryset= argument: resolves an id the caller sent.
        for keyword in node.keywords:
            if keyword.arg == "queryset":
                for inner in ast.walk(keyword.value):
                    self.exempt.add(id(inner))
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("get_object_or_404", "get_list_or_404") and node.args:
            if _is_class_name(node.args[0]):
                self.found.append((node.lineno, ".".join(self.scope), ast.unparse(node)))
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "objects" and id(node) not in self.exempt:
            self.found.append((node.lineno, ".".join(self.scope), ast.unparse(node)))
        self.generic_visit(node)


def direct_reads(root: Path = APPS_ROOT, allowed=None) -> list[DirectRead]:
    """Reads of a model manager in the view modules under ``root`` (an ``apps`` folder)."""
    allowed = ALLOWED if allowed is None else allowed
    reads = []
    for path in view_modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        scanner = _Scanner()
        scanner.visit(tree)
        relative = path.relative_to(root.parent).as_posix()
        for line, where, code in scanner.found:
            if (relative, where) not in allowed:
                reads.append(DirectRead(relative, line, where, code))
    return sorted(reads, key=lambda r: (r.path, r.line))


def test_read_path__views_read_only_through_selectors():
    reads = direct_reads()
    assert not reads, "Views reading a model manager (use a selector):\n" + "\n".join(
        map(str, reads)
    )


def test_read_path__allowlist_names_only_real_reads():
    """An entry whose read is gone must leave the list, so it cannot hide a new one."""
    needed = {(r.path, r.where) for r in direct_reads(allowed={})}
    assert set(ALLOWED) - needed == set()


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_read_path__fails_on_an_inserted_direct_read(tmp_path):
    """A temporary app whose views read a manager is caught; the same reads through a
    selector, an empty schema queryset and a field's ``queryset=`` are not."""
    root = tmp_path / "apps"
    _write(root, "__init__.py", "")
    _write(root, "shop/__init__.py", "")
    _write(
        root,
        "shop/views.py",
        "from django.shortcuts import get_object_or_404\n"
        "from apps.shop import selectors\n"
        "from apps.shop.models import Order\n"
        "def order_list(request):\n"
        "    return Order.objects.filter(open=True)\n"
        "def order_detail(request, pk):\n"
        "    return get_object_or_404(Order, pk=pk)\n"
        "def order_ok(request, pk):\n"
        "    return get_object_or_404(selectors.order_list(user=request.user), pk=pk)\n",
    )
    _write(root, "shop/api/__init__.py", "")
    _write(
        root,
        "shop/api/views.py",
        "from apps.shop.models import Order\n"
        "class OrderListView:\n"
        "    queryset = Order.objects.none()\n"
        "    def get(self, request):\n"
        "        return get_user_model().objects.all()\n",
    )
    _write(
        root,
        "shop/api/serializers.py",
        "from rest_framework import serializers\n"
        "from apps.shop.models import Order\n"
        "class PickSerializer(serializers.Serializer):\n"
        "    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())\n",
    )
    # Not a view module: selectors read managers; that is their job.
    _write(root, "shop/selectors.py", "from apps.shop.models import Order\nX = Order.objects\n")

    reads = direct_reads(root, allowed={})
    assert [(r.path, r.line, r.where) for r in reads] == [
        ("apps/shop/api/views.py", 5, "OrderListView.get"),
        ("apps/shop/views.py", 5, "order_list"),
        ("apps/shop/views.py", 7, "order_detail"),
    ]
    assert direct_reads(root, allowed={("apps/shop/views.py", "order_list"): "why"}) == [
        r for r in reads if r.where != "order_list"
    ]
