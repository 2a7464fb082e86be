"""Each service's imports are covered by its dependency group (#16).

A service's image installs the core (project.dependencies) and its own group
(project.optional-dependencies.<service>) and nothing else, so every third-party module
that the service's code imports, directly or through the shared modules it reaches, must
come from a distribution named there. The import graph is grimp's (the one lint-imports
checks), without TYPE_CHECKING imports; importing a module runs its parent packages'
__init__ too, so those count as imported. Names map to distributions through
importlib.metadata.packages_distributions() (the .venv has every group installed).

The demo is checked against core + demo, the tests and benchmarks (which run in .venv
only) against every group.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import grimp
import pytest
from packaging.utils import canonicalize_name
from packaging_support import LOCKS, ROOT, SERVICE_GROUPS, declared_names, groups

FIRST_PARTY = ("shared", "services", "demo")


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        *FIRST_PARTY, include_external_packages=True, exclude_type_checking_imports=True
    )


def _is_first_party(module: str) -> bool:
    return module.split(".")[0] in FIRST_PARTY


def reached(package: str) -> set[str]:
    """Every first-party module loaded when any module of `package` is imported."""
    graph = _graph()
    todo = [m for m in graph.modules if m == package or m.startswith(f"{package}.")]
    assert todo, f"no module under {package}"
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen or not _is_first_party(module):
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        todo.extend(graph.find_modules_directly_imported_by(module))
    return seen


def third_party_imports(modules: Iterable[str]) -> dict[str, str]:
    """Top-level third-party names imported by the modules: name -> one importer."""
    graph = _graph()
    found: dict[str, str] = {}
    for module in sorted(modules):
        for imported in graph.find_modules_directly_imported_by(module):
            top = imported.split(".")[0]
            if _is_first_party(top) or top in sys.stdlib_module_names:
                continue
            found.setdefault(top, module)
    return found


@cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def uncovered(imports: dict[str, str], allowed: set[str]) -> list[str]:
    """One line per imported name that no allowed distribution provides."""
    problems = []
    for name, importer in sorted(imports.items()):
        dists = _distributions().get(name)
        if not dists:
            problems.append(f"{name} (imported by {importer}) is provided by no installed package")
            continue
        if not {canonicalize_name(d) for d in dists} & allowed:
            problems.append(f"{name} (imported by {importer}) needs {' or '.join(dists)}")
    return problems


@pytest.mark.parametrize("service", SERVICE_GROUPS)
def test_every_import_of_a_service_is_in_core_or_its_group(service: str) -> None:
    imports = third_party_imports(reached(f"services.{service}"))
    problems = uncovered(imports, declared_names(service))
    assert not problems, (
        f"services.{service} imports what its image would not install; add to "
        f"[project.optional-dependencies] {service} in pyproject.toml (then make lock):\n  "
        + "\n  ".join(problems)
    )


def test_every_import_of_the_demo_is_in_core_or_the_demo_group() -> None:
    problems = uncovered(third_party_imports(reached("demo")), declared_names("demo"))
    assert not problems, "add to the demo group in pyproject.toml:\n  " + "\n  ".join(problems)


def _local_names(directory: Path) -> set[str]:
    names = {p.stem for p in directory.rglob("*.py")}
    names |= {p.name for p in directory.rglob("*") if p.is_dir()}
    return names


def _top_level_imports(directory: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize("directory", ["tests", "bench"])
def test_every_import_of_tests_and_benchmarks_is_in_a_group(directory: str) -> None:
    local = _local_names(ROOT / directory) | set(FIRST_PARTY) | {"tests", "bench"}
    imports = {
        name: where
        for name, where in _top_level_imports(ROOT / directory).items()
        if name not in local and name not in sys.stdlib_module_names
    }
    problems = uncovered(imports, declared_names(*LOCKS["dev"]))
    assert not problems, "add to the dev group in pyproject.toml:\n  " + "\n  ".join(problems)


# -- the check itself --------------------------------------------------------------------
def test_the_heavy_libraries_are_only_where_they_are_imported() -> None:
    """What the groups are for: no scikit-learn, jieba, matplotlib or rich in the core."""
    core = declared_names()
    for heavy in ("scikit-learn", "jieba", "matplotlib", "openpyxl", "python-docx", "rich"):
        assert heavy not in core, heavy
    names = {g: {canonicalize_name(r.name) for r in reqs} for g, reqs in groups().items()}
    owners = {
        name: {g for g, held in names.items() if name in held}
        for name in ("scikit-learn", "jieba", "python-docx", "matplotlib", "openpyxl", "rich")
    }
    assert owners["scikit-learn"] == owners["jieba"] == {"feedback"}
    # the core-issues document and the reports' DOCX (#17)
    assert owners["python-docx"] == {"feedback", "reporting"}
    assert owners["matplotlib"] == owners["openpyxl"] == {"reporting"}
    assert owners["rich"] == {"demo"}


def test_a_service_checked_against_the_core_alone_is_told_what_it_misses() -> None:
    """The check names the missing distribution and the module that imports it."""
    imports = third_party_imports(reached("services.feedback"))
    problems = "\n".join(uncovered(imports, declared_names()))
    assert "needs scikit-learn" in problems
    assert "jieba (imported by services.feedback." in problems
    assert "needs python-docx" in problems
    assert "matplotlib" not in problems, "feedback imports no matplotlib"
    assert uncovered({"no_such_module_x": "services.x"}, declared_names()) == [
        "no_such_module_x (imported by services.x) is provided by no installed package"
    ]


def test_parent_packages_count_as_imported() -> None:
    """Importing services.publisher.channels.wechat runs shared.wechat's __init__ too."""
    modules = reached("services.publisher")
    assert {"shared", "shared.wechat", "services"} <= modules
    assert not any(m.startswith("services.review") for m in modules)
