"""The security review's secret forms (73, assembled at test time) reach neither model endpoint — real boto3 against
the Bedrock fake, the stdlib client against the OpenAI-compatible fake — not even in part, not even where the prompt
cuts long lines and literals; ordinary code keeps every character; crafted lines cannot stall the redactor."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from trace_advisor.advise.prompt import render_candidate
from trace_advisor.advise.provider import Candidate
from trace_advisor.advise.redact import redact
from trace_advisor.cancel import NEVER

from tests.support.bedrock_server import fake_bedrock
from tests.support.candidates import candidates_from_file
from tests.support.openai_server import fake_openai
from tests.support.providers import bedrock, isolate_aws, openai
from tests.support.secret_forms import SecretForm, secret_forms

FORMS = secret_forms()
# Text of the forms without their secrets: function names, "https://", "github_pat" in a name are not leaks.
CONTEXT = "\n".join(form.source().replace(form.secret, "") for form in FORMS)
ORDINARY = Path(__file__).resolve().parents[1] / "fixtures" / "redaction" / "ordinary.py"


def _pieces(secret: str, width: int = 8) -> list[str]:
    """Every 8-character window of the secret (lines of 6-8 characters whole) that is not also ordinary text of the
    forms: a truncated secret is a leak too."""
    pieces: list[str] = []
    for line in secret.split("\n"):
        if len(line) <= width:
            pieces += [line] if len(line) >= 6 else []
        else:
            pieces += [line[i : i + width] for i in range(len(line) - width + 1)]
    return [piece for piece in pieces if piece not in CONTEXT]


def _leaked(form: SecretForm, text: str) -> bool:
    return any(piece in text for piece in _pieces(form.secret))


def test_there_are_at_least_59_forms() -> None:
    assert len(FORMS) >= 59 and len({f.name for f in FORMS}) == len(FORMS)
    assert len({f.secret for f in FORMS}) == len(FORMS)  # one leak cannot hide behind another form's secret


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_redact_removes_each_form(form: SecretForm) -> None:
    result = redact(form.source())
    assert not _leaked(form, result.text), result.text
    assert result.total >= 1 and result.text.count("\n") == form.source().count("\n")


@pytest.fixture(scope="module")
def candidates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Candidate, ...]:
    module = tmp_path_factory.mktemp("leaks") / "leaks.py"
    module.write_text("\n\n".join(f.source() for f in FORMS), encoding="utf-8")
    return candidates_from_file(module, "leaks")


def test_whole_secrets_go_before_any_cut(candidates: tuple[Candidate, ...]) -> None:
    """The prompt cuts literals at 48 characters and condenses long functions; redaction runs first, so neither
    the head of a PEM block nor of a long connection string survives."""
    rendered = "\n".join(render_candidate(candidate).text for candidate in candidates)
    assert [form.name for form in FORMS if _leaked(form, rendered)] == []
    assert "postgresql://reporting_user:" in rendered  # the long line itself is still there, cut after redaction


@pytest.mark.parametrize("wire", ["openai", "bedrock"])
def test_no_form_reaches_the_endpoint(
    wire: str, candidates: tuple[Candidate, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    isolate_aws(monkeypatch, tmp_path)
    server_of, provider_of = (fake_openai, openai) if wire == "openai" else (fake_bedrock, bedrock)
    with server_of() as server:
        provider_of(server.url, max_attempts=1).advise(candidates, NEVER)
    # the request as sent (JSON-escaped) and as the model reads it (each prompt text)
    sent = "\n".join(json.dumps(r.body) + "\n" + r.text for r in server.requests)
    assert server.requests and sum(r.text.count("### symbol:") for r in server.requests) == len(FORMS)
    assert [form.name for form in FORMS if _leaked(form, sent)] == []


def test_ordinary_code_keeps_every_character() -> None:
    """Parameters named TOKEN=None, sorted(key=lambda ...), docstrings about tokens, f"Bearer {token}", attribute
    keys such as gen_ai.usage.input_tokens, a release or git SHA, a trace id, CamelCase names: none is a secret."""
    text = ORDINARY.read_text(encoding="utf-8")
    result = redact(text)
    assert result.counts == ()
    assert result.text == text


@pytest.mark.parametrize(
    "crafted",
    [
        'x = "' + "a_" * 5000 + '"',
        "# " + "password" * 3000,
        'x = "' + "ab/" * 5000 + '"',
        "a://" * 5000,
        'x = "' + "password=" * 3000 + '"',
        "# password: " * 3000,
        "mysql " * 5000,
        "set_password(" + "a," * 5000,
        "login(" + "a," * 5000,
        'getenv("' + "A" * 10000,
        "-----BEGIN " + "A" * 10000,
        "x_" * 5000 + "= 1",
    ],
    ids=lambda text: text[:12],
)
def test_crafted_lines_cost_linear_time(crafted: str) -> None:
    """The analysed code is the attacker's: every pattern is bounded, so 10-25 kB lines take milliseconds (before
    bounding, two of these took 58 s and 96 s)."""
    started = time.perf_counter()
    redact(crafted)
    assert time.perf_counter() - started < 2.0
