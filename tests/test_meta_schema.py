"""Meta values against the JSON schema a site registers for them (site_fields.schema_problem),
before anything is sent: what WordPress's rest_validate_value_from_schema would refuse with a
400 once the post is on its way. test_fields.py shows it against the real site; these are the
schema keywords one by one."""

from __future__ import annotations

import pytest

from cms_sync.site_fields import schema_problem

STRINGS = {"type": "array", "items": {"type": "string"}}
LINK = {
    "type": "object",
    "properties": {"url": {"type": "string", "format": "uri"}, "rel": {"type": "string"}},
    "required": ["url"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("value", "schema", "problem"),
    [
        (["a", "b"], STRINGS, None),
        (["a", 1], STRINGS, "'m[1]' is registered as string"),
        ([{"a": "b"}], STRINGS, "'m[0]' is registered as string"),
        ("a", STRINGS, "'m' is registered as array"),
        ({"url": "https://x"}, LINK, None),
        ({"rel": "next"}, LINK, "'m' is registered with the property url"),
        ({"url": "u", "size": 1}, LINK, "'m' is registered with the properties url, rel only"),
        ({"url": 5}, LINK, "'m.url' is registered as string"),
        ([{"url": "u"}, {"url": []}], {"type": "array", "items": LINK}, "'m[1].url' is regis"),
        ({"x": 1}, {"type": "object", "additionalProperties": {"type": "string"}}, "'m.x' is"),
        ("b", {"type": "string", "enum": ["a", "c"]}, "'m' is registered as one of 'a', 'c'"),
        (11, {"type": "integer", "maximum": 10}, "'m' is registered as at most 10"),
        (
            0,
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            "'m' is registered as above 0",
        ),
        (3, {"type": "number", "multipleOf": 2}, "'m' is registered as a multiple of 2"),
        ("abc", {"type": "string", "maxLength": 2}, "'m' is registered with at most 2 characters"),
        ("abc", {"type": "string", "pattern": "^[0-9]+$"}, "'m' is registered to match ^[0-9]+$"),
        ([1, 2, 3], {"type": "array", "maxItems": 2}, "'m' is registered with at most 2 items"),
        ([1, 1], {"type": "array", "uniqueItems": True}, "'m' is registered with unique items"),
        ("x", {"type": ["string", "null"]}, None),
        (True, {"type": ["integer", "string"]}, "'m' is registered as integer or string"),
        (1, {"anyOf": [{"type": "string"}, {"type": "boolean"}]}, "'m' matches none of the 2"),
        ("1", {"type": "integer"}, "'m' is registered as integer"),
    ],
)
def test_a_value_is_checked_as_far_as_the_schema_says(value, schema, problem):
    found = schema_problem(value, schema, "m")
    if problem is None:
        assert found is None
    else:
        assert found is not None and found[0].startswith(problem), found
