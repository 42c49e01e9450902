"""Draws bench/chart.sh's measured medians as a horizontal bar chart in SVG (stdlib only).

Input: a TSV file of groups, each opened by a line `title<TAB>text`, then one line
`command<TAB>median ms` per bar; the first bar of a group is ours and is drawn in colour.
Each group has its own scale (its slowest bar fills the width). Usage:

    python3 bench/svg_chart.py figures.tsv "caption" > docs/speed.svg
"""

import sys
from xml.sax.saxutils import escape

WIDTH = 720
LABEL_WIDTH = 230
BAR_AREA = WIDTH - LABEL_WIDTH - 90
BAR_HEIGHT = 22
BAR_GAP = 8
TITLE_HEIGHT = 30
GROUP_GAP = 18
OURS = "#d97706"
THEIRS = "#9ca3af"


def read_groups(path):
    groups = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            key, value = line.rstrip("\n").split("\t")
            if key == "title":
                groups.append((value, []))
            else:
                groups[-1][1].append((key, float(value)))
    return groups


def milliseconds(value):
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def draw(groups, caption):
    parts = []
    y = 10
    for title, bars in groups:
        y += TITLE_HEIGHT
        parts.append(f'<text x="10" y="{y - 10}" class="title">{escape(title)}</text>')
        slowest = max(ms for _, ms in bars)
        for index, (name, ms) in enumerate(bars):
            length = max(2.0, BAR_AREA * ms / slowest)
            colour = OURS if index == 0 else THEIRS
            middle = y + BAR_HEIGHT / 2 + 5
            parts.append(f'<text x="{LABEL_WIDTH - 10}" y="{middle}" class="label">{escape(name)}</text>')
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{colour}"/>'
            )
            parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle}" class="value">{milliseconds(ms)}</text>')
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    parts.append(f'<text x="10" y="{y}" class="caption">{escape(caption)}</text>')
    height = y + 12
    style = (
        "text{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;fill:#374151}"
        ".title{font-size:14px;font-weight:600}.label{font-size:13px;text-anchor:end}"
        ".value{font-size:12px}.caption{font-size:11px;fill:#6b7280}"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img">\n'
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n<style>{style}</style>\n' + "\n".join(parts) + "\n</svg>\n"
    )


if __name__ == "__main__":
    sys.stdout.write(draw(read_groups(sys.argv[1]), sys.argv[2]))
