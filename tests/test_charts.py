"""The dashboard's server-drawn charts put each column on the gridline of its value."""

from web.charts import ColumnChart


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
