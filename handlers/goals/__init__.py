"""Goals: ``/goals`` and ``/goal``, the cards that show them, and the weekly review."""

from __future__ import annotations

from handlers.context import Capability
from handlers.goals import flow, review
from storage.privacy import LedgerKinds

CAPABILITY = Capability.combine(
    "goals",
    [flow.CAPABILITY, Capability(due_handlers={review.GOAL_REVIEW: review.run_goal_review})],
    ledger_kinds=LedgerKinds(person=(review.GOAL_REVIEW,)),
    on_schedule_change=review.schedule_review,  # the review is at 10 am in the person's zone
    routine_kinds=(review.GOAL_REVIEW,),
)

__all__ = ["CAPABILITY"]
