"""Bundles: the published source of a library, compiled like files on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from listing_watch.errors import LibraryError
from listing_watch.library import load_library
from listing_watch.library.bundle import (
    LibraryBundle,
    bundle_specs,
    compile_bundle,
    meaning_digest,
    read_bundle,
)

MakeBundle = Callable[..., LibraryBundle]


def test_bundle_compiles_to_the_same_version_as_its_files(
    make_bundle: MakeBundle, tmp_path: Path
) -> None:
    bundle = make_bundle()
    bundle.write(tmp_path / "keywords")

    assert compile_bundle(bundle).version == load_library(tmp_path / "keywords").version


def test_read_bundle_keeps_every_library_file_and_no_readme(tmp_path: Path) -> None:
    root = tmp_path / "keywords"
    (root / "terms").mkdir(parents=True)
    (root / "VERSION").write_text("4\n")
    (root / "README.md").write_text("docs")
    (root / "rules.txt").write_text("")
    (root / "terms" / "01.terms").write_bytes("\ufeff纪念章\r\n".encode())

    bundle = read_bundle(root)

    assert sorted(bundle.files) == ["VERSION", "rules.txt", "terms/01.terms"]
    assert bundle.number == 4


def test_broken_bundle_is_refused_with_its_own_file_and_line(
    make_bundle: MakeBundle,
) -> None:
    broken = make_bundle(number=3, extra_terms="党徽 weight=2\n")

    with pytest.raises(LibraryError, match=r"library@3/terms/01-test.terms:5: weight"):
        compile_bundle(broken)


def test_meaning_digest_ignores_the_number(make_bundle: MakeBundle) -> None:
    one = bundle_specs(make_bundle(number=1))
    nine = bundle_specs(make_bundle(number=9))

    assert meaning_digest(one) == meaning_digest(nine)
    assert compile_bundle(make_bundle(number=1)).version.startswith("1+")


def test_bundle_path_leaving_the_root_is_refused(tmp_path: Path) -> None:
    bundle = LibraryBundle({"../evil.txt": "x"})

    with pytest.raises(LibraryError, match="inside the library"):
        bundle.write(tmp_path)
