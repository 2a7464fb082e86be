"""The dependency groups of pyproject.toml and the lock files in requirements/ (#16).

Shared by test_service_dependencies.py (each service's imports against its group) and
test_lock_files.py (each lock file against the groups it locks).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[3]
PYPROJECT = ROOT / "pyproject.toml"
REQUIREMENTS = ROOT / "requirements"
SERVICE_GROUPS = ("drafting", "review", "publisher", "feedback", "reporting", "gateway", "audience")

# Which groups each lock file holds (besides the core, project.dependencies); the Makefile's
# lock-files target makes them with these extras.
LOCKS: dict[str, tuple[str, ...]] = {
    "dev": (*SERVICE_GROUPS, "demo", "dev"),
    "all": SERVICE_GROUPS,
    **{service: (service,) for service in SERVICE_GROUPS},
}


@cache
def pyproject() -> dict[str, object]:
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)


def _project() -> dict[str, object]:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    return project


def core() -> list[Requirement]:
    """project.dependencies: what every service needs."""
    return [Requirement(r) for r in _project()["dependencies"]]  # type: ignore[attr-defined]


def groups() -> dict[str, list[Requirement]]:
    """project.optional-dependencies, by group."""
    table = _project()["optional-dependencies"]
    assert isinstance(table, dict)
    return {name: [Requirement(r) for r in reqs] for name, reqs in table.items()}


def applies(requirement: Requirement, extra: str = "") -> bool:
    """Whether the requirement's marker holds here (this Python, this platform)."""
    return requirement.marker is None or requirement.marker.evaluate({"extra": extra})


def declared(*group_names: str) -> list[Requirement]:
    """The core and the named groups' requirements that apply on this platform."""
    table = groups()
    requirements = list(core())
    for name in group_names:
        requirements.extend(table[name])
    return [r for r in requirements if applies(r)]


def declared_names(*group_names: str) -> set[str]:
    return {canonicalize_name(r.name) for r in declared(*group_names)}


# -- lock files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Pin:
    name: str  # canonical
    version: str
    hashes: tuple[str, ...]
    requirement: Requirement


_HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")


def parse_lock(text: str) -> dict[str, Pin]:
    """A pip-compile output: one `name==version [; marker]` line with its --hash options."""
    pins: dict[str, Pin] = {}
    logical = re.sub(r"\\\n", " ", text)
    for raw in logical.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("-"), f"unexpected option in a lock file: {line}"
        hashes = tuple(_HASH.findall(line))
        spec = _HASH.sub("", line).strip()
        requirement = Requirement(spec)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1, f"not pinned: {spec}"
        assert specifiers[0].operator == "==", f"not pinned with ==: {spec}"
        name = canonicalize_name(requirement.name)
        assert name not in pins, f"{name} pinned twice"
        pins[name] = Pin(name, specifiers[0].version, hashes, requirement)
    return pins


def lock_path(lock: str) -> Path:
    return REQUIREMENTS / f"{lock}.txt"


@cache
def lock(lock_name: str) -> dict[str, Pin]:
    return parse_lock(lock_path(lock_name).read_text(encoding="utf-8"))
