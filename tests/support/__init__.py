"""What the tests share, in one importable place (no test imports another test module or
``conftest``; the fixtures in ``tests/conftest.py`` only build these).

- :mod:`tests.support.clock`: :class:`FakeClock`, whose ``sleep`` advances it.
- :mod:`tests.support.chat`: :class:`Chat`, the chat driver (and :class:`Room` for a group),
  with :func:`onboard` and :func:`answer_all`.
- :mod:`tests.support.messenger`: :class:`RecordingMessenger`, the core's adapter double.
- :mod:`tests.support.mentoring`, :mod:`~tests.support.circles`, :mod:`~tests.support.privacy`:
  people and worlds for those features.
- :mod:`tests.support.storage_contract`: the suites every storage backend runs.
- :mod:`tests.support.discord_world`, :mod:`~tests.support.emulator` (the Node Telegram
  emulator), :mod:`~tests.support.console` (the console bot as a subprocess): the adapters'
  end-to-end worlds.
"""

from tests.support.chat import Chat, Room, answer_all, onboard
from tests.support.clock import FakeClock
from tests.support.messenger import RecordingMessenger

__all__ = ["Chat", "FakeClock", "RecordingMessenger", "Room", "answer_all", "onboard"]
