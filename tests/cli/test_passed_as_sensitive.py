"""A parameter handed on as a secret, personal data or a payload is not recorded on the span, through
``trace-advisor analyze`` and ``apply`` as subprocesses (tests/fixtures/passed_as_sensitive): Netflix/dispatch's
``send_direct(user: str)`` passes ``user`` to ``does_user_exist(client, email)``, so ``app.user`` held an email."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.cli import recommendations, run_cli

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "passed_as_sensitive"


def _captured(tmp_path: Path) -> dict[str, object]:
    recs = recommendations(FIXTURE, tmp_path, "--min-confidence", "0.01")
    return {name: rec["capture"]["parameters"] for name, rec in recs.items()}  # type: ignore[index]


def test_parameters_passed_on_as_sensitive_or_payload_are_not_captured(tmp_path: Path) -> None:
    captured = _captured(tmp_path)
    # positionally into another module's ``email``, into a method's ``phone`` (after the receiver), as ``text=``
    assert captured["deliver"] == ["channel", "priority"], captured
    assert captured["Session.remember"] == ["kind"], captured  # ``self.api_key = handle``
    assert captured["bill"] == ["kind", "amount"], captured  # ``value=amount``: a name that says nothing


def test_what_is_known_about_a_payload_is_captured(tmp_path: Path) -> None:
    # paperless-ngx's ``index_document(self, document_id: int)`` recorded nothing: ``document`` is a payload word
    assert _captured(tmp_path)["archive"] == ["document_id", "page_count"]


def test_the_span_apply_writes_leaves_them_out(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    done = run_cli("apply", root, "--symbol", "notify.sender:deliver", "--diff")
    assert done.returncode == 0, done.stderr
    added = [line for line in done.stdout.splitlines() if line.startswith("+") and "set_attribute(" in line]
    keys = [line.split('"')[1] for line in added]
    assert "app.channel" in keys and "app.priority" in keys, added
    assert not {"app.recipient", "app.user", "app.subject_line"} & set(keys), added
