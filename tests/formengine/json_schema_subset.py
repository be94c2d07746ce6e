"""A JSON Schema validator for the keywords our generated schema uses (tests only).

No JSON Schema library is a dependency of the project; this covers draft 2020-12's
$ref (local), type, enum, const, properties, required, additionalProperties, items,
prefixItems, minItems, maxItems, uniqueItems, pattern, minLength, maxLength, minimum,
minProperties, maxProperties, propertyNames, oneOf, allOf, if/then. Unknown keywords are
annotations (like format) and are ignored.
"""

import re
from typing import Any

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (
        isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()
    ),
}


def is_valid(instance: Any, schema: Any, root: dict[str, Any]) -> bool:
    return not list(_errors(instance, schema, root))


def _errors(instance: Any, schema: Any, root: dict[str, Any]):
    if schema is True:
        return
    if schema is False:
        yield "false schema"
        return
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        yield from _errors(instance, target, root)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](instance) for t in types):
            yield f"not of type {types}"
            return
    if "enum" in schema and instance not in schema["enum"]:
        yield f"{instance!r} not in enum"
    if "const" in schema and instance != schema["const"]:
        yield "const"
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in instance:
                yield f"missing {key}"
        if (
            not schema.get("minProperties", 0)
            <= len(instance)
            <= schema.get("maxProperties", len(instance))
        ):
            yield "property count"
        for key, value in instance.items():
            if "propertyNames" in schema:
                yield from _errors(key, schema["propertyNames"], root)
            if key in properties:
                yield from _errors(value, properties[key], root)
            elif "additionalProperties" in schema:
                yield from _errors(value, schema["additionalProperties"], root)
    if isinstance(instance, list):
        if not schema.get("minItems", 0) <= len(instance) <= schema.get("maxItems", len(instance)):
            yield "item count"
        prefix = schema.get("prefixItems", [])
        for index, item in enumerate(instance):
            if index < len(prefix):
                yield from _errors(item, prefix[index], root)
            elif "items" in schema:
                yield from _errors(item, schema["items"], root)
        if schema.get("uniqueItems") and len({repr(i) for i in instance}) != len(instance):
            yield "unique items"
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            yield f"{instance!r} does not match {schema['pattern']}"
        if (
            not schema.get("minLength", 0)
            <= len(instance)
            <= schema.get("maxLength", len(instance))
        ):
            yield "length"
    if _TYPES["number"](instance) and "minimum" in schema and instance < schema["minimum"]:
        yield "minimum"
    for sub in schema.get("allOf", []):
        yield from _errors(instance, sub, root)
    if "oneOf" in schema:
        matching = sum(is_valid(instance, sub, root) for sub in schema["oneOf"])
        if matching != 1:
            yield f"{matching} oneOf branches match"
    if "if" in schema and is_valid(instance, schema["if"], root) and "then" in schema:
        yield from _errors(instance, schema["then"], root)
