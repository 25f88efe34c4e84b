"""The recording messenger: the core's test double for an adapter."""

from __future__ import annotations

from handlers.messaging import (
    Capabilities,
    ConversationRef,
    DeliveryError,
    OutgoingMessage,
    SentRef,
)


class RecordingMessenger:
    """A messenger that keeps what it was asked to send."""

    def __init__(self, platform: str = "test", capabilities: Capabilities | None = None) -> None:
        self.platform = platform
        self.capabilities = capabilities or Capabilities()
        self.sent: list[tuple[ConversationRef, OutgoingMessage]] = []
        self.failures: list[DeliveryError] = []
        """Raised (and consumed) one per send, before anything is recorded."""
        self._next_id = 0

    async def send(self, ref: ConversationRef, message: OutgoingMessage) -> SentRef:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((ref, message))
        self._next_id += 1
        return SentRef(ref=ref, message_id=str(self._next_id))

    def to(self, chat_id: str) -> list[OutgoingMessage]:
        """Everything sent into one chat, oldest first."""
        return [m for r, m in self.sent if r.chat_id == chat_id]

    def last(self, chat_id: str | None = None) -> OutgoingMessage:
        messages = self.to(chat_id) if chat_id is not None else [m for _, m in self.sent]
        if not messages:
            raise AssertionError("nothing was sent")
        return messages[-1]

    def clear(self) -> None:
        self.sent.clear()
