"""Penalty amounts: plain yuan, two decimals at most, within a sane bound.

Field case (review, item 1): ``--amount 1e400`` reached the dispositions
topic, then Elasticsearch refused it as a non-finite double.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from listing_watch.commands.dispose import render_history
from listing_watch.workflow.dispositions import from_event, parse_amount
from listing_watch.workflow.errors import DispositionError
from listing_watch.workflow.state import fold, validate
from tests.unit.workflow.conftest import MakeDisposition


@pytest.mark.parametrize(
    "raw", ["1e400", "1E+3", "1e15", "NaN", "Infinity", "-inf", "sNaN", "0x10"]
)
def test_amount_with_exponent_or_not_a_number_is_refused(raw: str) -> None:
    with pytest.raises(DispositionError, match=r"格式不对.*--amount 5000"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["-5", "+5", "5,000", "12.345", "12.", ".5", ""])
def test_amount_with_sign_separator_or_fraction_of_a_fen_is_refused(
    raw: str,
) -> None:
    with pytest.raises(DispositionError, match="最多两位小数"):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["1000000000000.01", "12345678901234567890.12"])
def test_amount_above_the_bound_is_refused_in_plain_digits(raw: str) -> None:
    with pytest.raises(DispositionError, match=rf"{raw} 元超出上限 1000000000000 元"):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "exact"),
    [
        ("5000", "5000"),
        ("1234.50", "1234.50"),
        (" 0 ", "0"),
        ("１２.５０", "12.50"),
        ("1000000000000", "1000000000000"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_plain_amounts_are_read_exactly(raw: str, exact: str) -> None:
    assert str(parse_amount(raw)) == exact


def test_huge_amount_given_to_the_api_is_refused_before_publishing(
    dispose: MakeDisposition,
) -> None:
    penalty = dispose("penalty", amount_yuan=Decimal("1E+400"), penalty_kind="fine")

    with pytest.raises(DispositionError, match="超出上限"):
        validate(penalty, fold([]))


def test_amount_travels_as_plain_yuan_and_exact_fen(dispose: MakeDisposition) -> None:
    penalty = dispose("penalty", amount_yuan=Decimal("1E+3"), penalty_kind="fine")

    event = penalty.to_event()

    assert (event["amount_yuan"], event["amount_fen"]) == ("1000", 100000)
    assert from_event(event).amount_yuan == Decimal(1000)


def test_largest_amount_keeps_every_fen_in_the_event_and_as_a_double(
    dispose: MakeDisposition,
) -> None:
    amount = Decimal("999999999999.99")
    event = dispose("penalty", amount_yuan=amount, penalty_kind="fine").to_event()

    assert event["amount_fen"] == 99999999999999
    assert Decimal(repr(float(event["amount_yuan"]))) == amount


def test_history_prints_amounts_without_exponent(dispose: MakeDisposition) -> None:
    penalty = dispose("penalty", amount_yuan=Decimal("1E+3"), penalty_kind="fine")

    text = render_history("a1", fold([penalty]))

    assert "1000 元" in text
    assert "E+" not in text
