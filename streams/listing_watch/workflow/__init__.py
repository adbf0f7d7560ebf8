"""The investigators' workflow: dispositions, routing, coverage, Annex 2.

What the screening worker calls, all pure and cheap:

* :func:`route` -> :class:`Routing` (``routing`` in the alert document);
* :func:`escalate` -> :class:`Escalation` (``escalation`` in the alert),
  :func:`escalation_event` for the escalations topic;
* :class:`CoverageBatch` ``.add(listing, verdict)`` per screened listing,
  ``.to_documents()`` once per batch for the coverage alias;
* :func:`should_notify` and :func:`notify` for the group robot;
* :func:`alerts_again` and :func:`repost_key` for edited and re-posted
  listings.

The commands (``dispose``, ``report``, ``evidence``, ``takedowns``,
``forward``, ``shops``) use :class:`DispositionStore` and the builders in
``report_query`` and ``outputs``.
"""

from listing_watch.workflow.annex2 import Annex2, Period
from listing_watch.workflow.coverage import CoverageBatch, CoverageDocument
from listing_watch.workflow.dispositions import ACTIONS, Action, Disposition
from listing_watch.workflow.errors import (
    DispositionError,
    NotifyError,
    RegionError,
    WorkflowError,
)
from listing_watch.workflow.escalation import Escalation, escalate, escalation_event
from listing_watch.workflow.notifier import notify, should_notify
from listing_watch.workflow.recurrence import alerts_again, repost_key
from listing_watch.workflow.regions import EDITION, covers, place_of, units_of
from listing_watch.workflow.routing import Routing, route
from listing_watch.workflow.settings import WorkflowSettings, load_workflow_settings
from listing_watch.workflow.state import AlertState, fold, validate
from listing_watch.workflow.store import DispositionStore

__all__ = [
    "ACTIONS",
    "EDITION",
    "Action",
    "AlertState",
    "Annex2",
    "CoverageBatch",
    "CoverageDocument",
    "Disposition",
    "DispositionError",
    "DispositionStore",
    "Escalation",
    "NotifyError",
    "Period",
    "RegionError",
    "Routing",
    "WorkflowError",
    "WorkflowSettings",
    "alerts_again",
    "covers",
    "escalate",
    "escalation_event",
    "fold",
    "load_workflow_settings",
    "notify",
    "place_of",
    "repost_key",
    "route",
    "should_notify",
    "units_of",
    "validate",
]
