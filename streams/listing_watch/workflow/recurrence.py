"""Edited and re-posted listings: when an old decision still stands.

Two rules of issue 5, as pure functions for the worker:

* An edited listing whose alert was dismissed does not alert again unless
  its verdict gets worse (medium -> high): the investigator already judged
  that listing, and a cosmetic edit should not undo the judgement.
* A listing re-posted under a new id by the same shop with the same
  normalised title is linked to the earlier alert (``repost_of``), so the
  investigator sees the history of what is, in substance, one offer.

The worker keeps, per :func:`repost_key` and per listing key, the last
alert id and its state; that lookup is the worker's (an ES ``term`` query
on ``repost_key`` or a compacted topic), not this module's.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Final

RISK_ORDER: Final[dict[str, int]] = {"none": 0, "medium": 1, "high": 2}


def alerts_again(*, dismissed_risk: str, new_risk: str) -> bool:
    """After a dismissal, only a worse verdict alerts again.

    >>> alerts_again(dismissed_risk="medium", new_risk="medium")
    False
    >>> alerts_again(dismissed_risk="medium", new_risk="high")
    True
    """
    return RISK_ORDER.get(new_risk, 0) > RISK_ORDER.get(dismissed_risk, 0)


def normalised_title(title: str) -> str:
    """NFKC, lower case, letters and digits only.

    >>> normalised_title("【正品】七一 勋章!")
    '正品七一勋章'
    """
    folded = unicodedata.normalize("NFKC", title).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def repost_key(platform: str, shop_id: str | None, title: str) -> str | None:
    """Identity of an offer across listing ids; None without a shop."""
    if not shop_id:
        return None
    basis = "\x1f".join((platform, shop_id, normalised_title(title)))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
