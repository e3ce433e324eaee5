"""HTML text for the report: the one place that escapes, so nothing read from an email becomes markup.

Every value that reaches the page, element text and attribute values alike, goes through `esc`.
Characters HTML cannot carry (control characters, lone surrogates, non-characters) become U+FFFD,
so a hostile or broken header can neither add markup nor stop the page from being written.
"""

from __future__ import annotations

import html
import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def esc(value: object) -> str:
    """Text (or an attribute value) as HTML: &, <, >, " and ' escaped, unsafe characters replaced."""
    return html.escape(_UNSAFE.sub("\ufffd", str(value)), quote=True)


def attrs(**values: object) -> str:
    """' name="value"' pairs, escaped; None is left out, `class_` is `class`, `data_x` is `data-x`."""
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"'
                   for name, value in values.items() if value is not None)
