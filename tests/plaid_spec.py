"""Plaid's published OpenAPI document, read from ../shared: request validation, examples."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import yaml


@functools.cache
def load_spec(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loader


def _strict(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null type; declared objects are closed.

    Closing objects (``additionalProperties: false`` where a schema lists its properties and
    says nothing else) makes a misspelt or invented request field fail validation.
    """
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items()}
    if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not ({"allOf", "oneOf", "anyOf"} & out.keys())
    ):
        out["additionalProperties"] = False
    return out


@functools.cache
def _strict_spec(path: Path) -> dict[str, Any]:
    spec = copy.deepcopy(load_spec(path))
    return {"components": _strict(spec["components"])}


def request_schema_name(path: Path, route: str) -> str:
    body = load_spec(path)["paths"][route]["post"]["requestBody"]["content"]["application/json"]
    return str(body["schema"]["$ref"]).rsplit("/", 1)[-1]


def validate_request(path: Path, route: str, body: Any) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``body`` fits the route's request schema."""
    root = _strict_spec(path)
    schema = {**root, "$ref": f"#/components/schemas/{request_schema_name(path, route)}"}
    jsonschema.Draft7Validator(schema).validate(body)


def response_example(path: Path, route: str) -> Any:
    content = load_spec(path)["paths"][route]["post"]["responses"]["200"]["content"]
    examples = content["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])


def security_headers(path: Path) -> list[str]:
    schemes = load_spec(path)["components"]["securitySchemes"]
    return sorted(s["name"] for s in schemes.values() if s.get("in") == "header")
