"""Dispositions fold into a state; invalid actions are refused clearly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from listing_watch.workflow.errors import DispositionError
from listing_watch.workflow.state import fold, validate
from tests.unit.workflow.conftest import MakeDisposition


def test_new_alert_has_state_new_and_empty_history() -> None:
    state = fold([])

    assert (state.state, state.history) == ("new", ())


def test_state_follows_the_last_action_in_force(dispose: MakeDisposition) -> None:
    history = [
        dispose("takedown_requested", "2021-06-20T10:00:00+08:00"),
        dispose("takedown_confirmed", "2021-06-21T10:00:00+08:00"),
    ]

    assert fold(history).state == "taken_down"


def test_void_cancels_an_earlier_action_but_keeps_it_in_history(
    dispose: MakeDisposition,
) -> None:
    request = dispose("takedown_requested", "2021-06-20T10:00:00+08:00")
    penalty = dispose(
        "penalty",
        "2021-06-21T10:00:00+08:00",
        amount_yuan=Decimal(800),
        penalty_kind="fine",
    )
    void = dispose(
        "void",
        "2021-06-22T10:00:00+08:00",
        voids=penalty.disposition_id,
        reason="金额录错",
    )

    state = fold([void, penalty, request])

    assert state.state == "takedown_requested"
    assert [d.action for d in state.history] == [
        "takedown_requested",
        "penalty",
        "void",
    ]
    assert state.to_document()["history"][1]["voided"] is True


def test_negative_amount_is_refused(dispose: MakeDisposition) -> None:
    penalty = dispose("penalty", amount_yuan=Decimal(-1), penalty_kind="fine")

    with pytest.raises(DispositionError, match="不小于 0"):
        validate(penalty, fold([]))


def test_amount_finer_than_a_fen_is_refused(dispose: MakeDisposition) -> None:
    penalty = dispose("penalty", amount_yuan=Decimal("1.001"), penalty_kind="fine")

    with pytest.raises(DispositionError, match="两位小数"):
        validate(penalty, fold([]))


def test_zero_amount_is_accepted(dispose: MakeDisposition) -> None:
    validate(dispose("penalty", amount_yuan=Decimal(0), penalty_kind="fine"), fold([]))


def test_confirmation_needs_a_request(dispose: MakeDisposition) -> None:
    with pytest.raises(DispositionError, match="没有有效的督促下架记录"):
        validate(dispose("takedown_confirmed"), fold([]))


def test_confirmation_of_a_voided_request_is_refused(dispose: MakeDisposition) -> None:
    request = dispose("takedown_requested", "2021-06-20T10:00:00+08:00")
    void = dispose(
        "void",
        "2021-06-21T10:00:00+08:00",
        voids=request.disposition_id,
        reason="误录",
    )

    with pytest.raises(DispositionError, match="没有有效的督促下架记录"):
        validate(dispose("takedown_confirmed"), fold([request, void]))


def test_dismiss_needs_a_reason(dispose: MakeDisposition) -> None:
    with pytest.raises(DispositionError, match="--reason"):
        validate(dispose("dismiss"), fold([]))


def test_case_needs_a_number(dispose: MakeDisposition) -> None:
    with pytest.raises(DispositionError, match="--case"):
        validate(dispose("case_opened"), fold([]))


def test_forward_needs_a_known_region_code(dispose: MakeDisposition) -> None:
    with pytest.raises(DispositionError, match="'999999'"):
        validate(dispose("forwarded", unit="999999"), fold([]))


def test_dismissed_alert_must_be_reopened_before_acting(
    dispose: MakeDisposition,
) -> None:
    dismissed = fold([dispose("dismiss", reason="学校百年校庆，非违规")])

    with pytest.raises(DispositionError, match="先 reopen"):
        validate(dispose("takedown_requested"), dismissed)


def test_reopen_returns_a_dismissed_alert_to_new(dispose: MakeDisposition) -> None:
    history = [
        dispose("dismiss", "2021-06-20T10:00:00+08:00", reason="误报"),
        dispose("reopen", "2021-06-21T10:00:00+08:00"),
    ]

    assert fold(history).state == "new"


def test_void_of_unknown_disposition_is_refused(dispose: MakeDisposition) -> None:
    with pytest.raises(DispositionError, match=r"没有编号为 0+ 的处置记录"):
        validate(dispose("void", voids="0" * 32, reason="误录"), fold([]))


def test_void_of_a_void_is_refused(dispose: MakeDisposition) -> None:
    request = dispose("takedown_requested", "2021-06-20T10:00:00+08:00")
    void = dispose(
        "void",
        "2021-06-21T10:00:00+08:00",
        voids=request.disposition_id,
        reason="误录",
    )
    again = dispose("void", voids=void.disposition_id, reason="再作废")

    with pytest.raises(DispositionError, match="不能作废一条作废记录"):
        validate(again, fold([request, void]))


def test_alert_with_a_case_cannot_be_dismissed(dispose: MakeDisposition) -> None:
    opened = fold([dispose("case_opened", case_number="鄂市监案〔2021〕1号")])

    with pytest.raises(DispositionError, match="不能排除为误报"):
        validate(dispose("dismiss", reason="误报"), opened)


@pytest.mark.parametrize(
    "at", ["1999-12-31T23:00:00+08:00", "9999-12-31T23:59:59+00:00"]
)
def test_action_dated_outside_2000_to_2100_is_refused(
    dispose: MakeDisposition, at: str
) -> None:
    request = dispose("takedown_requested", at)

    with pytest.raises(DispositionError, match=r"--at .* 超出可用范围 2000-2100"):
        validate(request, fold([]))


def test_overlong_case_number_is_refused(dispose: MakeDisposition) -> None:
    opened = dispose("case_opened", case_number="案" * 201)

    with pytest.raises(DispositionError, match=r"--case 过长（201 字，最多 200 字）"):
        validate(opened, fold([]))
