"""Read one markdown source file: UTF-8 text, YAML front matter with the line of every key.

The front matter is the block between a first line ``---`` and the next ``---`` line.
Line numbers are kept so that every later finding can point at ``path:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cms_sync.findings import Finding

_FENCE = "---"


@dataclass
class Document:
    """A source file split into front matter and markdown body."""

    path: Path
    meta: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int
    findings: list[Finding] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        """Line of a front-matter key, or of the opening fence when the key is absent."""
        return self.key_lines.get(key, 1)


def read_document(path: Path) -> Document | Finding:
    """Parse ``path``; return a Document, or the one Finding that makes it unreadable."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Finding(path, 1, "error", f"cannot read file: {exc.strerror}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Finding(
            path, line, "error", f"file is not UTF-8 (byte {exc.start}); save it as UTF-8"
        )
    return parse_document(path, text)


def parse_document(path: Path, text: str) -> Document | Finding:
    """Parse the text of a source file (``path`` names it in findings)."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return Finding(path, 1, "error", "no front matter: the file must start with a '---' line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE)
    except StopIteration:
        return Finding(path, 1, "error", "front matter is not closed: add a '---' line after it")
    yaml_text = "\n".join(lines[1:end])
    rest = lines[end + 1 :]
    blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest[blank:])
    body_line = end + 2 + blank  # 1-based line of the body's first non-blank line
    return _parse_front_matter(path, yaml_text, body, body_line)


def _parse_front_matter(
    path: Path, yaml_text: str, body: str, body_line: int
) -> Document | Finding:
    # The YAML starts on line 2 of the file; PyYAML marks are 0-based.
    offset = 2
    try:
        node, meta = _compose_and_load(yaml_text)
    except yaml.YAMLError as exc:
        return _yaml_error(path, exc, yaml_text.split("\n"), offset)
    if meta is None:
        meta, node = {}, None
    if not isinstance(meta, dict) or (node is not None and not isinstance(node, yaml.MappingNode)):
        return Finding(
            path, offset, "error", "front matter must be a mapping of 'key: value' lines"
        )
    doc = Document(path, meta, {}, body, body_line)
    if node is not None:
        for key_node, _value in node.value:
            key = str(key_node.value)
            line = offset + key_node.start_mark.line
            if key in doc.key_lines:
                doc.findings.append(
                    Finding(
                        path,
                        line,
                        "error",
                        f"'{key}' is set twice (first on line {doc.key_lines[key]}); keep one",
                    )
                )
            else:
                doc.key_lines[key] = line
    return doc


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a date that is not in the calendar (``2026-13-45``,
    ``2026-02-30``) stays text, for its key's check to report at its line: PyYAML would
    raise a ValueError that names neither the file nor the line; and that aliases
    (``*name``) are refused: nine nested lists of nine aliases are a billion values, which
    a message quoting the value would take minutes and gigabytes to write."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None,
                None,
                "found an alias (*name): write the value out; cms-sync does not expand "
                "anchors and aliases in front matter",
                self.peek_event().start_mark,  # type: ignore[no-untyped-call]
            )
        return super().compose_node(parent, index)


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_FastLoader: type[Any] | None = None
if hasattr(yaml, "CSafeLoader"):  # libyaml: the same YAML, parsed several times faster

    class _CLoader(yaml.CSafeLoader):
        """libyaml's safe loader with the same dates as _Loader."""

    _CLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
    _FastLoader = _CLoader


def _compose_and_load(yaml_text: str) -> tuple[yaml.Node | None, Any]:
    """The front matter's node (for the line of each key) and its value, parsed once.

    libyaml when PyYAML has it and the text holds no alias (``*``, which _Loader refuses
    with its line); an error is found again by _Loader, whose messages say what to do.
    """
    if _FastLoader is not None and "*" not in yaml_text:
        try:
            return _load_with(_FastLoader, yaml_text)
        except yaml.YAMLError:
            pass
    return _load_with(_Loader, yaml_text)


def _load_with(loader_class: type[Any], yaml_text: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        return node, (None if node is None else loader.construct_document(node))
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.YAMLError, lines: list[str], offset: int) -> Finding:
    """One finding for a YAML syntax error: what is expected, in plain words, at the line
    and column where the reader has to act (for an unclosed bracket or quote: where it
    opens), with that source line."""
    problem = str(getattr(exc, "problem", None) or str(exc).split("\n")[0])
    context = str(getattr(exc, "context", None) or "")
    mark = getattr(exc, "problem_mark", None)
    text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    message = _explain_yaml(problem, context, text[: mark.column] if mark else "") or problem
    if problem.startswith(_AT_OPENING) or "quoted scalar" in context:
        mark = getattr(exc, "context_mark", None) or mark
    if mark is None or mark.line >= len(lines):
        return Finding(path, offset, "error", f"invalid YAML in front matter: {message}")
    source = lines[mark.line]
    message = message.replace("{quote}", source[mark.column : mark.column + 1])
    return Finding(
        path,
        offset + mark.line,
        "error",
        f"invalid YAML in front matter: {message}",
        line_text=source,
        column=mark.column + 1,
    )


# Problems found after the construct that causes them: pointed at where it opens.
_AT_OPENING = ("expected ',' or ']'", "expected ',' or '}'", "could not find expected ':'")


def _explain_yaml(problem: str, context: str, before: str) -> str | None:
    """What PyYAML's ``problem`` means for someone writing front matter, in plain words
    (``before``: the problem's line up to it), or None when there is no better wording."""
    if problem.startswith("expected ',' or ']'"):
        return "expected a closing ']' for the list that starts here (items separated by ',')"
    if problem.startswith("expected ',' or '}'"):
        return "expected a closing '}' for the mapping that starts here (pairs separated by ',')"
    if "quoted scalar" in context:
        return "expected a closing quote {quote} for the text that starts here"
    if problem == "could not find expected ':'":
        return "expected a 'key: value' line; this line has no ':' after its key"
    if problem == "mapping values are not allowed here":
        if ": " in before or before.rstrip().endswith(":"):
            return "expected one ':' per line, after the key; put a value with ': ' in quotes"
        if before[:1].isspace():
            return (
                "expected a 'key: value' line at the left margin; indent only list items "
                "and the keys inside a mapping, under their key"
            )
        return "expected a 'key: value' line before this one; is a ':' missing there?"
    if problem.startswith("expected <block end>"):
        if "'-'" in problem or "sequence" in problem:
            return "indent list items under their key ('  - item'), all by the same amount"
        if "<scalar>" in problem:
            return "expected the end of the line after the closing quote; quote the whole value"
        return "expected a 'key: value' line; indent the keys of a mapping by the same amount"
    if problem.startswith("found character '\\t'"):
        return "expected spaces: YAML does not allow tabs for indenting"
    if problem.startswith(("found character", "found undefined alias")):
        return "expected a value; a value starting with this character must be in quotes"
    return None


def dump_document(meta: dict[str, Any], body: str) -> str:
    """The text of a source file: front matter in the key order given, then the body."""
    front = yaml.safe_dump(
        meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000
    )
    return f"{_FENCE}\n{front}{_FENCE}\n\n{body.strip()}\n"


_TOP_KEY = re.compile(r"^([^\s#-][^:]*):")


def update_document(text: str, meta: dict[str, Any], body: str) -> str:
    """``text`` with its front matter set to ``meta`` and its body to ``body``, changing
    only the keys whose value changed: the others keep their lines as written (quotes,
    comments, block or flow style), so a diff shows what changed and nothing else."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return dump_document(meta, body)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if end is None:
        return dump_document(meta, body)
    old = yaml.load("\n".join(lines[1:end]), Loader=_Loader) or {}
    spans: list[tuple[str | None, list[str]]] = [(None, [])]  # (key, its lines)
    for line in lines[1:end]:
        found = _TOP_KEY.match(line)
        if found:
            spans.append((found.group(1).strip(), [line]))
        else:
            spans[-1][1].append(line)
    out: list[str] = []
    for key, span in spans:
        if key is None or (key in meta and old.get(key) == meta[key]):
            out += span
        elif key in meta:
            out += _dump_key(key, meta[key], block=len(span) > 1)
    for key, value in meta.items():
        if key not in old:
            out += _dump_key(key, value, block=False)
    return (
        f"{_FENCE}\n" + "\n".join(out) + f"\n{_FENCE}\n" + _body_as_written(lines[end + 1 :], body)
    )


def _body_as_written(after: list[str], body: str) -> str:
    """``body`` after the closing fence with the file's own spacing (``after``: the file's
    lines there): the same blank lines before it; the old text byte for byte when the body
    did not change. A pull that changes a title then changes the title's line only."""
    blank = next((i for i, line in enumerate(after) if line.strip()), len(after))
    if "\n".join(after[blank:]).strip() == body.strip():
        return "\n".join(after)
    blank_lines = blank if blank < len(after) else 1  # no body before: one, as new files
    return "\n" * blank_lines + f"{body.strip()}\n"


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump_key(key: str, value: Any, block: bool) -> list[str]:
    """``key: value`` as YAML lines: lists and mappings in block style when ``block``, on
    one line otherwise."""
    options: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 1000}
    if isinstance(value, list | dict) and not block:
        flow = yaml.dump(value, Dumper=_Dumper, default_flow_style=True, **options)
        return [f"{yaml.dump(key, Dumper=_Dumper).split(chr(10))[0]}: {flow.strip()}"]
    text = str(yaml.dump({key: value}, Dumper=_Dumper, default_flow_style=False, **options))
    return text.rstrip("\n").split("\n")
