"""SQLAlchemy's legacy ``Query`` is lazy, as Django's querysets are: through ``trace-advisor analyze`` as a subprocess
on tests/fixtures/sqlalchemy_queries, a function that only builds ``session.query(User).filter(...)`` has no database
evidence, and one that runs it (``first()``, ``count()``, iterating it) has, where before the chain after
``session.query(...)`` was unresolved and no evidence at all."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import external_io, recommendations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "sqlalchemy_queries"


def test_building_a_query_runs_nothing_and_running_it_is_a_query(tmp_path: Path) -> None:
    venv = tmp_path / "empty-env"
    venv.mkdir()
    found = {
        name: external_io(r)
        for name, r in recommendations(
            FIXTURE / "project", tmp_path, "--min-confidence", "0", env={"VIRTUAL_ENV": str(venv)}
        ).items()
    }
    assert not found.get("active_users")
    assert found["find_user"] == ["sqlalchemy.orm:Query.first"]
    assert found["count_users"] == ["sqlalchemy.orm:Query.count"]
    assert found["user_names"] == ["sqlalchemy.orm:Query.__iter__"]
