"""Charts as inline SVG: one place for the settings that make them reproducible.

Every chart of every report is drawn inside :func:`pyplot` (the Agg backend; a fixed hash salt
so element ids do not change between runs; text kept as text) and turned into an ``<svg>``
element by :func:`svg`, without the file's date, so the same input gives the same page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["pyplot", "svg"]


@contextmanager
def pyplot() -> Iterator[Any]:
    """``matplotlib.pyplot`` set up for reproducible inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"svg.hashsalt": "ballotproof", "svg.fonttype": "none"}):
        yield plt


def svg(plt: Any, fig: Any) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no date); closes the figure."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]
