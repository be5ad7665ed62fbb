"""Server-rendered SVG bar charts: plain string building, no script, no external asset.

The SVG is embedded inline in the page (CSP-safe: it carries no script and no inline event
handler). Every chart has a <title> and <desc> referenced by aria-labelledby, and the page puts
the same numbers in a table beside it, so the chart is never the only way to read a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
VALUE_WIDTH = 70
_ids = count(1)

Number = int | float | Decimal | None


def _fmt(value: Number) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Number]],
    *,
    desc: str = "",
    target: float | None = None,
    target_label: str = "",
) -> SafeString:
    """A horizontal bar chart of `(label, value)` rows; an optional vertical target line.

    Values that are None draw no bar and print "—". All text is escaped before it is marked safe.
    """
    chart_id = f"chart-{next(_ids)}"
    numbers = [float(v) for _, v in rows if v is not None]
    scale_max = max([*numbers, target or 0.0, 1e-9])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP + (18 if target is not None else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc or title)}</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y:.1f}" text-anchor="end" '
            f'font-size="13">{escape(label)}</text>'
        )
        width = 0.0 if value is None else plot * float(value) / scale_max
        if width > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="#2f6f9f"></rect>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{text_y:.1f}" '
            f'font-size="13">{escape(_fmt(value))}</text>'
        )
    if target is not None:
        x = LABEL_WIDTH + plot * target / scale_max
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 16}" stroke="#b03030" '
            f'stroke-width="2" stroke-dasharray="4 3"></line>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 3}" text-anchor="middle" font-size="12" '
            f'fill="#b03030">{escape(target_label)} {escape(_fmt(target))}</text>'
        )
    parts.append("</svg>")
    # Every interpolated label and value above passes through escape(); numbers are formatted.
    return mark_safe("".join(parts))  # nosec B703 B308
