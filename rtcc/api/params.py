"""Path parameter types and request-body declarations shared by the routes."""

import copy
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, TypeAdapter

#: A database row id: SQLite INTEGER and PostgreSQL BIGINT hold 64 bits, so a larger
#: number is refused here (422) instead of overflowing in the driver (a 500).
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="a row id")]


def json_body(model: type[BaseModel] | TypeAdapter[Any], wrap: str | None = None) -> dict[str, Any]:
    """`openapi_extra` declaring the JSON body a route reads and checks by hand (for its
    own error shape), so the OpenAPI document, its clients and the API fuzzing see it.
    `wrap` nests the model as an array under that key (`{"events": [...]}`)."""
    schema = model.json_schema() if isinstance(model, TypeAdapter) else model.model_json_schema()
    schema = _inline(schema, schema.pop("$defs", {}))
    if wrap is not None:
        array = {"type": "array", "minItems": 1, "items": schema}
        schema = {"type": "object", "required": [wrap], "properties": {wrap: array}}
    content = {"application/json": {"schema": schema}}
    return {"requestBody": {"required": True, "content": content}}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with `#/$defs/...` references replaced by the definitions themselves
    (they would not resolve inside the OpenAPI document); discriminators point at those
    references, so they go too (`oneOf` alone still says the same)."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return _inline(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]), defs)
    return {key: _inline(value, defs) for key, value in node.items() if key != "discriminator"}
