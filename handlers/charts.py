"""Drawing PNG charts with matplotlib, off-screen, safely from async code.

Only matplotlib's object API with the Agg canvas is used (never ``pyplot``, which keeps global
state and may pick a GUI backend), so nothing needs a display. matplotlib is not thread-safe,
so :func:`render` draws one chart at a time in a worker thread, keeping the event loop free.

Colours are the Okabe-Ito palette, distinguishable with every common colour-vision
deficiency; series also differ by marker shape, so colour is never the only cue.
"""

from __future__ import annotations

import asyncio
import io
import struct
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # matplotlib (and numpy) cost ~45 MB and 0.5 s: loaded on the first chart
    from matplotlib.figure import Figure

T = TypeVar("T")

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
GREY = "#999999"
INK = "#222222"

DPI = 150
PHONE_PORTRAIT = (1080, 1350)
"""Width and height in pixels: fills a phone screen in portrait, 4:5 like a social post."""
LANDSCAPE = (1200, 800)

_LOCK = threading.Lock()


def new_figure(size_px: tuple[int, int]) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    """A figure of exactly ``size_px`` pixels when saved by :func:`to_png`."""
    width, height = size_px
    figure = Figure(
        figsize=(width / DPI, height / DPI),
        dpi=DPI,
        layout=ConstrainedLayoutEngine(h_pad=0.12, w_pad=0.12),
    )
    figure.set_facecolor("white")
    return figure


def to_png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk; raises ``ValueError`` if it is not a PNG."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def draw_locked(draw: Callable[[], T]) -> T:
    """Run ``draw`` while no other chart is being drawn (in this process)."""
    with _LOCK:
        return draw()


async def render(draw: Callable[[], T]) -> T:
    """Run a drawing function in a worker thread, one chart at a time."""
    return await asyncio.to_thread(draw_locked, draw)
