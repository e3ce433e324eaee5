"""HTML for the report: text and attributes, every value escaped by safe.html_text.

safe.py holds the one sanitiser for each place email text is shown; the page's is `html_text`,
here as `esc`, so nothing read from an email (subjects, names, reasons, sources) becomes markup,
and nothing hides or reorders what the user reads.
"""

from __future__ import annotations

from rejectscan.safe import html_text as esc

__all__ = ["attrs", "esc"]


def attrs(**values: object) -> str:
    """' name="value"' pairs, escaped; None is left out, `class_` is `class`, `data_x` is `data-x`."""
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"'
                   for name, value in values.items() if value is not None)
