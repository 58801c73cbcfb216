"""The layers of the README's "Architecture" are checked by `make lint` (import-linter).

Each test copies the project's packages and its contracts into a temporary folder, adds
one import that crosses a layer, and shows that the linter refuses it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import BASE_DIR

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("kontaktstelle", "groups", "starters")


def lint(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent)},
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("layers")
    ignore = shutil.ignore_patterns("__pycache__", "migrations", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(BASE_DIR / package, root / package, ignore=ignore)
    shutil.copy(BASE_DIR / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_project_keeps_its_layers(project):
    result = lint(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("groups/probe.py", "import starters.models\n", "groups is not allowed to import starters"),
        (
            "kontaktstelle/web/probe.py",
            "import groups.models\n",
            "is not allowed to import groups",
        ),
        (
            "starters/probe.py",
            "import kontaktstelle.reports.statistics\n",
            "starters is not allowed to import kontaktstelle.reports",
        ),
        (
            "kontaktstelle/web/probe.py",
            "import kontaktstelle.offices.models\n",
            "No import cycles between the sibling packages of each package BROKEN",
        ),
        (
            "starters/views/probe_import.py",
            "",
            "No view module imports another view module BROKEN",
        ),
    ],
)
def test_an_import_across_a_layer_fails_the_lint(project, module, line, broken):
    path = project / module
    if not line:  # a view importing another view
        path = project / "starters/views/own.py"
        original = path.read_text()
        path.write_text(original + "\nfrom starters.views import staff  # noqa\n")
    else:
        original = None
        path.write_text(line)
    try:
        result = lint(project)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
    assert result.returncode != 0
    assert broken in result.stdout.replace("\n", " ")
