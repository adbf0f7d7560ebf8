"""Dispositions: an investigator's recorded actions on an alert.

Each action is one immutable event; an alert's state is a fold of its
history (:mod:`listing_watch.workflow.state`). Mistakes are not edited
away: ``void`` cancels an earlier action, which then counts nowhere, and
both stay in the history.

The actions follow the notice's section 3: dismiss a false alert, ask the
platform to correct a lead without a clear legal basis
(``rectification_requested``) or to take a listing down, open a case,
record a fine or confiscation, forward to the seller's bureau, escalate to
the provincial bureau.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal, get_args

from listing_watch.workflow.errors import DispositionError

Action = Literal[
    "dismiss",
    "rectification_requested",
    "takedown_requested",
    "takedown_confirmed",
    "case_opened",
    "penalty",
    "forwarded",
    "escalated",
    "reopen",
    "void",
]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)

PenaltyKind = Literal["fine", "confiscation"]
PENALTY_KINDS: Final[tuple[PenaltyKind, ...]] = get_args(PenaltyKind)

# What investigators read in history, Kibana and the report.
ACTION_NAMES: Final[dict[str, str]] = {
    "dismiss": "排除误报",
    "rectification_requested": "督促整改",
    "takedown_requested": "督促下架",
    "takedown_confirmed": "确认下架",
    "case_opened": "立案",
    "penalty": "罚没",
    "forwarded": "移送",
    "escalated": "上报省局",
    "reopen": "重新打开",
    "void": "作废",
}
PENALTY_NAMES: Final[dict[str, str]] = {"fine": "罚款", "confiscation": "没收"}

# A bound well above any administrative penalty, low enough that the fen
# count fits a ``long`` and the index's double keeps every fen (15
# significant digits: 999999999999.99).
MAX_AMOUNT_YUAN: Final = Decimal(10) ** 12
# Plain decimal yuan, at most two places: no sign, exponent or separators.
_AMOUNT_TEXT: Final = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRef:
    """What a disposition copies from its alert, so reports need no join.

    ``units`` are the reporting units covering the seller's region
    (:func:`listing_watch.workflow.regions.units_of`).
    """

    alert_id: str
    listing_key: str
    platform: str
    shop_id: str | None = None
    region_code: str | None = None
    units: tuple[str, ...] = ()
    observed_at: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Disposition:
    """One action on one alert, as published and indexed.

    ``amount_yuan`` is exact (a ``Decimal``) and travels as a plain decimal
    string, so sums in the report are exact to the fen; the event also
    carries ``amount_fen``, an integer Kibana can sum exactly.
    """

    disposition_id: str
    alert: AlertRef
    action: Action
    by: str
    at: datetime
    reason: str = ""
    case_number: str | None = None
    amount_yuan: Decimal | None = None
    penalty_kind: PenaltyKind | None = None
    decision: str | None = None
    unit: str | None = None
    voids: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def alert_id(self) -> str:
        return self.alert.alert_id

    @property
    def penalty_ref(self) -> str:
        """A penalty's identity: its decision number, else this disposition.

        The same penalty decision recorded on several alerts of one case
        counts once in Annex 2 row 6.
        """
        return f"decision:{self.decision}" if self.decision else self.disposition_id

    def to_event(self) -> dict[str, Any]:
        """The event on the dispositions topic and the indexed document."""
        event: dict[str, Any] = {
            "disposition_id": self.disposition_id,
            "alert_id": self.alert_id,
            "action": self.action,
            "action_name": ACTION_NAMES[self.action],
            "by": self.by,
            "@timestamp": self.at.isoformat(),
            "listing": {"key": self.alert.listing_key, "platform": self.alert.platform},
            "routing": {"units": list(self.alert.units)},
        }
        optional: dict[str, Any] = {
            "reason": self.reason or None,
            "case_number": self.case_number,
            "amount_yuan": None if self.amount_yuan is None else yuan(self.amount_yuan),
            "amount_fen": None if self.amount_yuan is None else fen(self.amount_yuan),
            "penalty_kind": self.penalty_kind,
            "decision": self.decision,
            "unit": self.unit,
            "voids": self.voids,
        }
        event.update({k: v for k, v in optional.items() if v is not None})
        if self.alert.shop_id is not None:
            event["listing"]["shop_id"] = self.alert.shop_id
        if self.alert.region_code is not None:
            event["routing"]["region_code"] = self.alert.region_code
        if self.alert.observed_at is not None:
            event["alert_timestamp"] = self.alert.observed_at
        return event


def new_disposition(
    alert: AlertRef, action: Action, *, by: str, at: datetime, **fields: Any
) -> Disposition:
    """A disposition with a fresh id; fields are those of :class:`Disposition`."""
    return Disposition(
        disposition_id=uuid.uuid4().hex,
        alert=alert,
        action=action,
        by=by,
        at=at,
        **fields,
    )


def from_event(event: dict[str, Any]) -> Disposition:
    """Rebuild a disposition from its event (topic record or document)."""
    listing = event.get("listing", {})
    routing = event.get("routing", {})
    amount = event.get("amount_yuan")
    return Disposition(
        disposition_id=event["disposition_id"],
        alert=AlertRef(
            alert_id=event["alert_id"],
            listing_key=listing.get("key", ""),
            platform=listing.get("platform", ""),
            shop_id=listing.get("shop_id"),
            region_code=routing.get("region_code"),
            units=tuple(routing.get("units", ())),
            observed_at=event.get("alert_timestamp"),
        ),
        action=event["action"],
        by=event["by"],
        at=datetime.fromisoformat(event["@timestamp"]),
        reason=event.get("reason", ""),
        case_number=event.get("case_number"),
        amount_yuan=None if amount is None else Decimal(str(amount)),
        penalty_kind=event.get("penalty_kind"),
        decision=event.get("decision"),
        unit=event.get("unit"),
        voids=event.get("voids"),
    )


def parse_amount(raw: str) -> Decimal:
    """A yuan amount from the command line, exact; refused when malformed.

    Full-width digits are read as ASCII (NFKC), as investigators may type
    them with a Chinese input method:

    >>> parse_amount("１２.５０")
    Decimal('12.50')
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not _AMOUNT_TEXT.fullmatch(text):
        raise DispositionError(
            f"金额 {raw!r} 格式不对：请以元为单位填写数字，不带指数、符号或分隔符，"
            "最多两位小数，例如 --amount 5000 或 1234.50"
        )
    amount = Decimal(text)
    check_amount(amount)
    return amount


def check_amount(amount: Decimal) -> None:
    """Refuse an amount the record could not keep exactly to the fen."""
    if not amount.is_finite() or amount < 0:
        raise DispositionError(f"罚没金额必须是不小于 0 的数字，收到 {amount}")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise DispositionError(f"罚没金额最多精确到分（两位小数），收到 {yuan(amount)}")
    if amount > MAX_AMOUNT_YUAN:
        raise DispositionError(
            f"罚没金额 {yuan(amount)} 元超出上限 {yuan(MAX_AMOUNT_YUAN)} 元；"
            "请核对金额的单位（元）和位数"
        )


def yuan(amount: Decimal) -> str:
    """A plain decimal, never an exponent.

    >>> yuan(Decimal("1E+3")), yuan(Decimal("1234.50"))
    ('1000', '1234.50')
    """
    return f"{amount:f}"


def fen(amount: Decimal) -> int:
    """The amount in fen; exact for amounts :func:`check_amount` accepts.

    >>> fen(Decimal("1234.5"))
    123450
    """
    return int(amount * 100)
