"""Forwarding an area Protocol's methods from one storage object to the area's repository.

A backend is composed of area repositories (one object per area: people, the due queue,
check-ins, ...) sharing one connection, while the core calls every method on one object
(``ctx.storage.claim_due(...)``). One class, :class:`storage.composed.ComposedStorage`, which
both backends subclass, says, one line per method, which area answers it::

    class ComposedStorage:
        claim_due = forward("due_queue", DueQueueStore.claim_due)

``forward`` takes the signature from the area Protocol, so mypy checks every call through the
storage object as it would a call on the repository, and checks the storage class against
:class:`storage.base.Storage` (a method nobody forwards is a missing Protocol member). On first
use the repository's bound method is kept on the instance (as ``functools.cached_property``
does), so later calls cost what a plain method call costs; tests may still replace a method on
the instance with ``monkeypatch.setattr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

P = ParamSpec("P")
R = TypeVar("R")


class Forward(Generic[P, R]):
    """A method of the area repository held in attribute ``area`` of the instance."""

    __slots__ = ("area", "name")

    def __init__(self, area: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self.area = area
        self.name: str = method.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self.name:
            raise TypeError(f"{owner.__name__}.{name} forwards to a method named {self.name}")

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> Callable[P, R]: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> Self | Callable[P, R]:
        if instance is None:
            return self
        method: Callable[P, R] = getattr(getattr(instance, self.area), self.name)
        instance.__dict__[self.name] = method
        return method


def forward(area: str, method: Callable[Concatenate[Any, P], R]) -> Forward[P, R]:
    """``method`` (an area Protocol's, for its signature) answered by ``instance.<area>``."""
    return Forward(area, method)
