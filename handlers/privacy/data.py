"""The core of data rights: the export (``/mydata``, ``peerbot export``), the erasure
(``/deleteme``, ``peerbot erase``) and the daily retention purge.

Storage walks one registry of every table holding personal data for both the export and the
erasure (:mod:`storage.sqlite.privacy_rules`). Here we add what only the core knows: which
queue kinds name a person, an alert or a pairing (the capabilities declare them: their
``ledger_kinds``), what the person reads, and who is told.
An erasure tells the person's mentor (and backup) only that they left, and their mentees
that their mentor left; it logs the tombstone's random id, never the person's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handlers.context import Context
from handlers.logsafe import describe_exception
from handlers.messaging import ConversationRef, DeliveryError, Document, OutgoingMessage
from handlers.numbers import read_id
from handlers.outbox import deliver, prompt_ref
from handlers.privacy import texts
from handlers.profile import display_name, speaking_to
from handlers.texts.plurals import ALERT, CHECKIN, GOAL, SIGNUP, TIME, counted
from storage.due_queue import DueWork
from storage.privacy import Erasure, PurgeCounts, PurgeCutoffs

log = logging.getLogger(__name__)

NOTICE_SECONDS = 5.0
"""How long an erasure waits on one leaving notice before counting it untold."""
EXPORT_FORMAT = "peerbot-export/1"
LEFT_NOTICE = "left-notice"
"""Ledger kind of the word to a mentor (or mentee) that someone left; subject: the tombstone."""
PRE_CONSENT_KEEP = timedelta(days=7)
"""A sign-up nobody consented to is forgotten after this long without a word."""
SELF = "self"
COORDINATOR = "coordinator"


# The export ---------------------------------------------------------------------------------------


async def export_document(ctx: Context, person_id: int) -> dict[str, Any]:
    """Everything stored about the person, as one JSON-ready document."""
    tables = await ctx.storage.export_person(person_id, ctx.capabilities.ledger_kinds)
    return {
        "format": EXPORT_FORMAT,
        "program": ctx.program.name,
        "exported_at": ctx.clock().isoformat(),
        "person_id": person_id,
        "about": texts.EXPORT_ABOUT,
        "tables": tables,
    }


def export_bytes(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def export_message(ctx: Context, document: Mapping[str, Any], encrypted: bool) -> OutgoingMessage:
    """The readable summary, with the whole export attached as a JSON file."""
    tables: Mapping[str, list[dict[str, Any]]] = document["tables"]
    person = (tables.get("people") or [{}])[0]
    person_id = document["person_id"]
    roles = ", ".join(sorted(str(row["role"]) for row in tables.get("roles", [])))
    notes = sum(
        1
        for row in tables.get("checkin_answers", [])
        if row.get("value_text") and row.get("value_number") is None
    )
    filename = texts.FILENAME.format(date=ctx.clock().date().isoformat())
    text = texts.MYDATA_SUMMARY.format(
        name=person.get("display_name") or "friend",
        filename=filename,
        roles=roles or "-",
        checkins=counted(CHECKIN, len(tables.get("checkins", []))),
        notes=notes,
        goals=counted(GOAL, len(tables.get("goals", []))),
        plan=texts.PLAN_YES if tables.get("safety_plans") else texts.PLAN_NO,
        match=texts.PLAN_YES if tables.get("match_profiles") else texts.PLAN_NO,
        trainings=counted(texts.TRAININGS, len(tables.get("trainings", []))),
        sessions=counted(texts.SESSIONS, len(tables.get("supervision_sessions", []))),
        alerts=counted(
            ALERT, sum(1 for row in tables.get("alerts", []) if row.get("person_id") == person_id)
        ),
        views=counted(
            TIME,
            sum(1 for row in tables.get("audit_log", []) if row.get("subject_id") == person_id),
        ),
        circles=counted(
            SIGNUP, len(tables.get("circle_rsvps", [])) + len(tables.get("circle_attendance", []))
        ),
        protection=texts.ENCRYPTED if encrypted else texts.NOT_ENCRYPTED,
    )
    return OutgoingMessage(text, document=Document(export_bytes(document), filename))


# The erasure --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ErasureOutcome:
    erasure: Erasure
    name: str = ""
    """What the person was called (for the one who asked: ``peerbot erase`` names them)."""
    told: tuple[int, ...] = ()
    """Who heard at once that the person left."""
    queued: tuple[int, ...] = ()
    """Who will hear it from the running bot: no adapter could reach them now (``peerbot
    erase`` runs none) or the send failed, so the notice waits in the due queue."""


@dataclass(frozen=True, slots=True)
class _Notice:
    """Which leaving notice goes to whom, and the name it says (kept in the due row until the
    notice is sent: the rest of the person is gone by then)."""

    which: str
    name: str

    def to_json(self) -> str:
        return json.dumps({"which": self.which, "name": self.name}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> _Notice | None:
        try:
            data = json.loads(text)
            return cls(str(data["which"]), str(data["name"]))
        except (ValueError, KeyError, TypeError):
            return None

    def message(self) -> OutgoingMessage:
        template = texts.MENTEE_LEFT if self.which == MENTEE_LEFT else texts.MENTOR_LEFT
        return OutgoingMessage(template.format(name=self.name))


MENTEE_LEFT, MENTOR_LEFT = "mentee", "mentor"


async def erase_person(ctx: Context, person_id: int, *, requested_by: str) -> ErasureOutcome | None:
    """Erase the person everywhere; tell their mentor (and mentees) that they left, now when
    an adapter can reach them, else through the due queue when the bot runs.

    Returns the tombstone and who was told, or None if there was no such person.
    """
    person = await ctx.storage.get_person(person_id)
    if person is None:
        return None
    name = await display_name(ctx, person_id)
    notices = await _leaving_notices(ctx, person_id, name)
    then = await ctx.capabilities.before_erase(ctx, person_id)  # e.g. circle places held
    erasure = Erasure(secrets.token_hex(8), ctx.clock(), requested_by)
    if not await ctx.storage.erase_person(person_id, erasure, ctx.capabilities.ledger_kinds):
        return None
    log.info("erasure %s done (requested by %s)", erasure.id, requested_by)
    for after_erase in then:  # e.g. the next people waiting get the freed circle places
        await after_erase()
    told: list[int] = []
    queued: list[int] = []
    for recipient, ref, notice in notices:
        if ctx.messengers.get(ref.platform) is not None:
            try:
                async with asyncio.timeout(NOTICE_SECONDS):
                    await _deliver_notice(ctx, erasure.id, recipient, ref, notice)
                told.append(recipient)
                continue
            except (DeliveryError, TimeoutError) as exc:
                log.warning(
                    "leaving notice of erasure %s not delivered now: %s",
                    erasure.id,
                    describe_exception(exc),
                )
        await ctx.storage.set_due(
            DueWork(
                LEFT_NOTICE,
                f"{erasure.id}:{recipient}",
                ctx.clock(),
                notice.to_json(),
                person_id=recipient,
            )
        )
        queued.append(recipient)
    return ErasureOutcome(erasure, name, tuple(told), tuple(queued))


async def _deliver_notice(
    ctx: Context, erasure_id: str, recipient: int, ref: ConversationRef, notice: _Notice
) -> None:
    async with speaking_to(ctx, recipient):
        message = notice.message()
    await deliver(
        ctx,
        kind=LEFT_NOTICE,
        subject=erasure_id,
        occurrence=str(recipient),
        person_id=recipient,
        ref=ref,
        message=message,
    )


async def run_left_notice(ctx: Context, work: DueWork, now: datetime) -> DueWork | None:
    """The due-queue handler: a leaving notice the erasure could not send at once (the
    delivery ledger keeps it to once; a passing failure is retried by the worker)."""
    erasure_id, _, recipient = work.subject.partition(":")
    notice = _Notice.from_json(work.occurrence)
    person_id = read_id(recipient)
    if notice is None or person_id is None:
        return None
    ref = await prompt_ref(ctx, person_id)
    if ref is None:  # they have gone too, or cannot be reached at all: nothing to say
        return None
    await _deliver_notice(ctx, erasure_id, person_id, ref, notice)
    return None


async def _leaving_notices(
    ctx: Context, person_id: int, name: str
) -> list[tuple[int, ConversationRef, _Notice]]:
    """Who hears that the person left, read before their rows go: nothing else is said."""
    wanted: dict[int, _Notice] = {}
    pairing = await ctx.storage.pairing_of(person_id)
    if pairing is not None:
        for helper in (pairing.mentor_id, pairing.backup_id):
            if helper is not None:
                wanted[helper] = _Notice(MENTEE_LEFT, name)
    for mentee in await ctx.storage.mentees_of(person_id):
        if mentee.mentor_id == person_id:
            wanted[mentee.mentee_id] = _Notice(MENTOR_LEFT, name)
    notices = []
    for recipient, notice in wanted.items():
        ref = await prompt_ref(ctx, recipient)
        if ref is not None and recipient != person_id:
            notices.append((recipient, ref, notice))
    return notices


# Retention ---------------------------------------------------------------------------------------


async def purge_expired(ctx: Context) -> PurgeCounts:
    """Delete what ``[privacy]`` no longer allows keeping; the daily housekeeping job."""
    now = ctx.clock()
    settings = ctx.program.privacy

    def cutoff(days: int) -> datetime | None:
        return now - timedelta(days=days) if days > 0 else None

    cutoffs = PurgeCutoffs(
        checkins=cutoff(settings.retain_checkins_days),
        alerts=cutoff(settings.retain_alerts_days),
        audit=cutoff(settings.retain_audit_days),
        pre_consent=now - PRE_CONSENT_KEEP,
        now=now,
    )
    return await ctx.storage.purge_expired(cutoffs, ctx.capabilities.ledger_kinds)
