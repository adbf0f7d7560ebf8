"""The Annex 2 table as a workbook and as text, laid out like the notice.

The notice prints: the title (two lines), 填报单位 and 填报日期 (month and
day), then a three-column table 项目 / 数量 / 单位 with six rows. The
workbook adds one line under the table stating the period and the
region-code edition, so a figure can be traced to what it counted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from listing_watch.workflow.annex2 import ROWS, TITLE, Annex2
from listing_watch.workflow.outfiles import write_whole
from listing_watch.workflow.regions import EDITION
from listing_watch.workflow.routing import authority_name

SHEET: Final = "附件2"
HEADER: Final = ("项  目", "数量", "单位")
FIRST_ROW: Final = 5  # first figure row in the sheet (1-based)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def unit_line(report: Annex2) -> str:
    filled = report.filled_on
    unit = authority_name(report.period.unit)
    return f"填报单位：{unit}        填报日期：{filled.month}月{filled.day}日"


def period_line(report: Annex2) -> str:
    first, last = report.period.first, report.period.last
    return (
        f"统计期间：{first.year}年{first.month}月{first.day}日至"
        f"{last.year}年{last.month}月{last.day}日（北京时间，含首尾两日）；"
        f"单位代码 {report.period.unit.code}；行政区划代码 GB/T 2260 {EDITION} 版"
    )


def format_figure(figure: int | Decimal) -> str:
    """Whole yuan print without decimals; fen keep two places."""
    if isinstance(figure, Decimal):
        return f"{figure:.2f}" if figure != figure.to_integral() else f"{figure:.0f}"
    return str(figure)


def render_text(report: Annex2) -> str:
    """The table as printed on stdout."""
    head = TITLE[: len("整治电商领域借庆祝名义从事商业谋利活动")]
    lines = [head, TITLE[len(head) :], "", unit_line(report), ""]
    width = max(len(item) for item, _ in ROWS)
    lines.append(f"{HEADER[0]:\u3000<{width}}  {HEADER[1]:>12}  {HEADER[2]}")
    for (item, measure), figure in zip(ROWS, report.figures, strict=True):
        lines.append(f"{item:\u3000<{width}}  {format_figure(figure):>12}  {measure}")
    lines += ["", period_line(report)]
    return "\n".join(lines) + "\n"


def write_workbook(report: Annex2, path: Path) -> None:
    """Write the table to ``path`` (xlsx)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    head = TITLE[: len("整治电商领域借庆祝名义从事商业谋利活动")]
    _merged(sheet, 1, head, bold=True, size=14)
    _merged(sheet, 2, TITLE[len(head) :], bold=True, size=14)
    _merged(sheet, 3, unit_line(report), align="left")
    for column, text in enumerate(HEADER, start=1):
        cell = sheet.cell(row=4, column=column, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        cell.border = _BOX
    for offset, ((item, measure), figure) in enumerate(
        zip(ROWS, report.figures, strict=True)
    ):
        row = FIRST_ROW + offset
        value: int | float = figure if isinstance(figure, int) else float(figure)
        cells = (
            sheet.cell(row=row, column=1, value=item),
            sheet.cell(row=row, column=2, value=value),
            sheet.cell(row=row, column=3, value=measure),
        )
        if isinstance(figure, Decimal):
            cells[1].number_format = "0.00"
        for cell in cells:
            cell.border = _BOX
    _merged(sheet, FIRST_ROW + len(ROWS) + 1, period_line(report), align="left")
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 8
    write_whole(path, book.save)


def _merged(
    sheet: Any,
    row: int,
    text: str,
    *,
    bold: bool = False,
    size: int = 11,
    align: str = "center",
) -> None:
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = Font(bold=bold, size=size)
    cell.alignment = Alignment(horizontal=align)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
