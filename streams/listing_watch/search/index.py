"""The alerts index: template, write alias and client construction.

Writes go to an alias (``listing-watch-alerts`` by default) whose write
index is ``listing-watch-alerts-000001``; the composable template in
``schemas/alerts-index-template.json`` owns the mappings, so a mapping
change is a template change plus a new backing index, never a code change.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import orjson
from elasticsearch import AsyncElasticsearch, Elasticsearch

from listing_watch.config import SearchSettings
from listing_watch.events import SCHEMA_DIR
from listing_watch.logs import log_event

logger = logging.getLogger(__name__)

TEMPLATE_FILE: Final = "alerts-index-template.json"
FIRST_BACKING_SUFFIX: Final = "-000001"


def client_options(search: SearchSettings) -> dict[str, Any]:
    """Options shared by the sync and async clients; secrets stay inside."""
    options: dict[str, Any] = {
        "hosts": [search.url],
        "request_timeout": search.request_timeout_s,
    }
    if search.api_key:
        options["api_key"] = search.api_key
    elif search.username:
        options["basic_auth"] = (search.username, search.password or "")
    if search.ca_file:
        options["ca_certs"] = str(search.ca_file)
    return options


def connect(search: SearchSettings) -> Elasticsearch:
    return Elasticsearch(**client_options(search))


def connect_async(search: SearchSettings) -> AsyncElasticsearch:
    return AsyncElasticsearch(**client_options(search))


def load_template(template_file: str = TEMPLATE_FILE) -> dict[str, Any]:
    """A composable index template from ``schemas/``, without its comment."""
    template: dict[str, Any] = orjson.loads((SCHEMA_DIR / template_file).read_bytes())
    template.pop("_comment", None)
    return template


def ensure_alerts_index(client: Elasticsearch, search: SearchSettings) -> None:
    """The alerts template, and the first backing index behind the alias."""
    ensure_index(client, search.alerts_alias, TEMPLATE_FILE)


def ensure_index(client: Elasticsearch, alias: str, template_file: str) -> None:
    """Install a template for ``alias-*`` and create the alias if missing.

    Idempotent: the template is overwritten with the file's content, fields
    it adds reach the existing backing indices, and the alias is only
    created when missing.
    """
    template = load_template(template_file)
    template["index_patterns"] = [f"{alias}-*"]
    client.indices.put_index_template(name=alias, **template)

    if client.indices.exists_alias(name=alias):
        # Backing indices made from an older template do not know its new
        # fields, and strict mappings refuse documents that carry them.
        # Adding fields is compatible; changing one fails here, loudly.
        properties = template["template"]["mappings"].get("properties", {})
        client.indices.put_mapping(index=alias, properties=properties)
        return
    first_index = f"{alias}{FIRST_BACKING_SUFFIX}"
    client.indices.create(index=first_index, aliases={alias: {"is_write_index": True}})
    log_event(logger, "index_created", index=first_index, alias=alias)
