"""Validate kinalyze's JSON responses against the vendor's Swagger 2.0 spec.

The AiKYNETIX spec (../shared/api/vendor-spec-v2.swagger.yaml) is the contract
kinalyze must stay compatible with. This module implements the subset of JSON
Schema that the spec uses for response bodies: $ref, type, required,
properties, additionalProperties, items, enum and x-nullable. Integration tests
call `check(path, method, status, body)` on every response they receive; an
empty list means the body conforms.

When the spec file is absent (a clone without ../shared) `load_spec()` returns
None and callers skip the compatibility check, saying so.
"""
import json
import os
import re
import sys

_SPEC = None
_SPEC_PATH = os.environ.get(
    "KINALYZE_VENDOR_SPEC",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                 "shared", "api", "vendor-spec-v2.swagger.yaml"))

_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


def load_spec(path=None):
    """Parse the spec once; None when the file (or PyYAML) is unavailable."""
    global _SPEC
    if _SPEC is not None and path is None:
        return _SPEC
    path = path or _SPEC_PATH
    if not os.path.exists(path):
        return None
    try:
        import yaml
    except ImportError:
        return None
    with open(path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    if path == _SPEC_PATH:
        _SPEC = spec
    return spec


def _template_regex(template):
    parts = re.split(r"(\{[^}]+\})", template.rstrip("/"))
    rx = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile("^" + rx + "/?$")


def find_operation(spec, path, method):
    """The spec operation for a concrete request path ('/running/sessions/ab12/')."""
    path = path.split("?", 1)[0]
    best = None
    for template, ops in spec["paths"].items():
        if _template_regex(template).match(path) and method.lower() in ops:
            # Prefer the template with the most literal characters.
            lit = len(re.sub(r"\{[^}]+\}", "", template))
            if best is None or lit > best[0]:
                best = (lit, template, ops[method.lower()])
    return (best[1], best[2]) if best else (None, None)


def response_schema(spec, path, method, status):
    template, op = find_operation(spec, path, method)
    if op is None:
        return None, None
    resp = op.get("responses", {}).get(str(status))
    if resp is None:
        return template, None
    return template, resp.get("schema")


def _resolve(spec, schema):
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError("unsupported $ref " + ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
        seen += 1
    return schema


def validate(spec, schema, value, where="$"):
    """Errors (strings) found validating `value` against `schema`."""
    errs = []
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict) or not schema:
        return errs
    if value is None:
        if schema.get("x-nullable"):
            return errs
        if "type" in schema:
            errs.append(f"{where}: null where {schema['type']} expected")
        return errs
    t = schema.get("type")
    if t == "integer":
        if not (isinstance(value, int) and not isinstance(value, bool)):
            errs.append(f"{where}: expected integer, got {type(value).__name__}")
            return errs
    elif t == "number":
        if not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            errs.append(f"{where}: expected number, got {type(value).__name__}")
            return errs
    elif t in _TYPES:
        if not isinstance(value, _TYPES[t]):
            errs.append(f"{where}: expected {t}, got {type(value).__name__}")
            return errs
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errs.append(f"{where}: missing required '{name}'")
        for name, v in value.items():
            if name in props:
                errs += validate(spec, props[name], v, f"{where}.{name}")
            else:
                extra = schema.get("additionalProperties")
                if isinstance(extra, dict):
                    errs += validate(spec, extra, v, f"{where}.{name}")
                elif extra is False:
                    errs.append(f"{where}: unexpected property '{name}'")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errs += validate(spec, schema["items"], v, f"{where}[{i}]")
    return errs


def check(path, method, status, body, spec=None):
    """Validate one response. Returns a list of problems ([] = conforms).

    A status the spec does not document for that operation is itself a problem,
    except 405 (kinalyze answers wrong methods uniformly).
    """
    spec = spec or load_spec()
    if spec is None:
        return []
    template, op = find_operation(spec, path, method)
    if op is None:
        return [f"{method} {path}: no such operation in the vendor spec"]
    resp = op.get("responses", {}).get(str(status))
    if resp is None:
        return [f"{method} {template}: status {status} not documented by the vendor"]
    schema = resp.get("schema")
    if schema is None:
        return []
    return validate(spec, schema, body)


def main(argv):
    if len(argv) != 4:
        print("usage: swagger.py PATH METHOD STATUS < body.json", file=sys.stderr)
        return 2
    spec = load_spec()
    if spec is None:
        print("swagger.py: vendor spec not found at " + _SPEC_PATH, file=sys.stderr)
        return 77
    errs = check(argv[1], argv[2], int(argv[3]), json.load(sys.stdin), spec)
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
