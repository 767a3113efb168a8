"""The engine is plain Python: no Django import anywhere, and mypy --strict clean."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "src" / "lachan" / "engine"


def test_engine_never_imports_django():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_engine_passes_mypy_strict():
    mypy = Path(sys.executable).with_name("mypy")
    if not mypy.exists() and not shutil.which("mypy"):
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [str(mypy) if mypy.exists() else "mypy", "--strict", "--no-incremental", str(ENGINE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
