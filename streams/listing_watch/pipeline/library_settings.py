"""Settings of the keyword library's lifecycle, built once from the environment.

Kept apart from ``listing_watch.config`` while issue 6 is young (as the
workflow's are); the names follow the same ``LW_*`` scheme so they can move
there unchanged.

    LW_TOPIC_LIBRARY            compacted topic of published versions
    LW_TOPIC_LIBRARY_AUDIT      every publish, swap, rollback and retro-hunt
    LW_ES_LIBRARY_AUDIT_ALIAS   where those audit events are indexed
    LW_RETROHUNT_RATE           listings per second a retro-hunt screens
    LW_LIBRARY_FOLLOW           "off" keeps a worker on its local files
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from listing_watch.errors import ConfigError

# Low enough to leave the live screen most of two shared cores; a
# retro-hunt over 72 hours of a busy day still ends within the hour.
DEFAULT_RETROHUNT_RATE: Final = 2000.0


@dataclass(frozen=True, slots=True, kw_only=True)
class LibrarySettings:
    """Where versions and audit events go, and how fast a retro-hunt runs."""

    topic: str = "listings.library"
    audit_topic: str = "listings.library-audit"
    audit_alias: str = "listing-watch-library-audit"
    retrohunt_rate: float = DEFAULT_RETROHUNT_RATE
    follow: bool = True


def load_library_settings(environ: Mapping[str, str] | None = None) -> LibrarySettings:
    env = os.environ if environ is None else environ
    default = LibrarySettings()
    rate_raw = env.get("LW_RETROHUNT_RATE", "")
    try:
        rate = float(rate_raw) if rate_raw else default.retrohunt_rate
    except ValueError:
        raise ConfigError(f"LW_RETROHUNT_RATE={rate_raw!r} is not a number") from None
    if rate <= 0:
        raise ConfigError(f"LW_RETROHUNT_RATE={rate_raw!r} must be above 0")
    return LibrarySettings(
        topic=env.get("LW_TOPIC_LIBRARY", default.topic),
        audit_topic=env.get("LW_TOPIC_LIBRARY_AUDIT", default.audit_topic),
        audit_alias=env.get("LW_ES_LIBRARY_AUDIT_ALIAS", default.audit_alias),
        retrohunt_rate=rate,
        follow=env.get("LW_LIBRARY_FOLLOW", "on").lower() not in ("off", "0", "no"),
    )
