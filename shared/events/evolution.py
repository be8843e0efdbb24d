"""The evolution guard: what a change to a published event schema would break.

A subscriber written against `patronage.wallet.RechargeCompleted.v1` must keep working with
every message of v1 we ever publish. So, within one version, a schema may only grow by
optional fields (and change its prose). Everything else is a new version, `vN+1`, published
beside `vN` for the migration period (shared/events/dual_production.py;
docs/events/README.md, "Versioning").

`breaking_changes(published, candidate)` compares two JSON Schemas of one event (as
`schema_export` writes them: a root object with `$defs`) and names every change a consumer
of the published one would notice:

- a field removed (or renamed, which is a removal plus an addition);
- a field that was always present becoming optional, or a new required field;
- a changed type, format, pattern, bounds, const or enumeration of an existing field,
  narrowed or widened — a wider type surprises the consumer's parser, a narrower one its
  producers' replays, and a changed enumeration changes what the values mean;
- a different number of alternatives (`anyOf` / `oneOf`), e.g. a field becoming nullable.

Prose (`description`, `title`, `examples`) and defaults may change freely.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Keywords that decide which values are valid: within a version they never change.
VALIDATING = ("type", "format", "pattern", "const", "enum", "minimum", "maximum",
              "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems",
              "maxItems", "uniqueItems", "multipleOf")
ALTERNATIVES = ("anyOf", "oneOf", "allOf")


def breaking_changes(published: Schema, candidate: Schema) -> list[str]:
    """Every change from `published` to `candidate` that breaks a consumer; empty if none."""
    found: list[str] = []
    _compare(published, candidate, published, candidate, "$", found, seen=set())
    return found


def _resolve(node: Schema, document: Schema) -> Schema:
    """Follow local `$ref`s (`#/$defs/Name`) to the definition they name."""
    while "$ref" in node:
        target: Any = document
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def _compare(old: Schema, new: Schema, old_doc: Schema, new_doc: Schema, path: str,
             found: list[str], seen: set[tuple[int, int]]) -> None:
    old, new = _resolve(old, old_doc), _resolve(new, new_doc)
    if (id(old), id(new)) in seen:  # a recursive definition, compared already
        return
    seen.add((id(old), id(new)))
    for keyword in VALIDATING:
        if old.get(keyword) != new.get(keyword):
            found.append(_describe(path, keyword, old.get(keyword), new.get(keyword)))
    for keyword in ALTERNATIVES:
        before, after = old.get(keyword, []), new.get(keyword, [])
        if len(before) != len(after):
            found.append(f"{path}: {keyword} had {len(before)} alternatives, now {len(after)}")
            continue
        for index, (a, b) in enumerate(zip(before, after, strict=True)):
            _compare(a, b, old_doc, new_doc, f"{path}.{keyword}[{index}]", found, seen)
    _compare_properties(old, new, old_doc, new_doc, path, found, seen)
    for keyword in ("items", "additionalProperties"):
        a, b = old.get(keyword), new.get(keyword)
        if isinstance(a, dict) and isinstance(b, dict):
            _compare(a, b, old_doc, new_doc, f"{path}.{keyword}", found, seen)
        elif a != b and (isinstance(a, dict) or isinstance(b, dict) or keyword == "items"):
            found.append(_describe(path, keyword, a, b))


def _compare_properties(old: Schema, new: Schema, old_doc: Schema, new_doc: Schema, path: str,
                        found: list[str], seen: set[tuple[int, int]]) -> None:
    before, after = old.get("properties", {}), new.get("properties", {})
    was_required, is_required = set(old.get("required", ())), set(new.get("required", ()))
    for name, schema in before.items():
        where = f"{path}.{name}"
        if name not in after:
            found.append(f"{where}: removed (a rename is a removal too)")
            continue
        if name in was_required and name not in is_required:
            found.append(f"{where}: was always present, now optional")
        _compare(schema, after[name], old_doc, new_doc, where, found, seen)
    for name in after.keys() - before.keys():
        if name in is_required:
            found.append(f"{path}.{name}: a new required field (add it as optional)")


def _describe(path: str, keyword: str, before: Any, after: Any) -> str:
    if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
        removed = [v for v in before if v not in after]
        added = [v for v in after if v not in before]
        return f"{path}: enum changed (removed {removed}, added {added})"
    return f"{path}: {keyword} changed from {before!r} to {after!r}"
