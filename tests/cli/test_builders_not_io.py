"""Calls into a database package that build in memory are no database I/O: SQLAlchemy's loader options
(``Load(User).load_only(...)``) and ``Query`` builders such as ``with_session``, and oracledb's ``makedsn`` (a connect
string). Seen on pypi/warehouse (``load_only``, ``with_session`` as "sql database") and getredash/redash
(``oracledb.makedsn`` as "oracle database"). The session's ``commit`` stays a round trip."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import recommendations

QUERIES = """\
import oracledb
from sqlalchemy.orm import Load, Query, Session


def project_options(model):
    options = Load(model).load_only("id", "name")
    query = Query(model).with_session(None).options(options)
    if query is None:
        raise LookupError(model)
    return query


def oracle_dsn(host, port, service):
    dsn = oracledb.makedsn(host, port, service_name=service)
    if not dsn:
        raise ValueError(host)
    return dsn


def save(session: Session, row):
    session.add(row)
    session.commit()
    return row
"""


def test_building_a_query_or_a_connect_string_is_no_database_call(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "queries.py").write_text(QUERIES, encoding="utf-8")
    found = recommendations(root, tmp_path, "--min-confidence", "0")
    assert "database" not in str(found.get("project_options", {}).get("rationale", ""))
    assert "oracle database" not in str(found.get("oracle_dsn", {}).get("rationale", ""))
    assert "Calls sqlalchemy.orm.Session.commit (sql database)" in str(found["save"]["rationale"])
