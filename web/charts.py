"""Accessible SVG charts drawn on the server: no charting script, nothing to load.

Each chart is plain data (bars with a label, value and optional second value) that the
templates in ``templates/charts/`` draw as SVG with a <title> and a data table beside it, so
a screen reader user and a sighted user get the same numbers.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # Stacked part of the value (for example disputing citations out of all citations).
    part: int = 0
    css: str = ""
    href: str = ""


@dataclass
class BarChart:
    """Horizontal bars: label on the left, bar, value on the right."""

    title: str
    bars: list[Bar]
    unit: str = ""
    part_label: str = ""
    rest_label: str = ""
    # Small units, so the text stays readable when a phone scales the drawing down.
    width: int = 420
    label_width: int = 150
    row_height: int = 30
    geometry: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        peak = max((bar.value for bar in self.bars), default=0) or 1
        track = self.width - self.label_width - 40
        self.geometry = []
        for index, bar in enumerate(self.bars):
            length = round(track * bar.value / peak) if bar.value else 0
            part = round(track * bar.part / peak) if bar.part else 0
            self.geometry.append(
                {
                    "bar": bar,
                    "y": index * self.row_height,
                    "text_y": index * self.row_height + self.row_height // 2 + 5,
                    "x": self.label_width,
                    "length": max(length, 2 if bar.value else 0),
                    "rest": max(length - part, 0),
                    "part_x": self.label_width + max(length - part, 0),
                    "part": part,
                    "value_x": self.label_width + length + 6,
                    "short_label": bar.label if len(bar.label) <= 20 else bar.label[:19] + "…",
                }
            )

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * self.row_height


@dataclass
class ColumnChart:
    """Weekly columns of two series side by side."""

    title: str
    labels: list[str]
    series: list[tuple[str, str, list[int]]]  # (name, css class, values)
    # Drawn across the full width of the dashboard, so its units are about pixels there.
    width: int = 1100
    height: int = 240
    geometry: list[dict] = field(init=False)
    gridlines: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        highest = max((v for _, _, values in self.series for v in values), default=0)
        # Whole-number gridlines: four steps of a whole step size.
        step = max(1, -(-highest // 4))
        peak = step * 4
        slots = max(len(self.labels), 1)
        slot = (self.width - 40) / slots
        column = max(min(slot / (len(self.series) + 1), 18), 3)
        top = 18  # room for the highest gridline's label
        plot = self.height - 30
        self.geometry = []
        for index, label in enumerate(self.labels):
            columns = []
            for s_index, (name, css, values) in enumerate(self.series):
                value = values[index]
                size = round((plot - top) * value / peak)
                columns.append(
                    {
                        "name": name,
                        "css": css,
                        "value": value,
                        "x": round(40 + index * slot + s_index * column + column / 2, 1),
                        "y": plot - size,
                        "h": size,
                        "w": round(column, 1),
                    }
                )
            self.geometry.append(
                {
                    "label": label,
                    "label_x": round(40 + index * slot + slot / 2, 1),
                    "columns": columns,
                }
            )
        # On the same scale as the columns, so a column of value v ends on the gridline of v.
        self.gridlines = [
            {"y": round(plot - (plot - top) * n / 4), "value": step * n} for n in range(5)
        ]
        self.plot_height = plot
