"""Server-side SVG charts for the console: no script, no CDN, readable without JavaScript."""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280"]


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def line_chart_svg(*, title: str, labels: Sequence[str], series: Sequence[Series], width: int = 720,
                   height: int = 220) -> str:
    """A line chart of `series` over `labels` (x axis), scaled to the largest value."""
    pad_left, pad_right, pad_top, pad_bottom = 48, 12, 28, 36
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    top = max((max(s.values, default=0) for s in series), default=0) or 1
    step = plot_w / max(len(labels) - 1, 1)

    def point(i: int, value: float) -> str:
        return f"{pad_left + i * step:.1f},{pad_top + plot_h - value / top * plot_h:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" style="font:12px sans-serif">',
        f'<text x="{pad_left}" y="16" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - pad_right}" y2="{pad_top + plot_h}" '
        'stroke="#999"/>',
        f'<text x="{pad_left - 6}" y="{pad_top + 4}" text-anchor="end">{top:g}</text>',
        f'<text x="{pad_left - 6}" y="{pad_top + plot_h}" text-anchor="end">0</text>',
    ]
    if labels:
        parts.append(f'<text x="{pad_left}" y="{height - 8}">{escape(labels[0])}</text>')
        parts.append(f'<text x="{width - pad_right}" y="{height - 8}" text-anchor="end">{escape(labels[-1])}</text>')
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(point(i, v) for i, v in enumerate(s.values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        parts.append(f'<text x="{width - pad_right - 150 + 0}" y="{16 + 14 * n}" fill="{colour}">'
                     f'{escape(s.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
