"""Routing an alert: where the seller operates and who must act.

Section 3.3 of the notice: leads about sellers outside the bureau's
jurisdiction go to the authority where the seller operates (else where
the platform is registered). The rule and the GB/T 2260 table live in
:mod:`listing_watch.workflow`; this adds their answer to the alert, with
the re-post key that links an offer re-listed under a new id.
"""

from __future__ import annotations

from dataclasses import replace

from listing_watch.listing import Listing
from listing_watch.pipeline.alerts import Alert
from listing_watch.workflow import WorkflowSettings, repost_key, route


def with_routing(alert: Alert, listing: Listing, workflow: WorkflowSettings) -> Alert:
    """The alert with ``routing`` and ``repost_key``: pure, from the listing."""
    document = dict(alert.document)
    document["routing"] = route(
        listing.seller_region, listing.platform, workflow
    ).to_document()
    key = repost_key(listing.platform, listing.shop_id, listing.title)
    if key:
        document["repost_key"] = key
    return replace(alert, document=document)
