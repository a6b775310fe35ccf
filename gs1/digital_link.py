"""GS1 Digital Link URIs (GS1 Digital Link URI syntax 1.x): `https://domain/stem/01/…/10/…?17=…`.

The primary key and its qualifiers are read from the end of the path (anything before them is
the resolver's own stem); query parameters whose names are all digits are AIs, other
parameters are the resolver's and are ignored. Nothing is padded or guessed: a 13-digit GTIN
in the path is an error, as are duplicate, empty or unknown AIs, a qualifier that belongs in
the path, and a bad check digit.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from gs1.element import Element, Problem
from gs1.message import Message, checked_message
from gs1.table import AI, lookup

_SCHEME = re.compile(r"^(https?|HTTPS?)://")
_SCHEME_ANY_CASE = re.compile(r"^https?://", re.I)
# RFC 3986 unreserved and reserved characters, and % for escapes.
_URI_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                       "-._~:/?#[]@!$&'()*+,;=%")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d*)?$")


def looks_like_digital_link(text: str) -> bool:
    """True for text starting with http:// or https:// in lower or upper case (not mixed)."""
    return _SCHEME.match(text) is not None


def looks_like_uri(text: str) -> bool:
    """True for text starting with http:// or https:// in any case."""
    return _SCHEME_ANY_CASE.match(text) is not None


def _fail(message: str, ai: str | None = None) -> Message:
    return Message((), (Problem(ai, message),))


def read_digital_link(uri: str) -> Message:
    """Read a GS1 Digital Link URI into element strings: the path's first, then the query's."""
    if not looks_like_digital_link(uri):
        return _fail("a GS1 Digital Link starts with http:// or https:// (lower or upper case)")
    bad = next((c for c in uri if c not in _URI_CHARS), None)
    if bad is not None:
        return _fail(f"the URI holds {bad!r}, which a URI may not contain")
    rest = uri.split("://", 1)[1].split("#", 1)[0]
    rest, _, query = rest.partition("?")
    host, slash, path = rest.partition("/")
    if not host or not slash:
        return _fail("the URI needs a domain and a path")
    if not _HOST.match(host):
        return _fail(f"the domain {host!r} holds characters a domain may not have")
    path_elements = _path_elements(path.split("/"))
    if isinstance(path_elements, Message):
        return path_elements
    key = lookup(path_elements[0][0])
    query_elements = _query_elements(query, key, [ai for ai, _ in path_elements])
    if isinstance(query_elements, Message):
        return query_elements
    elements = path_elements + query_elements
    seen: set[str] = set()
    for ai, _ in elements:
        if ai in seen:
            return _fail(f"({ai}) appears twice in the URI", ai)
        seen.add(ai)
    return checked_message(elements, [])


def _path_elements(segments: list[str]) -> list[Element] | Message:
    """The key-qualifier pairs at the end of the path (the first start that fits)."""
    starts = [i for i in range(len(segments)) if (len(segments) - i) % 2 == 0
              and (entry := lookup(segments[i])) is not None and entry.dl_key]
    for i in starts:
        pairs = [(segments[j], segments[j + 1]) for j in range(i, len(segments), 2)]
        entry = lookup(pairs[0][0])
        assert entry is not None
        if _fits(entry, [ai for ai, _ in pairs[1:]]):
            return _decode(pairs, "path")
    if starts:
        entry = lookup(segments[starts[0]])
        assert entry is not None
        after = [segments[j] for j in range(starts[0] + 2, len(segments), 2)]
        return _fail(f"({entry.ai}) in the path is followed by {', '.join(after)}, which are not "
                     f"its qualifiers in order ({_qualifier_words(entry)})", entry.ai)
    return _fail("no GS1 Digital Link primary key (such as /01/ or /00/) in the path")


def _qualifier_words(entry: AI) -> str:
    if not entry.dl_qualifiers:
        return "it takes none"
    return " or ".join("/".join(seq) for seq in entry.dl_qualifiers)


def _fits(key: AI, qualifiers: list[str]) -> bool:
    """True when the qualifiers follow one of the key's sequences, in order, each at most once."""
    if not qualifiers:
        return True
    for seq in key.dl_qualifiers:
        pos = 0
        for q in qualifiers:
            if q not in seq[pos:]:
                break
            pos = seq.index(q, pos) + 1
        else:
            return True
    return False


def _decode(pairs: list[tuple[str, str]], where: str) -> list[Element] | Message:
    out: list[Element] = []
    for ai, raw in pairs:
        value = unquote(raw.replace("+", " ") if where == "query" else raw, errors="strict")
        if value == "":
            return _fail(f"({ai}) has an empty value in the {where}", ai)
        if "\x00" in value:
            return _fail(f"({ai}) holds a NUL character in the {where}", ai)
        out.append((ai, value))
    return out


def _query_elements(query: str, key: AI | None, path_ais: list[str]) -> list[Element] | Message:
    pairs: list[tuple[str, str]] = []
    for param in query.split("&"):
        name, eq, value = param.partition("=")
        if not eq or not name.isdigit():
            continue  # a resolver's own parameter (linkType=…, a singleton): not GS1 data
        entry = lookup(name)
        if entry is None:
            return _fail(f"({name}) in the query is not a GS1 Application Identifier", name)
        if key is not None and name not in path_ais and _fits(key, _inserted(key, path_ais, name)):
            return _fail(f"({name}) is a qualifier of ({key.ai}) and belongs in the path", name)
        if not entry.dl_attribute and not entry.dl_key:
            return _fail(f"({name}) may not be a data attribute of a Digital Link", name)
        pairs.append((name, value))
    return _decode(pairs, "query")


def _inserted(key: AI, path_ais: list[str], ai: str) -> list[str]:
    """The path's qualifiers with one more, in the order of the key's sequence holding it."""
    qualifiers = path_ais[1:] + [ai]
    for seq in key.dl_qualifiers:
        if ai in seq:
            return sorted(qualifiers, key=lambda q: seq.index(q) if q in seq else -1)
    return qualifiers


# Characters a Digital Link keeps as they are in a path or query value; all others are %-escaped.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_BASE = re.compile(r"^https?://[^/?#]+(/[^?#]*)?$")


def _escaped(value: str) -> str:
    return "".join(c if c in _UNRESERVED else "".join(f"%{b:02X}" for b in c.encode())
                   for c in value)


def digital_link(base: str, elements: list[Element] | tuple[Element, ...]) -> str:
    """Build the uncompressed Digital Link URI of element strings under `base`
    (`https://id.example.com` or with a path stem): the primary key and its qualifiers in the
    path, in the order of the key's sequence, the other AIs as query attributes.

    Every element and the message rules are checked first, and the URI is read back to the
    same element strings; a problem raises ValueError naming the AI and the rule.
    """
    if not _BASE.match(base) or not looks_like_digital_link(base):
        raise ValueError(f"the Digital Link base {base!r} must be http(s)://domain[/path]")
    problem = next(iter(checked_message(list(elements), []).problems), None)
    if problem is not None:
        raise ValueError(problem.message)
    keys = [ai for ai, _ in elements if (entry := lookup(ai)) is not None and entry.dl_key]
    if len(keys) != 1:
        raise ValueError("a Digital Link holds exactly one primary key such as (01) or (00), "
                         f"not {len(keys)}")
    key = lookup(keys[0])
    assert key is not None
    values = dict(elements)
    sequence = next((seq for seq in key.dl_qualifiers
                     if _fits(key, [ai for ai in seq if ai in values])), ())
    path = [key.ai] + [ai for ai in sequence if ai in values]
    query = [ai for ai, _ in elements if ai not in path]
    for ai in query:
        entry = lookup(ai)
        if entry is None or not entry.dl_attribute:
            raise ValueError(f"({ai}) may not be a data attribute of a Digital Link")
    uri = base.rstrip("/") + "".join(f"/{ai}/{_escaped(values[ai])}" for ai in path)
    if query:
        uri += "?" + "&".join(f"{ai}={_escaped(values[ai])}" for ai in query)
    back = read_digital_link(uri)
    if back.problems or sorted(back.elements) != sorted(elements):
        shown = back.problems[0].message if back.problems else "other element strings"
        raise ValueError(f"the Digital Link {uri!r} does not read back: {shown}")
    return uri
