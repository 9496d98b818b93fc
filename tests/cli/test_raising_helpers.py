"""A handler that ends by calling a helper of its module that never returns (stripe-python's
``except Exception as e: self._handle_request_error(e)``, annotated ``-> NoReturn``, raising
``APIConnectionError``) translates the error: it does not swallow it; raising a new error of the class caught raises
it anew (no translation "into" itself). Through ``analyze`` as a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import reasons, recommendations

MODULE = """from typing import NoReturn

import httpx


class APIConnectionError(Exception):
    pass


class Client:
    def __init__(self) -> None:
        self._client = httpx.Client()

    def send(self, url: str) -> bytes:
        try:
            response = self._client.get(url)
        except Exception as e:
            self._handle_request_error(e)
        return response.content

    def send_or_fail(self, url: str) -> bytes:
        try:
            response = self._client.post(url)
        except httpx.HTTPError as e:
            self._fail(e)
        return response.content

    def send_or_none(self, url: str) -> bytes | None:
        try:
            response = self._client.put(url)
        except httpx.HTTPError as e:
            self._note(e)
            return None
        return response.content

    def send_counted(self, url: str) -> bytes:
        try:
            response = self._client.delete(url)
        except httpx.TimeoutException:
            self.failures += 1
            raise httpx.TimeoutException("timed out")
        return response.content

    def send_checked(self, url: str) -> bytes:
        try:
            response = self._client.patch(url)
        except httpx.HTTPError as e:
            self._check(e)
        return response.content

    def send_logged(self, url: str) -> bytes:
        try:
            response = self._client.head(url)
        except httpx.HTTPError:
            self._log_and_reraise()
        return response.content

    def _check(self, e: Exception) -> NoReturn:
        raise httpx.HTTPError(f"checked: {e}")

    def _log_and_reraise(self) -> NoReturn:
        self.failures += 1
        raise

    def _handle_request_error(self, e: Exception) -> NoReturn:
        message = f"Network error: {type(e).__name__}"
        raise APIConnectionError(message) from e

    def _fail(self, e: Exception):
        raise APIConnectionError(str(type(e)))

    def _note(self, e: Exception) -> None:
        if isinstance(e, httpx.TimeoutException):
            raise APIConnectionError("timeout") from e
"""


def test_a_handler_ending_in_a_helper_that_always_raises_translates(tmp_path: Path) -> None:
    (tmp_path / "client.py").write_text(MODULE)
    found = recommendations(tmp_path, tmp_path, "--min-confidence", "0")
    exceptions = reasons(found, "exceptions")
    assert exceptions["Client.send"] == [
        "translates Exception into APIConnectionError (through self._handle_request_error)"
    ]
    assert exceptions["Client.send_or_fail"] == [
        "translates httpx.HTTPError into APIConnectionError (through self._fail)"
    ]
    # a helper that may return: the handler swallows what it does not raise
    assert exceptions["Client.send_or_none"] == ["handles and swallows httpx.HTTPError"]
    # a new error of the class it caught (warehouse's `except otp.OutOfSyncTOTPError: ...; raise
    # otp.OutOfSyncTOTPError`) is no translation into itself
    assert exceptions["Client.send_counted"] == ["raises httpx.TimeoutException anew"]
    # through a helper, the same words as the `raise` written in the handler
    assert exceptions["Client.send_checked"] == ["raises httpx.HTTPError anew (through self._check)"]
    assert exceptions["Client.send_logged"] == ["re-raises httpx.HTTPError (through self._log_and_reraise)"]
