"""The dashboard's server-drawn charts put each column on the gridline of its value."""

import re

from django.template.loader import render_to_string

from web.charts import Bar, BarChart, ColumnChart


def test_columns_end_on_the_gridline_of_their_value():
    chart = ColumnChart(
        title="Per week",
        labels=["1 Nov", "8 Nov", "15 Nov"],
        series=[("Checked", "a", [4, 2, 0]), ("Published", "b", [1, 3, 8])],
    )
    gridline_y = {line["value"]: line["y"] for line in chart.gridlines}
    assert sorted(gridline_y) == [0, 2, 4, 6, 8]
    for week in chart.geometry:
        for column in week["columns"]:
            if column["value"] in gridline_y:
                assert abs(column["y"] - gridline_y[column["value"]]) <= 1, column
    # The top gridline leaves room for its label inside the drawing.
    assert min(gridline_y.values()) >= 12


def test_a_stacked_bar_draws_its_part_with_its_own_class():
    """The disputing part of a source's bar is a rect of its own, whose colour comes from
    ``.chart__bar--part`` (the browser test checks the colour the stylesheet gives it)."""
    chart = BarChart(
        "Most cited evidence sources",
        [Bar("Coastal Ledger", 5, part=2, css="cited"), Bar("Union", 3, css="cited")],
        unit="citations",
        part_label="disputes",
        rest_label="corroborates or context",
    )
    svg = render_to_string("charts/bars.html", {"chart": chart, "id": "chart-sources"})
    rows = re.findall(r'<g class="chart__row cited">(.*?)</g>', svg, re.S)
    assert len(rows) == 2
    classes = [re.findall(r'<rect[^>]*class="([^"]+)"', row) for row in rows]
    assert classes == [["chart__bar", "chart__bar chart__bar--part"], ["chart__bar"]]
    assert 'class="key key--part"' in svg and 'class="key key--rest"' in svg
