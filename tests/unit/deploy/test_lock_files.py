"""The lock files in requirements/ match pyproject.toml (#16).

requirements/dev.txt (what `make install` puts in .venv), all.txt (the image carrying all
five services) and <service>.txt (one service's image) are pip-compile outputs: every
package pinned with == and its hashes. Checked here, offline:
- every requirement of the core and of the lock's groups is pinned, at a version its
  specifier allows (a requirement added or tightened in pyproject.toml without
  `make lock` fails);
- the pins are exactly the dependency closure of those requirements, walked through each
  package's metadata (what .venv has installed from dev.txt): nothing missing, nothing
  left over (a group removed from pyproject.toml still pinned fails, and so would
  scikit-learn in the drafting image);
- every lock agrees with dev.txt on every version, so each image runs what the tests ran.
`make lock-check` regenerates the files from scratch and diffs them (needs the index).
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging_support import (
    LOCKS,
    ROOT,
    SERVICE_GROUPS,
    Pin,
    applies,
    declared,
    groups,
    lock,
    lock_path,
    parse_lock,
)

# pip-compile's --allow-unsafe pins these when something requires them; pip itself also
# comes with every virtualenv.
_ALWAYS_ALLOWED = {"pip", "setuptools"}


def _requires(name: str, version: str) -> list[Requirement]:
    try:
        dist = distribution(name)
    except PackageNotFoundError:
        raise AssertionError(
            f"{name} is locked but not installed in .venv: run make install"
        ) from None
    assert dist.version == version, (
        f"{name}: .venv has {dist.version}, requirements/dev.txt pins {version}: run make install"
    )
    return [Requirement(r) for r in dist.requires or []]


def closure(roots: list[Requirement], pins: dict[str, Pin]) -> tuple[set[str], list[str]]:
    """The packages the roots need, through the locked versions' metadata, and problems."""
    problems: list[str] = []
    needed: set[str] = set()
    done: set[tuple[str, str]] = set()
    todo: list[tuple[Requirement, str]] = [(r, "pyproject.toml") for r in roots]
    while todo:
        requirement, by = todo.pop()
        name = canonicalize_name(requirement.name)
        pin = pins.get(name)
        if pin is None:
            problems.append(f"{name} (required by {by}) is not pinned")
            continue
        if not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{name}=={pin.version} does not satisfy {requirement} ({by})")
        needed.add(name)
        for extra in ("", *sorted(requirement.extras)):
            if (name, extra) in done:
                continue
            done.add((name, extra))
            for sub in _requires(name, pin.version):
                if applies(sub, extra):
                    todo.append((sub, f"{name}[{extra}]" if extra else name))
    return needed, problems


@pytest.mark.parametrize("lock_name", list(LOCKS))
def test_the_lock_pins_exactly_what_its_groups_need(lock_name: str) -> None:
    pins = lock(lock_name)
    roots = declared(*LOCKS[lock_name])
    needed, problems = closure(roots, pins)
    assert not problems, (
        f"requirements/{lock_name}.txt does not match pyproject.toml (run make lock):\n  "
        + "\n  ".join(sorted(set(problems)))
    )
    extra = set(pins) - needed - _ALWAYS_ALLOWED
    assert not extra, f"requirements/{lock_name}.txt pins what nothing needs: {sorted(extra)}"


@pytest.mark.parametrize("lock_name", list(LOCKS))
def test_every_pin_has_hashes_and_matches_dev(lock_name: str) -> None:
    dev = lock("dev")
    for name, pin in lock(lock_name).items():
        assert pin.hashes, f"{lock_name}.txt: {name} has no --hash (pip --require-hashes)"
        assert name in dev, f"{lock_name}.txt pins {name}, which dev.txt does not"
        assert pin.version == dev[name].version, (
            f"{name}: {lock_name}.txt pins {pin.version}, dev.txt {dev[name].version}"
        )
        assert set(pin.hashes) <= set(dev[name].hashes), name


def test_the_lock_files_are_the_groups_the_makefile_locks() -> None:
    present = {p.stem for p in (ROOT / "requirements").glob("*.txt")}
    assert present == set(LOCKS)
    assert set(groups()) == {*SERVICE_GROUPS, "demo", "dev"}
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^LOCK_SERVICES := " + " ".join(SERVICE_GROUPS) + "$", makefile, re.M)
    assert "--require-hashes -r requirements/dev.txt" in makefile
    for lock_name in LOCKS:
        header = lock_path(lock_name).read_text(encoding="utf-8")
        assert "--generate-hashes" in header, lock_name
        assert f"--output-file=requirements/{lock_name}.txt" in header, lock_name


def test_the_service_images_carry_only_their_own_heavy_libraries() -> None:
    heavy = {
        "scikit-learn": {"feedback"},
        "jieba": {"feedback"},
        "python-docx": {"feedback", "reporting"},  # the report's DOCX (#17)
        "matplotlib": {"reporting"},
        "openpyxl": {"reporting"},
        "rich": set(),
    }
    for package, services in heavy.items():
        holders = {s for s in SERVICE_GROUPS if package in lock(s)}
        assert holders == services, package
        assert package in lock("dev")


# -- the check itself --------------------------------------------------------------------
_LOCK = """\
#    pip-compile --generate-hashes --output-file=requirements/x.txt pyproject.toml
nh3=={nh3} \\
    --hash=sha256:{h}
    # via wechat-contentops (pyproject.toml)
uvloop==0.23.0 ; sys_platform != "win32" \\
    --hash=sha256:{h}
"""


def test_parsing_and_a_stale_lock_are_told() -> None:
    nh3 = distribution("nh3").version
    pins = parse_lock(_LOCK.format(h="a" * 64, nh3=nh3))
    assert {n: p.version for n, p in pins.items()} == {"nh3": nh3, "uvloop": "0.23.0"}
    assert pins["uvloop"].requirement.marker is not None
    with pytest.raises(AssertionError, match="not pinned with =="):
        parse_lock("nh3>=0.3\n")
    needed, problems = closure([Requirement(f"nh3>{nh3}")], pins)
    assert problems == [f"nh3=={nh3} does not satisfy nh3>{nh3} (pyproject.toml)"]
    needed, problems = closure([Requirement("opencc>=1")], pins)
    assert problems == ["opencc (required by pyproject.toml) is not pinned"]
    assert needed == set()
