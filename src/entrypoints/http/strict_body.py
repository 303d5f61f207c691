"""JSON request bodies decoded strictly, straight into the handler's DTO.

Litestar parses a JSON body into plain Python values and then converts them to the handler's
``data`` type with msgspec's lax rules (``strict=False``): ``{"enabled": 0}`` became ``False``,
``{"amount": "100"}`` became ``100``, and a JSON number meant for a ``Decimal`` went through a
float first. The document promises the strict types, so a body whose ``data`` type holds a
msgspec Struct is decoded here with ``msgspec.json.decode(..., strict=True)`` from the raw
bytes: wrong types answer 400 ``validation_failed`` and decimals keep every digit. The decoded
Struct passes Litestar's own conversion unchanged.
"""

from __future__ import annotations

from typing import Any, get_args

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

__all__ = ["StrictJsonRequest"]

_UNSET: Any = object()


class StrictJsonRequest(Request[Any, Any, Any]):
    """A request whose ``json()`` is typed by the handler's ``data`` parameter when it is a DTO."""

    _strict_json: Any = _UNSET

    async def json(self) -> Any:
        target = _struct_target(self)
        if target is None:
            return await super().json()
        if self._strict_json is _UNSET:
            body = await self.body()
            if b"\\u0000" in body:
                # No store the service supports keeps NUL in text (PostgreSQL refuses it).
                raise ValidationException(
                    detail="The request body is not valid",
                    extra=[{"key": "body", "message": "NUL characters are not accepted in text"}],
                )
            try:
                self._strict_json = msgspec.json.decode(body or b"null", type=target, strict=True)
            except msgspec.ValidationError as exc:
                raise ValidationException(
                    detail="The request body is not valid",
                    extra=[{"key": _field_of(str(exc)), "message": str(exc)}],
                ) from None
            except msgspec.DecodeError:
                raise ValidationException(
                    detail="The request body is not valid JSON",
                    extra=[{"key": "body", "message": "malformed JSON"}],
                ) from None
        return self._strict_json


def _struct_target(request: Request[Any, Any, Any]) -> Any:
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    annotation = data.annotation
    if _holds_struct(annotation):
        return annotation
    return None


def _holds_struct(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return True
    return any(_holds_struct(arg) for arg in get_args(annotation))


def _field_of(message: str) -> str:
    # msgspec ends its messages with "- at `$.field[0].name`".
    _, _, where = message.rpartition(" - at `$")
    return where.rstrip("`").lstrip(".") or "body"
