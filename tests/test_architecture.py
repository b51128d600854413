"""The layers of ARCHITECTURE.md, as pyproject.toml's import-linter contracts hold them.

``make test`` runs ``lint-imports`` itself; these tests keep the contracts honest:
every module has a layer (so a new module can't slip past them), ARCHITECTURE.md
names only modules that exist, and a wrong import really breaks a contract.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("partnercenter", "customers", "relationships", "agreements")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _config()["contracts"] if c["id"] == contract_id)


def _modules() -> set[str]:
    """Every module and package of the four apps, but migrations and empty package markers."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.add(".".join(parts))
    return found


def _layered() -> set[str]:
    names = set()
    for layer in _contract("layers")["layers"]:
        names.update(name.strip() for name in re.split(r"[|:]", layer))
    return names


def _covered_by(module: str, layered: set[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in layered)


def test_every_module_has_a_layer():
    # Package markers (``customers``) and app configs sit outside the layers: they import
    # nothing of the project's, which the core and acyclic contracts would otherwise catch.
    # The platform packages' markers hold only a docstring.
    platform = {
        f"partnercenter.{p}"
        for p in ("tenant", "signin", "audit", "delivery", "jobs", "web", "ops", "api")
    }
    exempt = (
        set(PACKAGES) | {f"{p}.apps" for p in PACKAGES} | {"relationships.admincenter"} | platform
    )
    layered = _layered()
    missing = sorted(m for m in _modules() - exempt if not _covered_by(m, layered))
    assert not missing, f"Give these modules a layer in pyproject.toml: {missing}"


def test_every_layered_module_exists():
    assert _layered() <= _modules()


def test_architecture_md_names_only_modules_that_exist():
    text = (ROOT / "ARCHITECTURE.md").read_text()
    packages = "|".join(PACKAGES)
    named = set(re.findall(rf"\b((?:{packages})(?:/\w+)+\.py)\b", text))
    assert named, "ARCHITECTURE.md names no module"
    assert sorted(p for p in named if not (ROOT / p).exists()) == []


def _lint_copy(tmp_path, *, append_to: str, line: str) -> subprocess.CompletedProcess:
    """Run lint-imports on a scratch copy of the apps with ``line`` added to one module."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / append_to).open("a") as module:
        module.write(f"\n{line}\n")
    return subprocess.run(  # noqa: S603 - our own venv's lint-imports on a scratch copy
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_contracts_hold_for_the_code_as_it_is(tmp_path):
    result = _lint_copy(tmp_path, append_to="customers/markets.py", line="")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # A model reaching up to a page of another app.
        ("agreements/models.py", "from customers.views import customer_list", "Layers"),
        # The tenant core reaching into a domain app.
        ("partnercenter/tenant/access.py", "from customers.models import Customer", "tenant core"),
        # One page importing another: what the page helpers are for.
        (
            "partnercenter/tenant/views.py",
            "from partnercenter.signin.views import security",
            "Layers",
        ),
        # Reads out of their order.
        (
            "relationships/selectors.py",
            "from customers.selectors import customer_get_for_user",
            "Reads build on each other in one order",
        ),
        # Two apps' services calling each other: a workflow's job.
        (
            "relationships/services.py",
            "from agreements.services import acceptance_record",
            "Layers",
        ),
        # The cycle this layering removed: the role matrix below the models built on it.
        ("partnercenter/tenant/roles.py", "from partnercenter.models import User", "Layers"),
        # Two modules of one package needing each other.
        (
            "partnercenter/web/sealing.py",
            "from partnercenter.web.paging import keyset_page",
            "cycles",
        ),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path, module, wrong_import, broken):
    result = _lint_copy(tmp_path, append_to=module, line=f"{wrong_import}  # noqa")
    assert result.returncode == 1
    assert re.search(rf"^.*{broken}.* BROKEN$", result.stdout, re.MULTILINE), result.stdout
