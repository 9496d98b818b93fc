"""SQLAlchemy's legacy ``Query`` is lazy, as Django's querysets are: through ``trace-advisor analyze`` as a subprocess
on tests/fixtures/sqlalchemy_queries, a function that only builds ``session.query(User).filter(...)`` has no database
evidence, and one that runs it (``first()``, ``count()``, iterating it) has, where before the chain after
``session.query(...)`` was unresolved and no evidence at all."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sqlalchemy_queries"


def test_building_a_query_runs_nothing_and_running_it_is_a_query(tmp_path: Path) -> None:
    venv = tmp_path / "empty-env"
    venv.mkdir()
    out = tmp_path / "report.json"
    args = ("analyze", FIXTURE / "project", "--no-cache", "--format", "json", "--min-confidence", "0", "-o", out)
    done = run_cli(*args, env={"VIRTUAL_ENV": str(venv)})
    assert done.returncode == 0, done.stderr
    found = {
        str(r["qualname"]): [e["detail"] for e in r["evidence"] if e["priority"] == "external_io"]
        for r in json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    }
    assert not found.get("active_users")
    assert found["find_user"] == ["sqlalchemy.orm:Query.first"]
    assert found["count_users"] == ["sqlalchemy.orm:Query.count"]
    assert found["user_names"] == ["sqlalchemy.orm:Query.__iter__"]
