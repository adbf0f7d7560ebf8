"""Errors of the investigators' workflow, under the project's root::

    ListingWatchError
    └── WorkflowError          the workflow refused a request
        ├── DispositionError   an action on an alert is not valid now
        ├── RegionError        a unit or region code is unknown
        ├── NotifyError        the webhook did not take a notification
        ├── OutputError        an output file cannot be written where asked
        └── NotIndexedError    an action is recorded but not yet searchable

Each message says what was wrong, with the value, and what to do.
"""

from __future__ import annotations

from listing_watch.errors import ListingWatchError


class WorkflowError(ListingWatchError):
    """The workflow refused a request; the message says why."""


class DispositionError(WorkflowError):
    """An action on an alert is not valid (unknown alert, bad amount, ...)."""


class RegionError(WorkflowError):
    """A unit or region code is not a GB/T 2260 code of the edition in force."""


class NotifyError(WorkflowError):
    """The webhook refused or did not answer; the alert stays unnotified."""


class OutputError(WorkflowError):
    """An output file (workbook, evidence) cannot be written where asked.

    Raised before anything is computed when the name or folder is wrong,
    and when the write itself fails; nothing half-written is left behind.
    """


class NotIndexedError(WorkflowError):
    """An action is on the dispositions topic (so it is recorded) but the
    index refused it or did not answer; ``dispose ALERT_ID --sync`` repairs.
    """
