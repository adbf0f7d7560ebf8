"""Recording dispositions: validate, publish, index, show on the alert.

The order is the durability order. The event on the dispositions topic is
the record of what an investigator did, kept forever, so everything the
index would refuse (an amount a double cannot hold, a field its strict
mapping lacks, a date out of range) is refused before publishing: topic
and index must not disagree. The dispositions index is the searchable copy
(document id = disposition id, so re-indexing from the topic overwrites);
if it fails after publishing, the action stands and ``dispose ALERT_ID
--sync`` indexes it again from the topic. The ``disposition`` object on
the alert is a view, recomputed from the whole history each time.

Writes refresh at once (not ``wait_for``, which waits up to the refresh
interval): actions come a few a minute, and the next command must see the
last one.

Shortcoming (#5): two investigators acting on one alert at the same
instant are both validated against the same history, so e.g. two
confirmations can be recorded. Each is still kept and can be voided;
validating against the topic under a per-alert lock would lift it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

import orjson
from confluent_kafka import KafkaError, Message, Producer
from elasticsearch import ApiError, Elasticsearch, TransportError

from listing_watch.config import Settings, load_settings
from listing_watch.errors import DeliveryError
from listing_watch.logs import log_event
from listing_watch.pipeline.topic_reader import read_topic
from listing_watch.search.index import connect
from listing_watch.workflow.dispositions import (
    Action,
    AlertRef,
    Disposition,
    from_event,
    new_disposition,
)
from listing_watch.workflow.errors import DispositionError, NotIndexedError
from listing_watch.workflow.indices import missing_fields, scan_sources, search
from listing_watch.workflow.routing import route
from listing_watch.workflow.settings import WorkflowSettings, load_workflow_settings
from listing_watch.workflow.state import AlertState, fold, validate

logger = logging.getLogger(__name__)

FLUSH_TIMEOUT_S: Final = 30.0


class DispositionStore:
    """Dispositions of the alerts behind one alerts alias."""

    def __init__(
        self,
        *,
        es: Elasticsearch,
        settings: Settings,
        workflow: WorkflowSettings,
        producer: Producer | None = None,
    ) -> None:
        self._es = es
        self._settings = settings
        self._workflow = workflow
        self._producer = producer

    # --- reading ---------------------------------------------------------

    def find_alert(self, alert_id: str) -> dict[str, Any]:
        """The alert's search hit; an error an investigator understands."""
        response = search(
            self._es,
            index=self._settings.search.alerts_alias,
            query={"term": {"alert_id": alert_id}},
            size=1,
        )
        hits = response["hits"]["hits"]
        if not hits:
            raise DispositionError(
                f"告警 {alert_id} 不存在（索引 {self._settings.search.alerts_alias}）；"
                "请核对告警编号（alert_id）"
            )
        hit: dict[str, Any] = hits[0]
        return hit

    def history(self, alert_id: str) -> list[Disposition]:
        query = {"term": {"alert_id": alert_id}}
        return [from_event(source) for source in self.scan(query)]

    def state(self, alert_id: str) -> AlertState:
        self.find_alert(alert_id)
        return fold(self.history(alert_id))

    def scan(self, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every disposition matching ``query``, in recorded order."""
        sort = [{"@timestamp": "asc"}, {"disposition_id": "asc"}]
        return scan_sources(self._es, self._workflow.dispositions_alias, query, sort)

    # --- writing ---------------------------------------------------------

    def dispose(
        self,
        alert_id: str,
        action: Action,
        *,
        by: str,
        at: datetime | None = None,
        **fields: Any,
    ) -> tuple[Disposition, AlertState]:
        """Validate and record one action; return it and the alert's new state."""
        hit = self.find_alert(alert_id)
        current = fold(self.history(alert_id))
        candidate = new_disposition(
            alert_ref(hit["_source"], self._workflow),
            action,
            by=by,
            at=at or datetime.now(UTC),
            **fields,
        )
        validate(candidate, current)
        self.check_mapping(candidate)

        self.publish(candidate)

        after = fold([*current.history, candidate])
        try:
            self.index(candidate)
            self.show_on_alert(hit["_index"], alert_id, after)
        except (ApiError, TransportError) as error:
            raise NotIndexedError(
                f"处置 {candidate.disposition_id} 已记录在主题 "
                f"{self._workflow.dispositions_topic}（有效，请勿重复录入），"
                f"但写入索引失败：{_reason(error)}；Elasticsearch 恢复后请运行 "
                f"listing-watch dispose {alert_id} --sync"
            ) from None
        log_event(
            logger,
            "disposition_recorded",
            alert_id=alert_id,
            action=action,
            disposition_id=candidate.disposition_id,
            state=after.state,
        )
        return candidate, after

    def check_mapping(self, disposition: Disposition) -> None:
        """Refuse, before publishing, a field the strict mapping lacks."""
        alias = self._workflow.dispositions_alias
        missing = missing_fields(self._es, alias, disposition.to_event())
        if missing:
            raise DispositionError(
                f"索引 {alias} 缺少字段 {', '.join(missing)}，会拒收这条处置；"
                "本次未记录。请先运行 listing-watch setup 更新映射，再重新录入"
            )

    def publish(self, disposition: Disposition) -> None:
        """Put the event on the dispositions topic and wait for the broker."""
        if self._producer is None:
            self._producer = Producer(
                {**self._settings.kafka, "enable.idempotence": True}
            )
        producer = self._producer
        failures: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                failures.append(error)

        producer.produce(
            self._workflow.dispositions_topic,
            key=disposition.alert_id.encode("utf-8"),
            value=orjson.dumps(disposition.to_event()),
            on_delivery=on_delivery,
        )
        remaining = producer.flush(FLUSH_TIMEOUT_S)
        if remaining or failures:
            reason = failures[0].str() if failures else f"{remaining} unacknowledged"
            raise DeliveryError(
                f"disposition {disposition.disposition_id} not stored on topic "
                f"{self._workflow.dispositions_topic}: {reason}; nothing was "
                "recorded, run the command again once the broker is up"
            )

    def index(self, disposition: Disposition) -> None:
        self._es.index(
            index=self._workflow.dispositions_alias,
            id=disposition.disposition_id,
            document=disposition.to_event(),
            refresh=True,
        )

    def show_on_alert(self, index: str, alert_id: str, state: AlertState) -> None:
        """Write the state and history onto the alert document (a view)."""
        self._es.update(
            index=index,
            id=alert_id,
            doc={"disposition": state.to_document()},
            refresh=True,
            retry_on_conflict=3,
        )

    def sync_alert(self, alert_id: str) -> AlertState:
        """Rewrite the alert's view from the dispositions index.

        For an alert document that was overwritten (a replay re-indexes the
        alert without its ``disposition``): the history is never lost.
        """
        hit = self.find_alert(alert_id)
        state = fold(self.history(alert_id))
        self.show_on_alert(hit["_index"], alert_id, state)
        return state

    def sync_from_topic(self, alert_id: str) -> tuple[int, AlertState]:
        """Index the alert's events from the dispositions topic, then its view.

        Repairs an action that was published but not indexed. Reads the
        whole topic (it is kept forever), so it takes as long as that;
        re-indexing an event already indexed overwrites it with itself.
        Returns how many events the topic holds for the alert.
        """
        self.find_alert(alert_id)
        key = alert_id.encode("utf-8")
        topic = self._workflow.dispositions_topic
        events = [
            from_event(orjson.loads(message.value() or b"{}"))
            for message in read_topic(self._settings, topic)
            if message.key() == key
        ]
        if events:
            self.check_mapping(events[-1])
        for disposition in events:
            self.index(disposition)
        state = self.sync_alert(alert_id)
        log_event(logger, "dispositions_synced", alert_id=alert_id, events=len(events))
        return len(events), state


def _reason(error: ApiError | TransportError) -> str:
    """The first line of what Elasticsearch said, for a one-line message."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:300]


def open_store() -> DispositionStore:
    """The store the settings in the environment describe (for commands)."""
    settings = load_settings()
    return DispositionStore(
        es=connect(settings.search),
        settings=settings,
        workflow=load_workflow_settings(),
    )


def alert_ref(alert: dict[str, Any], workflow: WorkflowSettings) -> AlertRef:
    """What a disposition keeps of its alert; routes it if the worker did not."""
    listing = alert.get("listing", {})
    routing = alert.get("routing")
    if routing is None:
        routing = route(
            listing.get("seller_region"), listing.get("platform", ""), workflow
        ).to_document()
    return AlertRef(
        alert_id=alert["alert_id"],
        listing_key=listing.get("key", ""),
        platform=listing.get("platform", ""),
        shop_id=listing.get("shop_id"),
        region_code=routing.get("region_code"),
        units=tuple(routing.get("units", ())),
        observed_at=alert.get("@timestamp"),
    )
