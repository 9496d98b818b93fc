"""Rejects configuration keys that would hold secrets, pointing to where the secret belongs instead."""

from __future__ import annotations

from trace_advisor.config.errors import ConfigIssue
from trace_advisor.config.layers import KeyPath, Layer

# Keys that would hold secrets: rejected wherever they appear, with a pointer to the safe alternative.
SECRET_KEYS: dict[str, str] = {
    "api_key": "put the key in an environment variable and name that variable in provider.openai.api_key_env",
    "apikey": "put the key in an environment variable and name that variable in provider.openai.api_key_env",
    "aws_access_key_id": "use provider.bedrock.profile or the standard AWS credential chain",
    "aws_secret_access_key": "use provider.bedrock.profile or the standard AWS credential chain",
    "aws_session_token": "use provider.bedrock.profile or the standard AWS credential chain",
    "password": "secrets do not belong in configuration; use an environment variable",
    "secret": "secrets do not belong in configuration; use an environment variable",
    "token": "secrets do not belong in configuration; use an environment variable",
}


def secret_issues(layer: Layer) -> list[ConfigIssue]:
    """Keys that look like secrets, anywhere in the layer."""
    issues: list[ConfigIssue] = []

    def walk(node: object, path: KeyPath) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                child = (*path, str(key))
                # priority names are the user's words, not settings
                advice = None if path == ("priorities",) else SECRET_KEYS.get(str(key).lower())
                if advice is not None:
                    issues.append(
                        ConfigIssue(layer.where(child), ".".join(child), f"secrets are not accepted: {advice}")
                    )
                else:
                    walk(value, child)

    walk(layer.data, ())
    return issues
