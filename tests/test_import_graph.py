"""The import graph tool, and the promise it checks: imports point one way (DESIGN.md §1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ops.import_graph import build_graph, layering_violations, main, strongly_connected

ROOT = Path(__file__).resolve().parent.parent


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_project_has_no_import_cycle_and_no_layering_violation() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ops.import_graph"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    findings = result.stdout.split("\n\n", 1)[-1]
    assert result.returncode == 0, findings
    assert findings.splitlines()[0] == "0 import cycle(s)"


def test_a_cycle_through_an_import_inside_a_function_and_a_relative_import_is_found(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "backend/__init__.py": "",
            "backend/records/__init__.py": "",
            "backend/records/services.py": "from ..audit import services\n",
            "backend/audit/__init__.py": "",
            "backend/audit/services.py": (
                "def log():\n    from backend.records.services import create_record\n"
            ),
        },
    )

    graph = build_graph(tmp_path, ["backend"])

    assert strongly_connected(graph.edges(runtime_only=True)) == [
        ["backend.audit.services", "backend.records.services"]
    ]


def test_an_import_for_type_checking_only_is_no_cycle_but_still_breaks_layering(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "backend/__init__.py": "",
            "backend/records.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from graphql_schema.types import Case\n"
            ),
            "graphql_schema/__init__.py": "",
            "graphql_schema/types.py": "import backend.records\n",
        },
    )

    graph = build_graph(tmp_path, ["backend", "graphql_schema"])

    assert strongly_connected(graph.edges(runtime_only=True)) == []
    assert [v.split(" (")[0] for v in layering_violations(graph)] == [
        "backend.records -> graphql_schema.types"
    ]


def test_every_layering_rule_is_reported_and_the_url_configuration_is_allowed(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "formengine/__init__.py": "from permissions import rules\n",
            "permissions/__init__.py": "",
            "permissions/rules.py": "from graphql_schema import view\n",
            "graphql_schema/__init__.py": "",
            "graphql_schema/view.py": "",
            "backend/__init__.py": "",
            "backend/urls.py": "from graphql_schema.view import View\n",
            "backend/services.py": "import graphql_schema.view\n",
            "ops/__init__.py": "",
        },
    )

    graph = build_graph(tmp_path)

    assert [v.split(" (")[0] for v in layering_violations(graph)] == [
        "backend.services -> graphql_schema.view",
        "formengine -> permissions.rules",
        "permissions.rules -> graphql_schema.view",
    ]
    assert main(["--root", str(tmp_path)]) == 1


def test_a_clean_tree_exits_zero(tmp_path: Path) -> None:
    write(tmp_path, {"formengine/__init__.py": "import json\n", "backend/__init__.py": ""})

    assert main(["--root", str(tmp_path)]) == 0
