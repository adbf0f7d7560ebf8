"""An alert's disposition state: a fold of its history, and what may follow.

History is kept whole; state is recomputed from the actions that were not
voided, in the order they were recorded. Worked example::

    takedown_requested            state takedown_requested
    penalty 5000 (id p1)          state penalised
    void p1 "金额录错"            state takedown_requested (p1 counts nowhere)
    penalty 500                   state penalised

Validation refuses what cannot be true (a confirmation without a request)
or would hide a mistake (acting on a dismissed alert without reopening it).
Messages are for investigators, so they are Chinese and say what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from listing_watch.workflow.days import FIRST_DAY, LAST_DAY
from listing_watch.workflow.dispositions import (
    ACTION_NAMES,
    PENALTY_KINDS,
    PENALTY_NAMES,
    Disposition,
    check_amount,
)
from listing_watch.workflow.errors import DispositionError
from listing_watch.workflow.regions import name_of

State = Literal[
    "new",
    "dismissed",
    "rectification_requested",
    "takedown_requested",
    "taken_down",
    "case_opened",
    "penalised",
    "forwarded",
    "escalated",
]

# Longest value of a keyword field. Elasticsearch refuses a term over
# 32766 bytes; a name or number this long is a paste gone wrong anyway.
MAX_KEYWORD_CHARS: Final = 200
_KEYWORD_OPTIONS: Final = (
    ("by", "--by"),
    ("case_number", "--case"),
    ("decision", "--decision"),
    ("unit", "--unit"),
    ("voids", "--voids"),
)

STATE_NAMES: Final[dict[str, str]] = {
    "new": "待处置",
    "dismissed": "已排除",
    "rectification_requested": "已督促整改",
    "takedown_requested": "待平台下架",
    "taken_down": "已下架",
    "case_opened": "已立案",
    "penalised": "已罚没",
    "forwarded": "已移送",
    "escalated": "已上报",
}

_STATE_AFTER: Final[dict[str, State]] = {
    "dismiss": "dismissed",
    "reopen": "new",
    "rectification_requested": "rectification_requested",
    "takedown_requested": "takedown_requested",
    "takedown_confirmed": "taken_down",
    "case_opened": "case_opened",
    "penalty": "penalised",
    "forwarded": "forwarded",
    "escalated": "escalated",
}


@dataclass(frozen=True, slots=True)
class AlertState:
    """An alert's state, the actions in force, and its whole history."""

    state: State
    active: tuple[Disposition, ...]
    history: tuple[Disposition, ...]

    @property
    def voided_ids(self) -> frozenset[str]:
        return frozenset(d.voids for d in self.history if d.voids)

    def has_active(self, action: str) -> bool:
        return any(d.action == action for d in self.active)

    def to_document(self) -> dict[str, Any]:
        """The ``disposition`` object of the alert document."""
        voided = self.voided_ids
        last = self.history[-1] if self.history else None
        cases = {d.case_number for d in self.active if d.case_number}
        return {
            "state": self.state,
            "state_name": STATE_NAMES[self.state],
            "actions": sorted({d.action for d in self.active}),
            "case_numbers": sorted(cases),
            "updated_at": last.at.isoformat() if last else None,
            "by": last.by if last else None,
            "history": [
                {**d.to_event(), "voided": d.disposition_id in voided}
                for d in self.history
            ],
        }


def fold(history: Sequence[Disposition]) -> AlertState:
    """The state after ``history`` (in recorded order), voids applied."""
    ordered = tuple(sorted(history, key=lambda d: (d.at, d.disposition_id)))
    voided = {d.voids for d in ordered if d.action == "void"}
    active = tuple(
        d for d in ordered if d.action != "void" and d.disposition_id not in voided
    )
    state: State = "new"
    for disposition in active:
        state = _STATE_AFTER[disposition.action]
    return AlertState(state, active, ordered)


def validate(candidate: Disposition, current: AlertState) -> None:
    """Refuse ``candidate`` with a :class:`DispositionError` saying why."""
    _check_fields(candidate)
    if candidate.action == "void":
        _check_void(candidate, current)
        return
    if current.state == "dismissed" and candidate.action != "reopen":
        raise DispositionError(
            f"告警 {candidate.alert_id} 已排除为误报，不能再记录"
            f"“{ACTION_NAMES[candidate.action]}”；如需处置，请先 reopen"
        )
    if candidate.action == "reopen" and current.state != "dismissed":
        raise DispositionError(
            f"告警 {candidate.alert_id} 当前状态为“{STATE_NAMES[current.state]}”，"
            "只有已排除的告警可以重新打开"
        )
    if candidate.action == "dismiss":
        _check_dismiss(candidate, current)
    if candidate.action == "takedown_confirmed":
        _check_confirmation(candidate, current)


def _check_fields(candidate: Disposition) -> None:
    action = candidate.action
    if not candidate.by.strip():
        raise DispositionError("请用 --by 填写处置人姓名")
    _check_lengths(candidate)
    if not FIRST_DAY <= candidate.at.date() <= LAST_DAY:
        raise DispositionError(
            f"处置时间 --at {candidate.at.isoformat()} 超出可用范围 "
            f"{FIRST_DAY.year}-{LAST_DAY.year} 年；请核对年份"
        )
    if action in ("dismiss", "void") and not candidate.reason.strip():
        raise DispositionError(
            f'“{ACTION_NAMES[action]}”必须说明理由：请加 --reason "..."'
        )
    if action == "case_opened" and not candidate.case_number:
        raise DispositionError("立案必须填写案件编号：请加 --case 编号")
    if action == "penalty":
        _check_penalty(candidate)
    if action == "forwarded":
        _check_forward(candidate)
    if action == "void" and not candidate.voids:
        raise DispositionError("作废必须指明被作废的处置记录：请加 --voids 处置编号")


def _check_penalty(candidate: Disposition) -> None:
    amount = candidate.amount_yuan
    if amount is None:
        raise DispositionError("罚没必须填写金额（元）：请加 --amount 金额")
    check_amount(amount)
    if candidate.penalty_kind not in PENALTY_KINDS:
        kinds = "、".join(f"{k}（{PENALTY_NAMES[k]}）" for k in PENALTY_KINDS)
        raise DispositionError(
            f"罚没类型 {candidate.penalty_kind!r} 无效，应为 {kinds}"
        )


def _check_lengths(candidate: Disposition) -> None:
    for name, option in _KEYWORD_OPTIONS:
        value = getattr(candidate, name) or ""
        if len(value) > MAX_KEYWORD_CHARS:
            raise DispositionError(
                f"{option} 过长（{len(value)} 字，最多 {MAX_KEYWORD_CHARS} 字）；"
                "请核对是否粘贴了多余内容"
            )


def _check_forward(candidate: Disposition) -> None:
    unit = candidate.unit or ""
    if name_of(unit) is None:
        raise DispositionError(
            f"移送单位代码 {unit!r} 不是有效的行政区划代码（GB/T 2260），"
            "例如 330100（杭州市）"
        )


def _check_dismiss(candidate: Disposition, current: AlertState) -> None:
    for blocking in ("case_opened", "penalty"):
        if current.has_active(blocking):
            raise DispositionError(
                f"告警 {candidate.alert_id} 已有“{ACTION_NAMES[blocking]}”记录，"
                "不能排除为误报；如系误录，请先 void 该记录"
            )


def _check_confirmation(candidate: Disposition, current: AlertState) -> None:
    if not current.has_active("takedown_requested"):
        raise DispositionError(
            f"告警 {candidate.alert_id} 没有有效的督促下架记录，不能确认下架；"
            "请先记录 takedown_requested"
        )
    if current.has_active("takedown_confirmed"):
        raise DispositionError(f"告警 {candidate.alert_id} 已确认下架")


def _check_void(candidate: Disposition, current: AlertState) -> None:
    targets = {d.disposition_id: d for d in current.history}
    target = targets.get(candidate.voids or "")
    if target is None:
        raise DispositionError(
            f"告警 {candidate.alert_id} 没有编号为 {candidate.voids} 的处置记录；"
            f"用 listing-watch dispose {candidate.alert_id} --show 查看历史"
        )
    if target.action == "void":
        raise DispositionError("不能作废一条作废记录；请重新记录原处置")
    if target.disposition_id in current.voided_ids:
        raise DispositionError(f"处置记录 {target.disposition_id} 已被作废")
    if target.action == "takedown_requested" and current.has_active(
        "takedown_confirmed"
    ):
        raise DispositionError("该督促下架已被确认；请先作废确认下架记录")
