"""The shop's exception hierarchy; each error knows the HTTP status the web layer answers with."""

from __future__ import annotations

from typing import Any


class ShopError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.detail = detail

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self), **self.detail}


class ValidationError(ShopError):
    status = 400
    code = "invalid_request"


class NotFound(ShopError):
    status = 404
    code = "not_found"


class OutOfStock(ShopError):
    status = 409
    code = "out_of_stock"


class PaymentDeclined(ShopError):
    status = 402
    code = "payment_declined"


class PaymentUnavailable(ShopError):
    status = 503
    code = "payment_unavailable"


class RepositoryError(ShopError):
    code = "storage_error"
