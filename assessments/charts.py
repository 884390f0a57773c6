"""Server-rendered SVG charts: no JavaScript, no CDN; every bar and point is a link."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Point:
    value: float | None
    href: str = ""
    title: str = ""


@dataclass
class Series:
    name: str
    color: str
    points: list[Point] = field(default_factory=list)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _link(href: str, title: str, inner: str) -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    if not href:
        return f"<g>{tip}{inner}</g>"
    return f'<a href="{escape(href)}">{tip}{inner}</a>'


def chart(
    *,
    labels: list[str],
    bars: Series | None = None,
    lines: list[Series] = (),
    title: str,
    width: int = 480,
    height: int = 250,
    percent: bool = True,
) -> SafeString:
    """Bars (left axis, counts) and lines (right axis: fractions 0..1 shown as %, or plain
    numbers when ``percent`` is False) over the same x labels."""
    left, right, top, bottom = 40, 44, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)
    step = plot_w / n
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    bar_max = _nice_max(max((p.value or 0 for p in bars.points), default=0)) if bars else 1
    line_max = (
        1.0
        if percent
        else _nice_max(max((p.value or 0 for s in lines for p in s.points), default=0))
    )
    for i in range(5):  # grid and axes labels
        y = top + plot_h - plot_h * i / 4
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        if bars:
            out.append(
                f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
                f"{bar_max * i / 4:g}</text>"
            )
        if lines:
            v = line_max * i / 4
            txt = f"{v * 100:.0f}%" if percent else f"{v:g}"
            out.append(f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" class="axis">{txt}</text>')
    if bars:
        bw = max(step * 0.62, 2)
        for i, p in enumerate(bars.points):
            h = plot_h * (p.value or 0) / bar_max
            x = left + i * step + (step - bw) / 2
            rect = (
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bw:.1f}" '
                f'height="{max(h, 0.5):.1f}" fill="{bars.color}" rx="2"/>'
            )
            out.append(_link(p.href, p.title, rect))
    for s in lines:
        coords = []
        for i, p in enumerate(s.points):
            if p.value is None:
                coords.append(None)
                continue
            x = left + i * step + step / 2
            y = top + plot_h - plot_h * min(p.value, line_max) / line_max
            coords.append((x, y, p))
        segment: list[str] = []
        for c in [*coords, None]:
            if c is None:
                if len(segment) > 1:
                    out.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" '
                        f'stroke="{s.color}" stroke-width="2"/>'
                    )
                segment = []
            else:
                segment.append(f"{c[0]:.1f},{c[1]:.1f}")
        for c in coords:
            if c:
                dot = f'<circle cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="4" fill="{s.color}"/>'
                out.append(_link(c[2].href, c[2].title, dot))
    every = max(1, math.ceil(n / 7))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = left + i * step + step / 2
            out.append(
                f'<text x="{x:.1f}" y="{height - bottom + 16}" class="axis" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped


def legend(series: list[Series]) -> SafeString:
    items = "".join(
        f'<span class="legend-item"><i style="background:{s.color}"></i>{escape(s.name)}</span>'
        for s in series
    )
    return mark_safe(f'<div class="legend">{items}</div>')  # noqa: S308 - escaped above
