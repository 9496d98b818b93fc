"""Rules that keep recommendations right on code nobody here wrote (issue #16), each driven through ``trace-advisor
analyze`` as a subprocess on a small invented project: evidence comes from resolution or the catalog, not from how a
receiver is named."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli


def analyse(root: Path, files: dict[str, str], *args: str) -> dict[str, dict[str, object]]:
    """Writes ``files`` under ``root`` and returns the JSON report's recommendations by qualname (at any confidence
    unless ``args`` say otherwise)."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    out = root / "report.json"
    done = run_cli("analyze", root, "--format", "json", "-o", out, "--no-cache", "--min-confidence", "0.01", *args)
    assert done.returncode == 0, done.stderr
    recs = json.loads(out.read_text(encoding="utf-8"))["recommendations"]
    return {str(r["qualname"]): r for r in recs}


def reasons(rec: dict[str, object]) -> list[str]:
    evidence = rec["evidence"]
    assert isinstance(evidence, list)
    return [str(e["reason"]) for e in evidence]


SESSIONS = {
    "store.py": (
        "from sqlmodel import Session, select\n\n"
        "from models import User\n\n\n"
        "def load_user(session: Session, user_id: int) -> User | None:\n"
        "    user = session.get(User, user_id)\n"
        "    if user is None:\n"
        "        return None\n"
        "    return user\n\n\n"
        "def active_users(session: Session) -> list[User]:\n"
        "    found = session.exec(select(User).where(User.active))\n"
        "    users = list(found)\n"
        "    users.sort(key=lambda u: u.name)\n"
        "    return users\n"
    ),
    "models.py": "class User:\n    name: str\n    active: bool\n",
    "web.py": (
        "def remember_theme(session, request):\n"
        "    theme = session.get('theme', 'light')\n"
        "    if request.args.get('theme'):\n"
        "        theme = request.args['theme']\n"
        "        session.pop('theme', None)\n"
        "    return theme\n\n\n"
        "def forget(session, key):\n"
        "    value = session.get(key)\n"
        "    session.delete(key)\n"
        "    return value\n"
    ),
}


def test_an_untyped_session_get_is_no_remote_call_and_a_sqlmodel_session_is_a_database(tmp_path: Path) -> None:
    """``session.get`` on a parameter nobody typed may be a cookie session or a dict: it is not guessed to be an HTTP
    request; the same call on a SQLModel ``Session`` resolves into the catalog as a database query."""
    recs = analyse(tmp_path, SESSIONS)
    assert "remember_theme" not in recs and "forget" not in recs, {q: reasons(r) for q, r in recs.items()}
    assert any("sql database" in reason for reason in reasons(recs["load_user"])), reasons(recs["load_user"])
    assert any("sql database" in reason for reason in reasons(recs["active_users"]))
    assert not any("(by name)" in reason for rec in recs.values() for reason in reasons(rec))
