"""Secrets are removed before anything is sent to a model, and the code around them survives."""

from __future__ import annotations

import pytest
from trace_advisor.advise.redact import redact

from tests.support.providers import FIXTURES


@pytest.mark.parametrize(
    ("source", "secret", "kept"),
    [
        ('key_id = "AKIAIOSFODNN7EXAMPLE"', "AKIAIOSFODNN7EXAMPLE", "key_id = "),
        (
            'boto3.client("s3", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")',
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            'boto3.client("s3"',
        ),
        (
            'headers["Authorization"] = f"Bearer {token}" if token else "Bearer abcdef123456"',
            "abcdef123456",
            'f"Bearer {token}"',
        ),
        ('db_password = "hunter2"', "hunter2", "db_password = "),
        ("connect(host='db', password='hunter2')", "hunter2", "connect(host='db', password="),
        ('settings = {"api_key": "k-123456"}', "k-123456", 'settings = {"api_key": '),
        ('SECRET_TOKEN: str = "abc"', '"abc"', "SECRET_TOKEN: str = "),
        ('url = "postgres://shop:pa55word@db:5432/shop"', "pa55word", "postgres://shop:"),
        ('redis.from_url("redis://:pa55@cache:6379/0")', "pa55", "@cache:6379/0"),
        ("env = 'DB_PASSWORD=hunter2\\nDEBUG=1'", "hunter2", "DEBUG=1"),
        ("# export API_TOKEN=abc123", "abc123", "# export API_TOKEN="),
        ('gh = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"', "ghp_16C7e42F292c6912E7710c838347Ae178B4a", "gh = "),
        ('key = "sk-proj-abcdefghijklmnopqrstuvwxyz012345"', "sk-proj-abcdefghijklmnopqrstuvwxyz012345", "key = "),
        ('jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmN"', "eyJhbGciOiJIUzI1NiJ9", "jwt = "),
    ],
)
def test_each_kind_of_secret_is_replaced_and_the_code_kept(source: str, secret: str, kept: str) -> None:
    result = redact(source)
    assert secret not in result.text
    assert kept in result.text
    assert "<redacted:" in result.text
    assert result.total >= 1


def test_private_key_block_keeps_the_line_count() -> None:
    source = (
        'KEY = """-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabcd\n-----END RSA PRIVATE KEY-----"""\nx = 1\n'
    )
    result = redact(source)
    assert "MIIEpAIBAAKCAQEA" not in result.text and "abcd" not in result.text
    assert result.text.count("\n") == source.count("\n")
    assert result.text.endswith('"""\nx = 1\n')


@pytest.mark.parametrize(
    "source",
    [
        'password = request.form.get("password")',
        "def login(user, password):\n    return check(user, password)",
        'token_url = f"{base}/oauth/token"',
        "sha = 'da39a3ee5e6b4b0d3255bfef95601890afd80709'",
        'logger.info("retrying in %s seconds", delay)',
        'url = "https://example.com/path?page=2"',
        "passwords = [p for p in users if p]",
        "def fetch(url, TOKEN=None, api_key=None):\n    return get(url, token=TOKEN)",
        "ranked = sorted(items, key=lambda item: item.rank)",
        'headers = {"Authorization": f"Bearer {token}"}',
    ],
)
def test_ordinary_code_is_left_alone(source: str) -> None:
    assert redact(source).text == source


def test_fixture_module_holds_no_secret_after_redaction() -> None:
    text = (FIXTURES / "leaky" / "app.py").read_text()
    secrets = (FIXTURES / "leaky" / "secrets.txt").read_text().split()
    result = redact(text)
    assert [s for s in secrets if s in result.text] == []
    assert result.text.count("\n") == text.count("\n")
    assert "def upload(path):" in result.text and "psycopg2.connect(dsn, password=password)" in result.text
