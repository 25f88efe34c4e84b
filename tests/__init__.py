"""The test suite; shared helpers are in :mod:`tests.support`."""

import pytest

# Helpers under tests/support assert too: show their failures as pytest shows a test's.
pytest.register_assert_rewrite("tests.support")
