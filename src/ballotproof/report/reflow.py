"""Tables that reflow on a phone: each row becomes a card whose cells carry their column's name.

The pages are written by this package, so their tables have one shape: a first row of ``<th>``
headers, then rows of cells, and no table inside another. :func:`reflow` labels every cell with
its column (``data-label``) and marks the header row, and :data:`REFLOW_CSS` turns, below
600 px, each row into a block in which every cell reads "Column: value". Nothing is hidden and
nothing scrolls sideways. This is the "responsive data table" pattern (W3C/WAI tables tutorial,
https://www.w3.org/WAI/tutorials/tables/) with the CSS ``attr()`` generated content of CSS 2.1
§12.2.
"""

from __future__ import annotations

import re
from html import escape, unescape

__all__ = ["REFLOW_CSS", "reflow"]

REFLOW_CSS = """
@media (max-width:600px){
table.reflow,table.reflow tbody,table.reflow tr,table.reflow td,table.reflow th{display:block}
table.reflow{width:100%}
table.reflow tr.head{display:none}
table.reflow caption{display:block;text-align:left}
table.reflow tr{border-bottom:1px solid #ccc;padding:.35em 0}
table.reflow td,table.reflow th{border:0;padding:.1em .3em;text-align:left}
table.reflow [data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#444}
table.reflow [data-label=""]::before{content:none}}
"""

_TABLE = re.compile(r"(<table\b[^>]*>)(.*?)(</table>)", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"(<tr\b[^>]*>)(.*?)(</tr>)", re.IGNORECASE | re.DOTALL)
_CELL = re.compile(r"<(th|td)\b([^>]*)>(.*?)</\1>", re.IGNORECASE | re.DOTALL)
_CELL_START = re.compile(r"<(th|td)\b([^>]*)>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_CLASS = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_SPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)


def _classes(start_tag: str) -> list[str]:
    m = _CLASS.search(start_tag)
    return m.group(2).split() if m else []


def _add_class(start_tag: str, name: str) -> str:
    """``<tag ...>`` with ``name`` added to its class attribute."""
    m = _CLASS.search(start_tag)
    if m is None:
        return start_tag[:-1] + f' class="{name}">'
    q = m.group(1)
    return start_tag[: m.start()] + f"class={q}{m.group(2)} {name}{q}" + start_tag[m.end() :]


def _labels(header_row: str) -> list[str] | None:
    """The column names of a header row (``None`` if any of its cells is a ``<td>``)."""
    labels: list[str] = []
    for cell in _CELL.finditer(header_row):
        if cell.group(1).lower() != "th":
            return None
        text = " ".join(unescape(_TAGS.sub(" ", cell.group(3))).split())
        span = _SPAN.search(cell.group(2))
        labels.extend([text] * (int(span.group(1)) if span else 1))
    return labels or None


def _label_cells(row: str, labels: list[str]) -> str:
    col = 0
    out: list[str] = []
    pos = 0
    for m in _CELL_START.finditer(row):
        out.append(row[pos : m.start()])
        pos = m.end()
        tag, attrs = m.group(1), m.group(2)
        if col < len(labels) and "data-label" not in attrs:
            out.append(f'<{tag}{attrs} data-label="{escape(labels[col], quote=True)}">')
        else:
            out.append(m.group(0))
        span = _SPAN.search(attrs)
        col += int(span.group(1)) if span else 1
    out.append(row[pos:])
    return "".join(out)


def _reflow_table(m: re.Match[str], skip: frozenset[str]) -> str:
    start, body, end = m.group(1), m.group(2), m.group(3)
    if set(_classes(start)) & skip:
        return m.group(0)
    rows = list(_ROW.finditer(body))
    labels = _labels(rows[0].group(2)) if rows else None
    if labels is None:
        return m.group(0)
    out = [body[: rows[0].start()], _add_class(rows[0].group(1), "head")]
    out += [rows[0].group(2), rows[0].group(3)]
    pos = rows[0].end()
    for r in rows[1:]:
        out.append(body[pos : r.start()])
        out.append(r.group(1) + _label_cells(r.group(2), labels) + r.group(3))
        pos = r.end()
    out.append(body[pos:])
    cls = start if "reflow" in _classes(start) else _add_class(start, "reflow")
    return cls + "".join(out) + end


def reflow(html: str, *, skip: frozenset[str] = frozenset({"legend"})) -> str:
    """``html`` with every data table labelled for reflow. Tables whose class is in ``skip``
    (the map key), and tables whose first row is not all headers, are left as they are.

    >>> out = reflow("<table id='t'><tr><th>State</th><th>Margin</th></tr>"
    ...              "<tr><td>GA</td><td>11,779</td></tr></table>")
    >>> print(out.replace("</tr>", "</tr>\\n"))
    <table id='t' class="reflow"><tr class="head"><th>State</th><th>Margin</th></tr>
    <tr><td data-label="State">GA</td><td data-label="Margin">11,779</td></tr>
    </table>
    """
    return _TABLE.sub(lambda m: _reflow_table(m, skip), html)
