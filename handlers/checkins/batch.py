"""Scheduled check-in prompts, a claimed batch at a time: the due worker's path for ``checkin``.

Each row gets its decision (send, skip, record a miss, drop) in a handful of storage round
trips per batch instead of about fifteen per prompt:

1. **One read** for the whole batch (``prompt_batch_facts``): person, settings, accounts,
   completed-today, the prompt's and the misses' ledger rows, the last scheduled day before.
2. **Per row, in Python**: drop the row (person gone, stopped, paused, no account), record the
   day as missed (later than ``max_lateness``), skip it (already checked in, or settled in the
   ledger before), or send the prompt. An unanswered previous day counts as a miss, once.
3. **One transaction before anything is sent** (``prepare_prompts``): misses counted, missed
   and skipped days marked, and for each prompt about to go: its ledger row written
   ``pending`` (only while its due row is still leased to this worker), the person's older open
   check-ins closed, the new check-in opened, and the account put at its first question.
4. **The sends**, concurrently, each holding one of the worker's slots; transient failures are
   retried with backoff as :func:`handlers.outbox.send_with_retries` does.
5. **The marks, group-committed**: a finished send writes its ledger mark (sent, or failed on a
   permanent failure, which also pauses the person), its reminder and its due row's advance
   (only if still leased to this worker) in one transaction shared with every send that finished
   while the previous write was running (``finish_due_batch``). The send keeps its slot until
   that transaction has committed.

**The duplicate window.** A message can go out twice only if the process dies after the
platform accepted it and before its ``sent`` mark committed. A send holds a worker slot from
before the send until its mark has committed, so at most ``concurrency`` messages per worker
(its slots, 32 by default) are in that state at any moment, and only messages whose ledger row
is still ``pending`` at the crash can be re-sent. Nothing else is re-sent, and nothing is
skipped: a prompt whose mark did not commit stays ``pending`` and its due row stays leased, so
it is claimed again when the lease runs out. A transient failure leaves it the same way, to be
retried; a permanent one is recorded and not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from handlers.checkins import alerts as checkin_alerts
from handlers.checkins import texts
from handlers.checkins.flow import FLOW, question_message
from handlers.checkins.prompts import MISS, REMINDER, outside_quiet_hours
from handlers.checkins.schedule import CHECKIN, next_checkin_for
from handlers.context import Context, DueBatchHandler
from handlers.i18n import speaking
from handlers.logsafe import describe_exception
from handlers.messaging import ConversationRef, DeliveryError
from handlers.outbox import choose_ref, send_with_retries
from handlers.profile import PAUSED_INDEFINITELY
from handlers.program import Question
from storage.deliveries import DeliveryStatus
from storage.due_queue import DueWork
from storage.people import AccountAddress
from storage.prompt_batches import (
    DueOutcome,
    LedgerMark,
    MissToCount,
    PreparedPrompts,
    PromptFacts,
    PromptKey,
    PromptToOpen,
)

log = logging.getLogger(__name__)

SOURCE = "scheduled"
"""The check-in source of scheduled prompts."""
LATE = "later than max_lateness"
"""The ledger's reason for a prompt recorded as missed because it was too late to send."""


@dataclass(slots=True)
class _Plan:
    """What to do with one claimed row."""

    row: DueWork
    next_work: DueWork | None
    day: date | None = None
    marks: list[LedgerMark] = field(default_factory=list)
    """Final ledger statuses written before the sends (missed, skipped)."""
    misses: list[MissToCount] = field(default_factory=list)
    facts: PromptFacts | None = None
    ref: ConversationRef | None = None
    """Set: send the prompt there."""


async def run_checkin_batch(
    ctx: Context, rows: Sequence[DueWork], now: datetime, slots: asyncio.Semaphore
) -> None:
    """Work a claimed batch of ``checkin`` rows (see the module docstring).

    A row whose work fails is left leased, to be claimed again when its lease runs out; one
    failing row never stops the others. Raises only if a batch-wide read or write fails (then
    every row of the batch is retried the same way).
    """
    keys: list[tuple[DueWork, PromptKey]] = []
    for row in rows:
        try:
            assert row.person_id is not None, "a checkin row names its person"
            keys.append(
                (row, PromptKey(row.person_id, row.subject, date.fromisoformat(row.occurrence)))
            )
        except (AssertionError, ValueError) as exc:
            log.error("due checkin for %s failed: %s", row.subject, describe_exception(exc))
    facts = await ctx.storage.prompt_batch_facts(
        [key for _, key in keys], kind=CHECKIN, miss_kind=MISS, source=SOURCE
    )
    plans: list[_Plan] = []
    for row, key in keys:
        try:
            plans.append(_decide(ctx, row, key.day, facts.get(row.subject), now))
        except Exception as exc:
            log.error("due checkin for %s failed: %s", row.subject, describe_exception(exc))
    _say_how_many_were_late(ctx, plans, now)
    first = ctx.program.checkin.questions[0]
    sending = [plan for plan in plans if plan.ref is not None]
    prepared = await ctx.storage.prepare_prompts(
        kind=CHECKIN,
        miss_kind=MISS,
        marks=[mark for plan in plans for mark in plan.marks],
        misses=[miss for plan in plans for miss in plan.misses],
        prompts=[_to_open(plan) for plan in sending],
        source=SOURCE,
        flow=FLOW,
        step=first.key,
        now=ctx.clock(),
    )
    await _escalate(ctx, plans, prepared)
    going = [plan for plan in sending if plan.row.subject in prepared.checkin_ids]
    # Nothing to send (or settled meanwhile by someone else): finish those rows at once.
    idle = [
        DueOutcome(plan.row, plan.next_work, marks=_counted(plan))
        for plan in plans
        if plan.ref is None or plan.row.subject not in prepared.checkin_ids
    ]
    if idle:
        await ctx.storage.finish_due_batch(idle, ctx.clock())
    writer = _OutcomeWriter(ctx)
    await asyncio.gather(
        *(
            _send(ctx, plan, prepared.checkin_ids[plan.row.subject], first, slots, writer)
            for plan in going
        )
    )


def _say_how_many_were_late(ctx: Context, plans: list[_Plan], now: datetime) -> None:
    """Prompts later than ``max_lateness`` are recorded as missed: say so with the figures
    (a fan-out bigger than the platform's rate can carry, or the bot was down)."""
    late = [plan.row.due_at for plan in plans if any(m.reason == LATE for m in plan.marks)]
    if late:
        log.warning(
            "%d prompts of this batch were later than [checkin] max_lateness (%s; the latest"
            " due %.1f min ago) and were recorded as missed, not sent; see [checkin] spread",
            len(late),
            ctx.program.checkin.max_lateness,
            (now - min(late)).total_seconds() / 60,
        )


def _decide(
    ctx: Context, row: DueWork, day: date, facts: PromptFacts | None, now: datetime
) -> _Plan:
    """The per-row decisions of ``run_scheduled_checkin``, on facts read for the batch."""
    if facts is None:
        return _Plan(row, None)  # the person is gone
    next_work = next_checkin_for(
        facts.person, facts.settings, after=row.due_at, spread=ctx.program.checkin.spread
    )
    if next_work is None:
        return _Plan(row, None)  # stopped or paused since this row was written: nothing to send
    plan = _Plan(row, next_work, day)
    person_id = facts.person.id
    # A 'checkin' row's subject is the person id: the misses' ledger subject too.
    if (
        facts.previous_day is not None
        and not facts.previous_completed
        and not _final(facts.previous_miss_status)
    ):
        plan.misses.append(MissToCount(person_id, row.subject, facts.previous_day))
    if now - row.due_at > ctx.program.checkin.max_lateness:
        if not _final(facts.status):
            plan.marks.append(_mark(row, person_id, DeliveryStatus.MISSED, LATE))
        if not _final(facts.miss_status):
            plan.misses.append(MissToCount(person_id, row.subject, day))
        return plan
    if facts.completed:
        if not _final(facts.status):
            plan.marks.append(_mark(row, person_id, DeliveryStatus.SKIPPED, "already checked in"))
        return plan
    if _final(facts.status):
        return plan  # sent (or settled) before: never again
    plan.ref = choose_ref(facts.accounts, facts.settings)
    if plan.ref is None:
        plan.next_work = None  # no account left to reach them on
    plan.facts = facts
    return plan


def _to_open(plan: _Plan) -> PromptToOpen:
    assert plan.ref is not None and plan.day is not None
    return PromptToOpen(plan.row, AccountAddress(plan.ref.platform, plan.ref.user_id), plan.day)


async def _escalate(ctx: Context, plans: list[_Plan], prepared: PreparedPrompts) -> None:
    """Tell the escalation rules each new miss count, as counting them one by one would."""
    new = Counter(miss.person_id for miss in prepared.newly_counted)
    people = dict.fromkeys(miss.person_id for plan in plans for miss in plan.misses)
    for person_id in people:
        count = prepared.miss_counts.get(person_id, 0)
        # A miss counted before a crash (its ledger row still pending) is not counted again.
        seen = range(count - new[person_id] + 1, count + 1) if new[person_id] else (count,)
        for misses in seen:
            await checkin_alerts.after_missed_checkins(ctx, person_id, misses)


async def _send(
    ctx: Context,
    plan: _Plan,
    checkin_id: int,
    first: Question,
    slots: asyncio.Semaphore,
    writer: _OutcomeWriter,
) -> None:
    row, ref, facts = plan.row, plan.ref, plan.facts
    assert ref is not None and facts is not None
    person_id = facts.person.id
    with speaking(facts.settings.language):  # read with the batch: no query per prompt
        opening = texts.PROMPT_OPENING.format(name=facts.person.display_name or "there")
        prompt = question_message(first, checkin_id, lead=opening)
    counted = _counted(plan)
    async with slots:  # held until the mark is written: this bounds the duplicate window
        try:
            await send_with_retries(ctx, ref, prompt)
        except DeliveryError as err:
            if err.permanent:  # a blocked bot or a deleted chat: stop trying, record why
                log.warning(
                    "pausing person %s: permanent delivery failure (%s)", person_id, err.reason
                )
                outcome = DueOutcome(
                    row,
                    None,
                    marks=(_mark(row, person_id, DeliveryStatus.FAILED, err.reason), *counted),
                    paused_until=PAUSED_INDEFINITELY,
                    paused_reason=err.reason,
                )
            else:  # the lease runs out and the row is tried again: never dropped
                log.error("due checkin for %s failed: %s", row.subject, describe_exception(err))
                outcome = DueOutcome(row, None, advance=False, marks=counted)
        except Exception as exc:
            log.error("due checkin for %s failed: %s", row.subject, describe_exception(exc))
            outcome = DueOutcome(row, None, advance=False, marks=counted)
        else:
            ctx.telemetry.proactive_sent(row.kind)
            reminder_at = outside_quiet_hours(
                ctx, facts.settings, row.due_at + ctx.program.checkin.reminder_after
            )
            reminder = DueWork(
                REMINDER, row.subject, reminder_at, row.occurrence, person_id=person_id
            )
            outcome = DueOutcome(
                row,
                plan.next_work,
                marks=(_mark(row, person_id, DeliveryStatus.SENT), *counted),
                reminder=reminder,
            )
        try:
            await writer.write(outcome)
        except Exception as exc:  # stays pending and leased: claimed again later
            log.error(
                "due checkin for %s: marking failed: %s", row.subject, describe_exception(exc)
            )


class _OutcomeWriter:
    """Group commit of outcomes: each caller waits until its outcome is written.

    Whoever finds no write in progress writes everything queued by then in one transaction,
    and again until nothing is queued; sends that finish meanwhile join the next write.
    """

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._queue: list[tuple[DueOutcome, asyncio.Future[None]]] = []
        self._writing = False

    async def write(self, outcome: DueOutcome) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, done))
        if not self._writing:
            await self._write_queued(done)
        await done

    async def _write_queued(self, own: asyncio.Future[None]) -> None:
        self._writing = True
        batch: list[tuple[DueOutcome, asyncio.Future[None]]] = []
        try:
            await asyncio.sleep(0)  # let the sends finishing at this moment join this write
            while self._queue:
                batch, self._queue = self._queue, []
                await self._ctx.storage.finish_due_batch([o for o, _ in batch], self._ctx.clock())
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
                batch = []
        except Exception as exc:
            self._fail([*batch, *self._queue], exc)
        except BaseException:  # cancelled (shutting down): nothing more is written
            own.cancel()
            self._fail([*batch, *self._queue], RuntimeError("the write was interrupted"))
            raise
        finally:
            self._writing = False

    def _fail(self, waiting: list[tuple[DueOutcome, asyncio.Future[None]]], exc: Exception) -> None:
        self._queue = []
        for _, done in waiting:
            if not done.done():
                done.set_exception(exc)


def _final(status: DeliveryStatus | None) -> bool:
    return status is not None and status.final


def _mark(
    row: DueWork, person_id: int, status: DeliveryStatus, reason: str | None = None
) -> LedgerMark:
    return LedgerMark(CHECKIN, row.subject, row.occurrence, person_id, status, reason)


def _counted(plan: _Plan) -> tuple[LedgerMark, ...]:
    """The misses' ledger rows, settled once the escalation rules have heard of them."""
    return tuple(
        LedgerMark(MISS, m.subject, m.day.isoformat(), m.person_id, DeliveryStatus.SKIPPED)
        for m in plan.misses
    )


BATCH_HANDLERS: dict[str, DueBatchHandler] = {CHECKIN: run_checkin_batch}
"""Kinds whose claimed rows the worker hands over a batch at a time, instead of row by row."""
