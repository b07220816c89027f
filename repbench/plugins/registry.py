"""One registry for tasks, methods, studies and commands (timm's `register_model`, DomainBed's single algorithm
table).

Plugins register themselves with `@register_task` / `@register_method` / `@register_study` /
`@register_command` when their module is imported. `discover()` imports the plugin modules of the suite's two
trees, `benchmarks/` and `methods/`: the files at the top of a tree (drop-in plugins), the files directly
inside each family folder, and the files of a family's `studies/` folder (each study's declaration sits at
the top of its file; what it computes with loads when it runs). A family's other sub-packages (its
simulator, data loaders) are libraries that plugins import when a cell runs, so listing plugins never loads
a simulator. A family folder may name the packages it needs in `REQUIRES` (its `__init__.py`); when one is
missing, the family is listed as unavailable with the install command and its plugins are not imported.
Then come the entry-point groups `repbench.tasks`, `repbench.methods`, `repbench.studies`,
`repbench.commands`, and the files or folders on `REPBENCH_PLUGIN_PATH`. A module that fails to import is
recorded as unavailable with its error instead of breaking the listing.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pkgutil
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TypeVar

from repbench.plugins.base import Component, Method, Task
from repbench.plugins.params import did_you_mean

PLUGIN_PACKAGES = ("repbench.benchmarks", "repbench.methods")
ENTRY_POINT_GROUPS = {"task": "repbench.tasks", "method": "repbench.methods", "study": "repbench.studies",
                      "command": "repbench.commands"}
PLUGIN_PATH_ENV = "REPBENCH_PLUGIN_PATH"
STUDIES_FOLDER = "studies"  # a family's sub-package whose modules are study plugins

C = TypeVar("C", bound=type)
T = TypeVar("T")


class RegistryError(LookupError):
    """An unknown, duplicate or unavailable plugin name."""


@dataclass(frozen=True)
class Unavailable:
    """A plugin source that could not be loaded, kept so `repbench list` can show why."""

    name: str
    origin: str
    error: str


@dataclass
class Registry:
    tasks: dict[str, type[Task]] = field(default_factory=dict)
    methods: dict[str, type[Method]] = field(default_factory=dict)
    unavailable: dict[str, Unavailable] = field(default_factory=dict)
    studies: dict[str, type] = field(default_factory=dict)  # name -> repbench.studies.Study subclass
    commands: dict[str, dict[str, object]] = field(default_factory=dict)  # CLI group -> name -> click command
    _loaded: set[str] = field(default_factory=set)

    def table(self, role: str) -> dict[str, type]:
        """The classes of one role: "task", "method" or "study" (a repbench.studies.Study subclass)."""
        tables = {"task": self.tasks, "method": self.methods, "study": self.studies}
        if role not in tables:
            raise ValueError(f"role must be 'task', 'method' or 'study', not {role!r}")
        return tables[role]  # type: ignore[return-value]

    def add(self, role: str, cls: type) -> None:
        table = self.table(role)
        old = table.get(cls.name)
        if old is not None and _origin(old) != _origin(cls):
            raise RegistryError(
                f"duplicate {role} name {cls.name!r}: defined by {_origin(old)} and by {_origin(cls)}; "
                "rename one of them"
            )
        cls.check_declaration()
        table[cls.name] = cls

    def get(self, role: str, name: str) -> type[Component]:
        table = self.table(role)
        if name in table:
            return table[name]
        hint = did_you_mean(name, list(table))
        broken = ""
        if self.unavailable:
            listed = "; ".join(f"{u.name}: {u.error.splitlines()[-1]}" for u in self.unavailable.values())
            broken = f" Some plugins failed to import ({listed})."
        plural = "studies" if role == "study" else f"{role}s"
        raise RegistryError(
            f"unknown {role} {name!r}.{hint} Known {plural}: {', '.join(sorted(table)) or 'none'}.{broken}"
            f" See `repbench list {plural}`."
        )

    def get_task(self, name: str) -> type[Task]:
        return self.get("task", name)  # type: ignore[return-value]

    def get_method(self, name: str) -> type[Method]:
        return self.get("method", name)  # type: ignore[return-value]


REGISTRY = Registry()


def _origin(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _register(role: str, name_or_cls: str | C | None) -> Callable[[C], C] | C:
    def decorate(cls: C, name: str | None = None) -> C:
        if name:
            cls.name = name
        if not cls.name:
            raise TypeError(f"{_origin(cls)} needs a `name` to be registered as a {role}")
        REGISTRY.add(role, cls)
        return cls

    if isinstance(name_or_cls, type):
        return decorate(name_or_cls)
    return lambda cls: decorate(cls, name_or_cls)


def register_task(name_or_cls: str | C | None = None) -> Callable[[C], C] | C:
    """Class decorator: `@register_task("digits")` or `@register_task` (uses the class's `name`)."""
    return _register("task", name_or_cls)


def register_method(name_or_cls: str | C | None = None) -> Callable[[C], C] | C:
    """Class decorator: `@register_method("mlp")` or `@register_method` (uses the class's `name`)."""
    return _register("method", name_or_cls)


def register_study(name_or_cls: str | C | None = None) -> Callable[[C], C] | C:
    """Class decorator for a repbench.studies.Study: `@register_study("depth")` or `@register_study`."""
    return _register("study", name_or_cls)


def register_command(group: str) -> Callable[[T], T]:
    """Decorator for a click command that a plugin family adds under `repbench GROUP` (e.g. `repbench data
    simulate`), so the core CLI stays free of any one paper's options."""

    def decorate(command: T) -> T:
        name = getattr(command, "name", None)
        if not name:
            raise TypeError(f"{command!r} is not a click command")
        old = REGISTRY.commands.setdefault(group, {}).get(name)
        if old is not None and getattr(old, "callback", None) is not getattr(command, "callback", None):
            raise RegistryError(f"duplicate command `repbench {group} {name}`")
        REGISTRY.commands[group][name] = command
        return command

    return decorate


def _try(name: str, origin: str, load: Callable[[], object]) -> object | None:
    try:
        return load()
    except Exception as err:  # noqa: BLE001 - any plugin failure becomes an 'unavailable' entry
        text = "".join(traceback.format_exception_only(type(err), err)).strip()
        REGISTRY.unavailable[name] = Unavailable(name, origin, text)
        return None


def _skipped(leaf: str) -> bool:
    """pytest modules beside the plugins are benchmarks to run, private modules are helpers."""
    return leaf.startswith(("_", "test_")) or leaf == "conftest"


def _findable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missing_requirements(package: str) -> list[str]:
    """The modules a family's `REQUIRES` names that cannot be imported here (checked without importing them)."""
    family = importlib.import_module(package)
    return [name for name in getattr(family, "REQUIRES", ()) if not _findable(name)]


def _walk(package: str) -> Iterable[str]:
    """The plugin modules of one tree: its top-level modules and each available family's own modules."""
    tree = importlib.import_module(package)
    for info in pkgutil.iter_modules(tree.__path__, prefix=f"{package}."):
        if _skipped(info.name.rsplit(".", 1)[-1]):
            continue
        if not info.ispkg:
            yield info.name
            continue
        missing = _try(info.name, "suite family", lambda f=info.name: missing_requirements(f))
        if missing:
            REGISTRY.unavailable[info.name] = Unavailable(
                info.name, "suite family",
                f"needs {', '.join(missing)}: install it with `pip install {' '.join(missing)}` "
                "(or reinstall repbench, whose default install includes every family)",
            )
            continue
        family = importlib.import_module(info.name)
        for module in pkgutil.iter_modules(family.__path__, prefix=f"{info.name}."):
            leaf = module.name.rsplit(".", 1)[-1]
            if not module.ispkg and not _skipped(leaf):
                yield module.name
            elif module.ispkg and leaf == STUDIES_FOLDER:
                studies = importlib.import_module(module.name)
                yield from (m.name for m in pkgutil.iter_modules(studies.__path__, prefix=f"{module.name}.")
                            if not m.ispkg and not _skipped(m.name.rsplit(".", 1)[-1]))


def _load_file(path: Path) -> None:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:8]
    name = f"repbench_external.{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def plugin_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = Path(entry).expanduser()
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.py") if not p.name.startswith(("_", "test_"))))
        else:
            files.append(path)
    return files


def env_plugin_paths() -> list[str]:
    """The entries of REPBENCH_PLUGIN_PATH (os.pathsep-separated)."""
    return [p for p in os.environ.get(PLUGIN_PATH_ENV, "").split(os.pathsep) if p]


def discover(extra_paths: Iterable[str | Path] = ()) -> Registry:
    """Import every plugin source once; later calls only load sources not seen before."""
    for package in PLUGIN_PACKAGES:
        modules = _try(package, "suite package", lambda p=package: list(_walk(p))) or []
        for module in modules:
            if module not in REGISTRY._loaded:
                REGISTRY._loaded.add(module)
                _try(module, "suite plugin", lambda m=module: importlib.import_module(m))

    for role, group in ENTRY_POINT_GROUPS.items():
        for ep in entry_points(group=group):
            key = f"entry-point:{group}:{ep.name}"
            if key in REGISTRY._loaded:
                continue
            REGISTRY._loaded.add(key)
            dist = getattr(ep.dist, "name", "?")
            obj = _try(ep.name, f"entry point {ep.value} in {group} ({dist})", ep.load)
            plugin_class = isinstance(obj, type) and (issubclass(obj, Component) or role == "study")
            if role != "command" and plugin_class and getattr(obj, "name", "") and obj.name not in REGISTRY.table(role):
                _try(ep.name, f"entry point {ep.value}", lambda o=obj, r=role: REGISTRY.add(r, o))

    for path in plugin_files([*env_plugin_paths(), *extra_paths]):
        key = f"file:{path.resolve()}"
        if key not in REGISTRY._loaded:
            REGISTRY._loaded.add(key)
            if not path.exists():
                REGISTRY.unavailable[str(path)] = Unavailable(
                    str(path), "plugin path", f"FileNotFoundError: no such plugin file or folder {path}"
                )
                continue
            _try(str(path), "plugin path", lambda p=path: _load_file(p))
    return REGISTRY
