"""Pipeline field case P6 (library file hygiene), from ../shared/cases/pipeline.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library import load_library, read_specs

CLEAN = """\
@kind party_state_symbols
@source test
党徽 weight=0.5 tags=symbol
党旗 weight=0.5 tags=symbol
"""


def _root(tmp_path: Path, name: str, raw: bytes) -> Path:
    root = tmp_path / name
    (root / "terms").mkdir(parents=True)
    (root / "VERSION").write_text("3\n", encoding="utf-8")
    (root / "terms" / "01.terms").write_bytes(raw)
    return root


def test_p6_bom_crlf_blank_lines_and_trailing_spaces_load_identically(
    tmp_path: Path,
) -> None:
    clean = _root(tmp_path, "clean", CLEAN.encode("utf-8"))
    messy_text = "\r\n".join(f"{line}   " for line in CLEAN.splitlines()) + "\r\n\r\n"
    messy = _root(tmp_path, "messy", b"\xef\xbb\xbf\r\n" + messy_text.encode("utf-8"))

    assert read_specs(messy) == read_specs(clean)
    assert load_library(messy).version == load_library(clean).version


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            CLEAN + "党徽 kind=medals_commemoratives weight=0.5\n",
            r"01.terms:5: duplicate term",
        ),
        (CLEAN + "kind=party_state_symbols weight=0.1\n", r"01.terms:5: empty term"),
        (CLEAN + "国旗 kind=flags weight=0.1\n", r"01.terms:5: unknown violation kind"),
    ],
)
def test_p6_bad_file_is_refused_and_the_library_in_force_stays(
    tmp_path: Path, raw: str, message: str
) -> None:
    in_force = load_library(_root(tmp_path, "good", CLEAN.encode("utf-8")))
    bad = _root(tmp_path, "bad", raw.encode("utf-8"))

    with pytest.raises(LibraryError, match=message) as refused:
        in_force = load_library(bad)

    assert refused.value.line == 5
    assert in_force.version.startswith("3+")
