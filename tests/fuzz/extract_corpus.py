#!/usr/bin/env python3
"""Seed corpus for the fuzz targets, from the vendor reference's examples.

    tests/fuzz/extract_corpus.py [../shared/marin-social-api.txt]

Writes, under tests/fuzz/corpus/:
  page_parser/ref-*.json     every example answer body of the reference
  record_mapper/ref-*.json   every record those bodies hold (list items,
                             single objects), one JSON object per file
and tests/fuzz/marin.dict, the libFuzzer dictionary: JSON tokens, every key
of the examples and every API field of model/table_spec.cpp.

The reference lives outside the repository, so the output is committed; run
this again only when the reference changes. It rewrites the ref-* files and
leaves the hand-made seeds (quirk-*) alone. Python 3 standard library only.

The examples are not all valid JSON: "[...]" / "{...}" lines stand for more
items, a bare {{JSON_...}} for a JSON value, and some lack a comma. Those are
repaired (placeholders dropped, commas fixed); a body that still does not
parse is kept as it is, as a seed of the error path.
"""

import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
DEFAULT_REFERENCE = REPO.parent / "shared" / "marin-social-api.txt"


def block_end(lines, start):
    """Index of the line that closes the bracket opened at lines[start]."""
    depth, in_string, escaped = 0, False, False
    for j in range(start, len(lines)):
        for c in lines[j]:
            if in_string:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    in_string = False
            elif c == '"':
                in_string = True
            elif c in "{[":
                depth += 1
            elif c in "}]":
                depth -= 1
        if depth == 0:
            return j
    raise SystemExit(f"unterminated JSON block at line {start + 1}")


def example_blocks(lines):
    """(title, method, text) of each JSON block that starts in column 0."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip() not in ("{", "["):
            i += 1
            continue
        j = block_end(lines, i)
        title, method = "", ""
        for k in range(i - 1, -1, -1):  # the request above: "curl -X GET", its title above that
            if lines[k].startswith("curl -X "):
                method = lines[k].split()[2].lower()
                title = next((lines[t].strip() for t in range(k - 1, -1, -1) if lines[t].strip()), "")
                break
        yield title, method, "\n".join(lines[i:j + 1]) + "\n"
        i = j + 1


def repaired(text):
    """The example as valid JSON, or None."""
    kept = [l for l in text.split("\n") if l.strip().rstrip(",") not in ("[...]", "{...}")]
    out = "\n".join(kept)
    out = re.sub(r"(?<!\")\{\{[A-Z_]+\}\}(?!\")", "{}", out)  # "rule": {{JSON_FACEBOOK_RULE}}
    # A value line followed by a line starting a new member or item: missing comma.
    out = re.sub(r'(["\d\]}el])(\n\s*["{\[])', r"\1,\2", out)
    out = re.sub(r",(\s*[\]}])", r"\1", out)  # trailing commas left by dropped placeholders
    try:
        json.loads(out)
    except json.JSONDecodeError:
        return None
    return out


def records(body):
    """The API records an answer body holds."""
    if isinstance(body, list):
        return [r for r in body if isinstance(r, dict)]
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return [r for r in data if isinstance(r, dict)]
        if isinstance(data, dict):
            return [data]
        if data is None and "id" in body:
            return [body]
    return []


def keys_of(value, into):
    if isinstance(value, dict):
        for k, v in value.items():
            into.add(k)
            keys_of(v, into)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, into)


def dict_entry(token):
    """A libFuzzer dictionary line: quoted, with backslash, quote and \\xNN escapes."""
    out = []
    for b in token.encode("utf-8"):
        c = chr(b)
        if c in '\\"':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append(f"\\x{b:02X}")
    return '"' + "".join(out) + '"\n'


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "example"


def main():
    reference = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE
    lines = reference.read_text(encoding="utf-8").split("\n")
    pages = HERE / "corpus" / "page_parser"
    mapper = HERE / "corpus" / "record_mapper"
    for d in (pages, mapper):
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("ref-*"):
            old.unlink()

    keys, seen_records, unparsed = set(), set(), 0
    for n, (title, method, text) in enumerate(example_blocks(lines), start=1):
        name = f"ref-{n:02d}-{method or 'any'}-{slug(title)}"
        fixed = repaired(text)
        if fixed is None:
            unparsed += 1
            (pages / f"{name}-invalid.json").write_text(text, encoding="utf-8")
            continue
        (pages / f"{name}.json").write_text(fixed, encoding="utf-8")
        body = json.loads(fixed)
        keys_of(body, keys)
        for m, record in enumerate(records(body), start=1):
            compact = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            if compact in seen_records:
                continue
            seen_records.add(compact)
            (mapper / f"{name}-{m}.json").write_text(compact + "\n", encoding="utf-8")

    table_spec = (REPO / "model" / "table_spec.cpp").read_text(encoding="utf-8")
    keys.update(f for f in re.findall(r'\{"\w+", "(\w+)", \w+, \w+\}', table_spec))
    keys.update(["data", "range", "total", "limit", "nb_pages", "page", "results", "next",
                 "message", "errors", "error"])
    tokens = ["{", "}", "[", "]", ":", ",", '""', "null", "true", "false", "-0", "1e400", "0.5",
              "\\u0000", "\\ud83d\\ude00", "\\\"", "2018-01-01T08:00:00+0000", "2017-11-28T10:18:11+00:00",
              "2024-02-29", "9223372036854775808", "<html>"]
    with open(HERE / "marin.dict", "w", encoding="utf-8") as dict_file:
        dict_file.write("# libFuzzer dictionary, written by tests/fuzz/extract_corpus.py\n")
        for t in tokens:
            dict_file.write(dict_entry(t))
        for k in sorted(keys):
            dict_file.write(dict_entry(f'"{k}"'))

    print(f"{len(list(pages.glob('ref-*')))} page bodies ({unparsed} kept unrepaired), "
          f"{len(seen_records)} records, {len(keys)} dictionary keys")


if __name__ == "__main__":
    main()
