"""``/circle edit``: change one thing about a circle; its next occurrence follows the change.

The questions are the create flow's (``handlers.circles.create``), asked one at a time from a
menu; each answer is applied at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import Any

from handlers.circles import texts, when
from handlers.circles.common import CREATE_FLOW, may_lead
from handlers.circles.draft import ANSWER, AnswerPress, CircleDraft
from handlers.circles.schedule import (
    reschedule,
    scheduled_occurrence,
    tell_promoted,
)
from handlers.context import Context, Replies, Turn, end_flow
from handlers.flowstate import save
from handlers.messaging import OutgoingMessage
from storage.circles import Circle, Recurrence

FIELD_KEYS = ("title", "desc", "guide", "days", "time", "dur", "cap")


def fields() -> tuple[tuple[str, str], ...]:
    """Each editable field and its button label, in the language in use."""
    return (
        ("title", texts.EDIT_TITLE),
        ("desc", texts.EDIT_DESCRIPTION),
        ("guide", texts.EDIT_GUIDELINES),
        ("days", texts.EDIT_DAYS),
        ("time", texts.EDIT_TIME),
        ("dur", texts.EDIT_DURATION),
        ("cap", texts.EDIT_CAPACITY),
    )


async def begin_edit(ctx: Context, turn: Turn, circle: Circle) -> OutgoingMessage:
    """Open the menu (the caller decides where it is shown)."""
    await save(ctx, turn, CREATE_FLOW, "menu", CircleDraft(mode="edit", circle_id=circle.id))
    buttons = [ANSWER.button(label, AnswerPress("menu", field)) for field, label in fields()]
    buttons.append(ANSWER.button(texts.EDIT_DONE, AnswerPress("menu", "done")))
    return OutgoingMessage.with_buttons(
        texts.EDIT_MENU.format(title=circle.title), buttons, per_row=2
    )


async def _editable(ctx: Context, turn: Turn, draft: CircleDraft) -> Circle | Replies:
    circle = await ctx.storage.get_circle(draft.circle_id or 0)
    if circle is None or not circle.active or not may_lead(circle, turn):
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.NOT_YOUR_CIRCLE)]
    return circle


async def prepare(
    ctx: Context, turn: Turn, draft: CircleDraft, field: str
) -> CircleDraft | Replies:
    """A menu choice: the draft the question needs, or the reply that ends the edit."""
    circle = await _editable(ctx, turn, draft)
    if isinstance(circle, list):
        return circle
    if field not in FIELD_KEYS:
        await end_flow(ctx, turn)
        return [OutgoingMessage(texts.EDIT_CLOSED)]
    return replace(
        draft,
        days=list(circle.weekdays),
        time=circle.local_time.strftime("%H:%M"),
        zone=circle.zone,
    )


async def apply(ctx: Context, turn: Turn, draft: CircleDraft, field: str) -> Replies:
    circle = await _editable(ctx, turn, draft)
    if isinstance(circle, list):
        return circle
    options: dict[str, dict[str, Any]] = {
        "title": {"title": draft.title},
        "desc": {"description": draft.desc},
        "guide": {"guidelines": draft.guide},
        "days": {"weekdays": tuple(sorted(draft.days or circle.weekdays))},
        "time": {"local_time": time.fromisoformat(draft.time or "00:00")},
        "dur": {"duration": timedelta(minutes=draft.minutes or 60)},
        "cap": {"capacity": draft.capacity},
    }
    updated = replace(circle, **options[field])
    now = ctx.clock()
    timing = field in ("days", "time")
    if timing and updated.recurrence is Recurrence.ONCE:
        start = when.first_date(updated.weekdays, updated.local_time, updated.zone, now)
        updated = replace(updated, start_date=start)
    await ctx.storage.update_circle(updated)
    await end_flow(ctx, turn)
    following = (
        await reschedule(ctx, updated) if timing else await scheduled_occurrence(ctx, updated)
    )
    if field in ("title", "dur") and following is not None and not following.cancelled:
        await ctx.calendars.scheduled(updated, following)  # its name or end time changed
    if field == "cap" and following is not None:
        promoted = await ctx.storage.fill_places(following.id, capacity=updated.capacity, now=now)
        await tell_promoted(ctx, updated, following, promoted)
    lines = [
        texts.EDITED.format(
            title=updated.title, when=when.show_when(following.starts_at, updated.zone)
        )
        if following is not None
        else texts.EDITED_NO_NEXT.format(title=updated.title)
    ]
    warning = when.gap_warning(updated, now) if timing else None
    if warning:
        lines.append(warning)
    lines.append(texts.EDIT_MORE)
    return [OutgoingMessage("\n".join(lines))]
