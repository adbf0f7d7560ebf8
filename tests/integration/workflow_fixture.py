"""A campaign month written for the tests: listings, alerts, dispositions.

Every object here is ours (no shared data). Alert documents are shaped like
``build_alert``'s output, so the tests do not depend on the screen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from listing_watch.events import listing_to_document
from listing_watch.listing import Listing
from listing_watch.pipeline.alerts import evidence_hash


@dataclass(frozen=True)
class Screened:
    """One screened listing version; ``alert`` when its verdict alerted."""

    platform: str
    listing_id: str
    shop_id: str
    region: str | None
    observed_at: str
    title: str
    matched: bool = True
    alert: bool = True
    version: int = 1
    risk: str = "high"
    kinds: tuple[str, ...] = ("medals_commemoratives",)
    price: float | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.listing_id}"

    @property
    def alert_id(self) -> str:
        basis = f"{self.key}|{self.version}".encode()
        return hashlib.sha256(basis).hexdigest()[:32]

    @property
    def matches(self) -> tuple[str, ...]:
        return ("纪念章",) if self.matched else ()

    def listing(self) -> Listing:
        return Listing(
            event_id=f"ev-{self.listing_id}-{self.version}",
            platform=self.platform,
            listing_id=self.listing_id,
            title=self.title,
            observed_at=datetime.fromisoformat(self.observed_at),
            shop_id=self.shop_id,
            shop_name=f"店铺{self.shop_id}",
            seller_region=self.region,
            price=self.price,
            platform_type="b2c",
        )


@dataclass(frozen=True)
class Act:
    """One disposition the fixture records, by the screened version's index."""

    target: int
    action: str
    at: str
    fields: dict[str, Any] = field(default_factory=dict)
    voided_by: int | None = None  # index of the Act that voids this one


def alert_document(item: Screened) -> dict[str, Any]:
    listing = item.listing()
    listing_doc = listing_to_document(listing)
    return {
        "alert_id": item.alert_id,
        "@timestamp": listing.observed_at.isoformat(),
        "event": {"kind": "alert", "created": listing.observed_at.isoformat()},
        "listing": {
            "key": listing.key,
            "platform": listing.platform,
            "platform_type": "b2c",
            "listing_id": listing.listing_id,
            "title": listing.title,
            "description": "",
            "category": "",
            "observed_at": listing.observed_at.isoformat(),
            "currency": "CNY",
            "shop_id": listing.shop_id,
            "shop_name": listing.shop_name,
            **({"seller_region": item.region} if item.region else {}),
            **({"price": item.price} if item.price is not None else {}),
        },
        "risk": item.risk,
        "score": 0.9 if item.risk == "high" else 0.6,
        "violation_kinds": list(item.kinds),
        "terms": list(item.matches),
        "rule": {"id": ["r1"], "name": ["纪念章交易"], "version": "test-1"},
        "library_version": "test-1",
        "verdict": {"risk": item.risk},
        "evidence": {
            "listing": listing_doc,
            "sha256": evidence_hash(listing_doc),
            "content_sha256": "0" * 64,
        },
    }


SCREENED: tuple[Screened, ...] = (
    # 0-3: shop s1 on two platforms, twice a day on testmall, in Wuhan.
    Screened(
        "testmall",
        "L1",
        "s1",
        "420102",
        "2021-06-10T09:00:00+08:00",
        "建党100周年纪念章 收藏",
    ),
    Screened(
        "testmall",
        "L2",
        "s1",
        "420102",
        "2021-06-10T15:00:00+08:00",
        "学校100周年校庆纪念章",
    ),
    Screened(
        "jdmall",
        "L3",
        "s1",
        "420102",
        "2021-06-10T11:00:00+08:00",
        "光荣在党50年纪念章 正品",
    ),
    Screened(
        "testmall",
        "L4",
        "s1",
        "420102",
        "2021-06-10T20:00:00+08:00",
        "纪念章收纳盒",
        alert=False,
    ),
    # 4: screened in the period, takedown requested after its end.
    Screened(
        "testmall", "L5", "s2", "420106", "2021-06-28T10:00:00+08:00", "七一勋章 复刻"
    ),
    # 5: screened before the period, takedown requested inside it.
    Screened(
        "testmall", "L6", "s3", "420111", "2021-05-30T10:00:00+08:00", "七一勋章 仿制"
    ),
    # 6-7: out of the Wuhan unit: Xiantao (a unit of its own), Hangzhou.
    Screened(
        "testmall", "L7", "s4", "429004", "2021-06-05T10:00:00+08:00", "建党百年纪念币"
    ),
    Screened(
        "testmall",
        "L8",
        "s5",
        "330106",
        "2021-06-05T10:00:00+08:00",
        "建党百年纪念币 批发",
    ),
    # 8-9: one listing edited (two versions, two alerts), one case.
    Screened(
        "testmall", "L9", "s6", "420102", "2021-06-20T10:00:00+08:00", "党徽纪念章 定制"
    ),
    Screened(
        "testmall",
        "L9",
        "s6",
        "420102",
        "2021-06-21T10:00:00+08:00",
        "党徽纪念章 定制 批发",
        version=2,
    ),
    # 10: screened, no match at all.
    Screened(
        "testmall",
        "L10",
        "s7",
        "420102",
        "2021-06-10T10:00:00+08:00",
        "保温杯",
        matched=False,
        alert=False,
    ),
    # 11-12: Shanghai-day edges: 16:30 UTC is the next day in Shanghai.
    Screened(
        "testmall", "L11", "s8", "420102", "2021-06-30T16:30:00+00:00", "纪念章 七月"
    ),
    Screened(
        "testmall", "L12", "s8", "420102", "2021-05-31T16:30:00+00:00", "纪念章 六月"
    ),
    # 13: a second case on another listing of shop s6.
    Screened(
        "jdmall", "L13", "s6", "420102", "2021-06-22T10:00:00+08:00", "党徽纪念章 大量"
    ),
)

ACTS: tuple[Act, ...] = (
    Act(0, "takedown_requested", "2021-06-12T10:00:00+08:00"),
    Act(0, "takedown_confirmed", "2021-06-13T10:00:00+08:00"),
    Act(
        1, "dismiss", "2021-06-11T10:00:00+08:00", {"reason": "学校校庆纪念章，非违规"}
    ),
    Act(2, "case_opened", "2021-06-15T10:00:00+08:00", {"case_number": "汉市监案1号"}),
    Act(
        2,
        "penalty",
        "2021-06-20T10:00:00+08:00",
        {
            "amount_yuan": Decimal("5000"),
            "penalty_kind": "fine",
            "case_number": "汉市监案1号",
            "decision": "汉市监罚1号",
        },
    ),
    Act(4, "takedown_requested", "2021-07-02T10:00:00+08:00"),
    Act(5, "takedown_requested", "2021-06-01T09:00:00+08:00"),
    Act(6, "case_opened", "2021-06-06T10:00:00+08:00", {"case_number": "仙市监案1号"}),
    Act(7, "forwarded", "2021-06-06T10:00:00+08:00", {"unit": "330100"}),
    # one case over several alerts; the same decision recorded twice
    Act(8, "case_opened", "2021-06-21T10:00:00+08:00", {"case_number": "汉市监案2号"}),
    Act(9, "case_opened", "2021-06-22T10:00:00+08:00", {"case_number": "汉市监案2号"}),
    Act(
        8,
        "penalty",
        "2021-06-23T10:00:00+08:00",
        {
            "amount_yuan": Decimal("3000"),
            "penalty_kind": "confiscation",
            "decision": "汉市监罚2号",
        },
    ),
    Act(
        9,
        "penalty",
        "2021-06-23T11:00:00+08:00",
        {
            "amount_yuan": Decimal("3000"),
            "penalty_kind": "confiscation",
            "decision": "汉市监罚2号",
        },
    ),
    # a mistaken penalty, voided (index 13 is voided by 14)
    Act(
        9,
        "penalty",
        "2021-06-24T10:00:00+08:00",
        {"amount_yuan": Decimal("80000"), "penalty_kind": "fine"},
        voided_by=14,
    ),
    Act(9, "void", "2021-06-25T10:00:00+08:00", {"reason": "金额多录一个零"}),
    Act(
        9,
        "penalty",
        "2021-06-25T11:00:00+08:00",
        {"amount_yuan": Decimal("800.50"), "penalty_kind": "fine"},
    ),
    Act(13, "takedown_requested", "2021-06-30T23:00:00+08:00"),
    Act(11, "takedown_requested", "2021-07-01T09:00:00+08:00"),
    Act(12, "dismiss", "2021-06-02T10:00:00+08:00", {"reason": "误报"}),
    Act(12, "reopen", "2021-06-03T10:00:00+08:00"),
)
