"""Rasa's SQL tracker store, persisting only masked conversations.

Configured in endpoints.yml as ``type: govbot.privacy.masked_tracker_store.MaskedSQLTrackerStore``. Rasa and the
NLU work on the original messages in memory; what is written to the database has personal data masked in every
text (messages, parse data, entity and slot values, buttons), and the conversation is keyed by a keyed hash of the
sender id (an SMS or phone channel's sender id is a phone number). A phone number the citizen gave is kept only
encrypted, in the user event's metadata, so a later handoff can still pass it on as a callback number.

Long conversations roll over into a new Rasa session (:meth:`MaskedSQLTrackerStore.roll_over`), so the events
Rasa loads, replays, predicts over and sends to the action server per message stay bounded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from govbot.privacy.callback import CALLBACK_KEY, seal_callback
from govbot.privacy.pii import mask_pii
from govbot.privacy.protector import get_protector
from govbot.settings import get_settings
from index.query_vector import PARSE_KEY

# Keys whose values are names and ids of the dialogue itself, never citizen text.
_STRUCTURAL = frozenset(
    {"event", "name", "policy", "input_channel", "message_id", "model_id", "assistant_id", "timestamp", CALLBACK_KEY}
)


def mask_value(value: Any) -> Any:
    """A copy of a JSON-like value with personal data masked in every string below a non-structural key."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key in _STRUCTURAL else mask_value(item) for key, item in value.items()}
    return value


def mask_event(data: dict[str, Any]) -> dict[str, Any]:
    """The serialised event as it may be stored: masked, with a given phone number only encrypted, without the
    NLU's query vector (needed only while the message is handled)."""
    if isinstance(data.get("parse_data"), dict) and PARSE_KEY in data["parse_data"]:
        data = {**data, "parse_data": {k: v for k, v in data["parse_data"].items() if k != PARSE_KEY}}
    masked = mask_value(data)
    if data.get("event") == "user" and (sealed := seal_callback(data.get("text"))):
        masked["metadata"] = {**(masked.get("metadata") or {}), CALLBACK_KEY: sealed}
    return masked


def stored_sender_id(sender_id: str) -> str:
    return get_protector().identity(sender_id)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Write-ahead log without an fsync per commit (a power cut may lose the last messages, never corrupt the
    file): each message's save would otherwise wait for the disk while Rasa's event loop is blocked."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def carried_over(tracker: DialogueStateTracker) -> list[Event]:
    """A new session carrying the conversation's slots, as Rasa's own session start does after expiry: the
    session start, one ``slot`` event per slot that is set, and ``action_listen``."""
    now = time.time()  # one time for all: Rasa loads a session from its session_started event's time on
    slots = [
        SlotSet(name, slot.value, timestamp=now)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    return [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now),
        SessionStarted(timestamp=now),
        *slots,
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=now),
    ]


class MaskedSQLTrackerStore(SQLTrackerStore):
    """An SQLTrackerStore that stores masked events under a keyed hash of the sender id.

    Events are not streamed to an event broker (one would receive them unmasked).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's engine opens and closes a connection per query; closing the last one checkpoints and waits
            # for the disk. Keep one open connection instead (Rasa uses the store from its one event loop).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=1, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _event_query(self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        return super()._event_query(session, stored_sender_id(sender_id), fetch_events_from_all_sessions)

    def _add(self, session: Any, stored_id: str, events: Iterable[Event]) -> None:
        for event in events:
            data = mask_event(event.as_dict())
            session.add(
                self.SQLEvent(
                    sender_id=stored_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )

    @staticmethod
    def roll_over(tracker: DialogueStateTracker, session_events: int) -> bool:
        """Whether to continue in a new session: the current one holds more than ``GOVBOT_TRACKER_SESSION_EVENTS``
        events and the conversation waits for the citizen outside a form (rules here need no earlier turn)."""
        latest = tracker.events[-1] if tracker.events else None
        return (
            session_events > get_settings().tracker_session_events
            and tracker.active_loop_name is None
            and isinstance(latest, ActionExecuted)
            and latest.action_name == ACTION_LISTEN_NAME
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            stored_id = stored_sender_id(tracker.sender_id)
            self._add(session, stored_id, self._additional_events(session, tracker))
            if self.roll_over(tracker, len(tracker.events)):
                self._add(session, stored_id, carried_over(tracker))
            session.commit()
