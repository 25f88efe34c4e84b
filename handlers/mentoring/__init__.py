"""Mentoring: pairing and invites, alerts and their escalation chain, ``/sos``, what a mentor
sees of their mentees (``/mentees``, ``/alerts``) and sends them (goals, resources)."""

from __future__ import annotations

from handlers.context import Capability
from handlers.mentoring import escalation, goals, pairing, views
from storage.privacy import LedgerKinds

CAPABILITY = Capability.combine(
    "mentoring",
    [
        escalation.CAPABILITY,
        pairing.CAPABILITY,
        views.CAPABILITY,
        goals.CAPABILITY,
        Capability(
            due_handlers={
                escalation.ESCALATION: escalation.run_escalation,
                pairing.PAIRING: pairing.run_pair_notice,
            }
        ),
    ],
    ledger_kinds=LedgerKinds(
        person=(pairing.NEW_MENTOR,),
        alert=(escalation.ESCALATION, escalation.PING, views.ACK_NOTICE),
        pairing=(pairing.PAIRING, pairing.PAIR_NOTICE),
    ),
)

__all__ = ["CAPABILITY"]
