"""The architecture's rules, as checks that fail: one write path, one access path.

Import-linter (`.importlinter`, run by `make test`) keeps the apps' dependencies pointing one
way. What imports cannot say is checked here:

* Views, admin, forms, URLconfs, template tags and management commands never write to a model
  directly: no `.save()`, `.delete()`, `.create()`, queryset `.update()`, many-to-many
  `.set()/.add()/...` on a domain relation, nor a call of Django admin's own writing methods. They
  call `services`. The scan reads the source (AST), so a new module of that kind in any of our
  apps is checked as soon as it exists.
* Every model admin and inline of the domain writes through the services.
* Every object a URL names is looked up through `access.get_<thing>_for_user`.
* Outside the services, one module may bulk-insert: the synthetic data generator
  (`commitments/sample_data.py`, see its docstring for why), and only with bulk inserts
  (bulk_create, executemany) and raw deletes of its own synthetic groups' rows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory
from simple_history.models import HistoricalChanges

from commitments import services
from commitments.admin.base import WRITES, ReadOnlyInline, ServiceWritesMixin
from commitments.models import (
    FollowUp,
    GroupVersion,
    Snapshot,
    SnapshotRow,
    Tally,
)

ROOT = Path(settings.BASE_DIR)
OUR_APPS = ("commitments", "accounts", "ops", "common", "reports", "readouts")
# Modules that take requests or run commands: they parse, call a service or selector, render.
INTERFACE = ("views", "admin", "forms", "urls", "templatetags", "management")

WRITE_CALLS = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "save_m2m",
    "_raw_delete",
    "executemany",
}
# Django admin's methods that write: only our ServiceWritesMixin may define them, and nobody
# calls the originals through super().
ADMIN_WRITE_HOOKS = {"save_model", "delete_model", "delete_queryset", "save_formset"}
QUERYSET_HINTS = {"objects", "filter", "exclude", "all", "select_for_update", "_default_manager"}
M2M_WRITES = {"set", "add", "remove", "clear"}


def domain_relations() -> set[str]:
    """Names through which a domain row reaches related rows: many-to-many fields and reverse
    accessors (`commitment.lead_agencies`, `meeting.source_documents`, `group.memberships`)."""
    names = set()
    for model in apps.get_app_config("commitments").get_models():
        for field in model._meta.get_fields():
            if field.many_to_many or field.one_to_many:
                names.add(field.name if not field.auto_created else field.get_accessor_name())
    return names


def _chain(node: ast.AST) -> list[str]:
    """The names along an attribute/call chain: `X.objects.filter(...).update` gives
    ["X", "objects", "filter", "update"]."""
    names = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Name):
            names.append(node.id)
            break
        else:
            break
    return list(reversed(names))


def find_direct_writes(source: str, relations: set[str]) -> list[str]:
    """Each call in `source` that writes to a model directly, as "line N: <call>"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method = node.func.attr
        receiver = node.func.value
        chain = _chain(receiver)
        is_super = isinstance(receiver, ast.Call) and _chain(receiver) == ["super"]
        writes = (
            method in WRITE_CALLS
            or (method in ADMIN_WRITE_HOOKS and is_super)
            or (method == "update" and bool(QUERYSET_HINTS & set(chain)))
            or (method in M2M_WRITES and bool(chain) and chain[-1] in relations)
        )
        if writes:
            found.append(f"line {node.lineno}: {ast.unparse(node)[:100]}")
    return found


def interface_modules() -> list[Path]:
    paths = []
    for app in OUR_APPS:
        for kind in INTERFACE:
            base = ROOT / app / kind
            if base.with_suffix(".py").is_file():
                paths.append(base.with_suffix(".py"))
            if base.is_dir():
                paths.extend(sorted(base.rglob("*.py")))
    return paths


def test_it_finds_the_interface_modules_it_must_check():
    names = {str(p.relative_to(ROOT)) for p in interface_modules()}
    for expected in (
        "commitments/views/workspace.py",
        "commitments/views/coordination.py",
        "commitments/forms/coordination.py",
        "commitments/admin/base.py",
        "commitments/admin/commitments.py",
        "commitments/management/commands/load_seeds.py",
        "accounts/views.py",
    ):
        assert expected in names


def test_it_catches_every_kind_of_direct_write():
    """The scan can fail: each of these lines writes to a model without a service."""
    relations = domain_relations()
    offending = """
commitment.save()
commitment.delete()
Commitment.objects.create(title="x")
Commitment.objects.filter(pk=1).update(title="x")
Commitment.objects.bulk_create([])
FollowUp.objects.get_or_create(note="x")
form.save()
formset.save_m2m()
meeting.source_documents.add(document)
commitment.lead_agencies.set([])
super().save_model(request, obj, form, change)
super().delete_queryset(request, queryset)
"""
    found = find_direct_writes(offending, relations)
    assert len(found) == len(offending.strip().splitlines()), found


def test_it_leaves_reads_and_plain_containers_alone():
    harmless = """
context.update(extra)
seen.add(item)
headers.update({"a": 1})
services.commitment_update(commitment=c, expected_version=1)
self.save_formset(request, form, formset, change=change)
writes.call_update(obj, actor=user)
Commitment.objects.filter(pk=1).first()
"""
    assert find_direct_writes(harmless, domain_relations()) == []


@pytest.mark.parametrize(
    "path", interface_modules(), ids=lambda p: str(p.relative_to(ROOT)).replace("/", ".")
)
def test_it_finds_no_direct_write_in_views_admin_forms_or_commands(path):
    found = find_direct_writes(path.read_text(encoding="utf-8"), domain_relations())
    assert not found, (
        f"{path.relative_to(ROOT)} writes to a model directly; call a service instead:\n"
        + "\n".join(found)
    )


# The one sanctioned exception to "writes go through services": synthetic data for benchmarks.
SAMPLE_DATA = ROOT / "commitments" / "sample_data.py"
SAMPLE_DATA_WRITES = {"bulk_create", "_raw_delete", "executemany"}


# Write modules that are not named services: accounts.mfa is the accounts app's one place that
# writes two-step devices (django-otp's models, not the domain's), called by its views;
# commitments.cache raises the groups' versions (GroupVersion only), called by the services.
CACHE = ROOT / "commitments" / "cache.py"
OTHER_WRITE_MODULES = {ROOT / "accounts" / "mfa.py", CACHE}


def test_the_cache_writes_only_the_groups_versions():
    found = find_direct_writes(CACHE.read_text(encoding="utf-8"), domain_relations())
    assert found, "the scan must see the version's writes"
    assert all("versions." in line or "GroupVersion." in line for line in found), found


def non_service_modules() -> list[Path]:
    """Every module of our apps but the services (a package or a module), the other write
    modules and migrations."""
    paths = []
    for app in OUR_APPS:
        for path in sorted((ROOT / app).rglob("*.py")) if (ROOT / app).is_dir() else []:
            parts = path.relative_to(ROOT / app).parts
            written = parts[0] in ("services", "services.py") or path in OTHER_WRITE_MODULES
            if not written and parts[0] != "migrations":
                paths.append(path)
    return paths


# django-simple-history's own write of a history record's many-to-many rows, run inside a
# service's save when the service handed the rows over (models.base.known_relations).
HISTORY = ROOT / "commitments" / "models" / "base.py"


def test_it_allows_bulk_writes_outside_the_services_only_in_the_sample_data_and_history():
    writers = set()
    for path in non_service_modules():
        source = path.read_text(encoding="utf-8")
        found = find_direct_writes(source, domain_relations())
        if any(f".{method}(" in line for line in found for method in SAMPLE_DATA_WRITES):
            writers.add(path)
    assert writers == {SAMPLE_DATA, HISTORY}


def test_the_history_writes_only_the_rows_of_a_history_record():
    (found,) = find_direct_writes(HISTORY.read_text(encoding="utf-8"), domain_relations())
    assert found.endswith("model.objects.bulk_create(rows)"), found


def test_the_sample_data_generator_writes_only_with_bulk_inserts_and_raw_deletes():
    found = find_direct_writes(SAMPLE_DATA.read_text(encoding="utf-8"), domain_relations())
    assert found, "the scan must see the generator's bulk writes"
    others = [line for line in found if not any(f".{m}(" in line for m in SAMPLE_DATA_WRITES)]
    assert others == [], others


# --------------------------------------------------------------------------- the admin


def domain_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "commitments" and not issubclass(model, HistoricalChanges)
    ]


def read_only(model_admin, superuser) -> bool:
    """Nobody, a superuser included, may add, change or delete through this admin."""
    request = RequestFactory().get("/")
    request.user = superuser
    return not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
    )


def test_it_registers_every_domain_model_in_the_admin_with_its_services(admin_user):
    registered = {model for model, _ in domain_admins()}
    domain = {
        m
        for m in apps.get_app_config("commitments").get_models()
        if not issubclass(m, HistoricalChanges)
    }
    assert registered == domain
    read_only_models = {m for m, a in domain_admins() if read_only(a, admin_user)}
    # The log (nobody changes or deletes an entry), the snapshots (immutable), the counts
    # the services keep (models.Tally) and the groups' versions (commitments.cache).
    assert read_only_models == {FollowUp, Snapshot, SnapshotRow, Tally, GroupVersion}
    assert set(WRITES) == domain - read_only_models


@pytest.mark.parametrize("noun", sorted(w.noun for w in WRITES.values()))
def test_it_has_the_services_each_admin_write_calls(noun):
    for verb in ("create", "update", "delete"):
        assert callable(getattr(services, f"{noun}_{verb}")), f"services.{noun}_{verb}"


def test_it_sends_every_admin_write_of_the_domain_through_the_services(admin_user):
    for _model, model_admin in domain_admins():
        cls = type(model_admin)
        if read_only(model_admin, admin_user):
            continue
        assert issubclass(cls, ServiceWritesMixin), f"{cls.__name__} must be a ServiceAdmin"
        for hook in ADMIN_WRITE_HOOKS | {"save_related"}:
            owner = next(k for k in cls.__mro__ if hook in vars(k))
            assert owner.__module__.startswith("commitments.admin"), (
                f"{cls.__name__}.{hook} comes from {owner.__module__}.{owner.__name__}, "
                "which writes to the model directly"
            )
        for inline in model_admin.inlines:
            assert issubclass(inline, ReadOnlyInline) or inline.model in WRITES, (
                f"{cls.__name__}'s inline {inline.__name__} writes rows no service covers"
            )


# --------------------------------------------------------------------------- access


def test_it_looks_up_every_object_a_url_names_through_access():
    """A view gets its objects from `access.get_<thing>_for_user`, never with its own query on
    a domain model."""
    models = {m.__name__ for m in apps.get_app_config("commitments").get_models()}
    for path in interface_modules():
        if path.name != "views.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                chain = _chain(node)
                assert not (chain and chain[0] in models), (
                    f"{path.relative_to(ROOT)} line {node.lineno} queries {chain[0]} itself: "
                    "look objects up with commitments.access"
                )
