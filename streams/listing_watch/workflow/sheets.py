"""Plain tables as xlsx: a bold header row, one row per record."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from listing_watch.workflow.outfiles import write_whole


def write_table(
    path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]
) -> None:
    """Write ``(sheet title, header, rows)`` tables to one workbook."""
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for column, name in zip(sheet.iter_cols(max_row=1), header, strict=True):
            sheet.column_dimensions[column[0].column_letter].width = max(
                10, min(60, 2 * len(name) + 4)
            )
    write_whole(path, book.save)
