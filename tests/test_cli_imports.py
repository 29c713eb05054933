"""The command line starts without the libraries only some commands need.

``civility --help`` used to take 4-6 s because building the command tree imported FastAPI,
SQLAlchemy and scikit-learn through the command modules. Each command now imports them where
it runs; this builds the whole tree, as ``--help`` does, in a fresh interpreter and fails if
one of them was loaded. (bench/cli_startup.py prints the time.)
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("fastapi", "sqlalchemy", "sklearn", "scipy", "onnxruntime", "torch", "numpy")


def test_building_the_command_line_imports_no_heavy_library() -> None:
    code = (
        "import sys, typer\n"
        "from civility.cli import app\n"
        "typer.main.get_command(app)\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
