"""Conventions as checks (in the spirit of Zulip's custom_check): each rule is a function
over source text, shown with good and bad lines, then run over the whole tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

from trygg.core import audit

TRYGG = Path(__file__).resolve().parents[2]
QUERY_METHODS = {
    "all",
    "annotate",
    "exclude",
    "filter",
    "order_by",
    "prefetch_related",
    "select_for_update",
    "select_related",
    "using",
}
MANAGERS = {"objects", "_base_manager", "_default_manager"}


def _queryset_root(node: ast.expr) -> tuple[bool, str | None]:
    """(is this a queryset chain?, the model's name at its root if it can be read)."""
    is_query = False
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr not in QUERY_METHODS:
                return is_query, None
            is_query = True
            node = node.func.value
        elif isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            is_query = True
            node = node.value
        elif isinstance(node, ast.Name):
            return is_query, node.id
        else:
            return is_query, None


def bare_updates(source: str, audited: set[str]) -> list[int]:
    """Lines with ``<queryset>.update(...)`` on an audited model (or one whose model can't
    be read, such as ``type(obj).objects``) — they bypass the audit log; use
    ``trygg.core.audit.update(queryset, **values)``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
        ):
            continue
        is_query, model = _queryset_root(node.func.value)
        if is_query and (model is None or model in audited):
            lines.append(node.lineno)
    return lines


AUDITED_EXAMPLE = {"Walk", "Case"}


@pytest.mark.parametrize(
    "line",
    [
        "Walk.objects.filter(pk=1).update(status='walked')",
        "Case.objects.update(state='new')",
        "type(case).objects.filter(pk=case.pk).update(deadline=day)",
        "Walk._base_manager.filter(pk=1).exclude(status='x').update(status='walked')",
    ],
)
def test_bad_lines_are_found(line):
    assert bare_updates(line, AUDITED_EXAMPLE) == [1]


@pytest.mark.parametrize(
    "line",
    [
        "audit.update(Walk.objects.filter(pk=1), status='walked')",
        "ImportJob.objects.filter(pk=1).update(rows_done=10)",  # not an audited model
        "self.initial.update(plan=plan)",  # a dict
        "counts.update(observed)",  # a Counter
    ],
)
def test_good_lines_pass(line):
    assert bare_updates(line, AUDITED_EXAMPLE) == []


def _sources():
    for path in sorted(TRYGG.rglob("*.py")):
        parts = path.relative_to(TRYGG).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_bare_queryset_update_on_an_audited_model():
    audited = {model.__name__ for model in apps.get_models() if audit.is_registered(model)}
    assert {"Case", "Walk", "Observation"} <= audited
    found = []
    for path in _sources():
        if path == TRYGG / "core" / "audit.py":
            continue
        for line in bare_updates(path.read_text(encoding="utf-8"), audited):
            found.append(f"{path.relative_to(TRYGG.parent)}:{line}")
    assert not found, (
        "QuerySet.update() on an audited model bypasses the audit log; use "
        "trygg.core.audit.update(queryset, **values) instead: " + ", ".join(found)
    )


def lazy_trygg_imports(source: str) -> list[int]:
    """Lines importing a Trygg module inside a function, other than an app's ``ready()``
    (where Django wants them) or with a comment on that line or the one above saying why:
    a function-level import hides an import cycle or an upward dependency."""
    lines = source.splitlines()
    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name == "ready":
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
            elif isinstance(node, ast.Import):
                module = node.names[0].name
            else:
                continue
            if not module.startswith("trygg"):
                continue
            here, above = lines[node.lineno - 1], lines[node.lineno - 2]
            if "#" not in here and not above.strip().startswith("#"):
                found.append(node.lineno)
    return found


def test_lazy_import_examples():
    bad = "def f():\n    from trygg.cases import services\n    return services\n"
    assert lazy_trygg_imports(bad) == [2]
    commented = "def f():\n    # optional: plan may be absent\n    import trygg.plan\n"
    assert lazy_trygg_imports(commented) == []
    ready = "class C:\n    def ready(self):\n        from trygg.core import audit\n"
    assert lazy_trygg_imports(ready) == []
    assert lazy_trygg_imports("from trygg.core import audit\n") == []


def test_no_function_level_import_of_a_trygg_module():
    found = [
        f"{path.relative_to(TRYGG.parent)}:{line}"
        for path in _sources()
        for line in lazy_trygg_imports(path.read_text(encoding="utf-8"))
    ]
    assert not found, "import Trygg modules at the top of the module: " + ", ".join(found)


WRITES = {"save", "create", "delete", "get_or_create", "update_or_create", "bulk_create", "set"}


def writes_in_view(source: str) -> list[int]:
    """Lines of a views.py / api.py that write to the database themselves: ``.save()``,
    ``.create()``, ``.delete()``, ``get_or_create``, a many-to-many ``.set()``, a queryset's
    ``.update()``. Views parse, call a service, render; the service writes."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name in WRITES or (name == "update" and _queryset_root(node.func.value)[0]):
            found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "line",
    [
        "form.save()",
        "walk = form.save(commit=False)",
        "Action.objects.create(meeting=m)",
        "m.attendees.set(people)",
        "pledge.follow_ups.update_or_create(half=1)",
        "Case.objects.filter(pk=1).update(state='new')",
        "notice.delete()",
    ],
)
def test_writes_in_views_are_found(line):
    assert writes_in_view(line) == [1]


@pytest.mark.parametrize(
    "line",
    [
        "services.create_case(municipality, category=c)",
        "initial.update(plan=plan)",
        "editing.update_measure(principal, form.instance)",
        "records.relations(form)",
    ],
)
def test_service_calls_in_views_pass(line):
    assert writes_in_view(line) == []


def test_views_and_apis_write_only_through_services():
    found = [
        f"{path.relative_to(TRYGG.parent)}:{line}"
        for path in _sources()
        if path.name in {"views.py", "api.py"}
        for line in writes_in_view(path.read_text(encoding="utf-8"))
    ]
    assert not found, "a view or API writes itself; move the write into a service: " + ", ".join(
        found
    )
