"""The storage contract: every backend runs these very tests.

``tests/test_storage_contract.py`` subclasses the contract classes once, with a ``store``
fixture yielding an opened, empty storage of each backend in turn (the ``backends`` mark). The
classes hold ``test_*`` methods, so pytest collects them only through such a subclass.
"""

from tests.support.storage_contract.batches import PromptBatchContract
from tests.support.storage_contract.circles import CircleContract
from tests.support.storage_contract.coordination import CoordinationContract
from tests.support.storage_contract.core import ADDRESS, NOW, StorageContract, make_person
from tests.support.storage_contract.dashboard import DashboardContract
from tests.support.storage_contract.matching import MatchingContract
from tests.support.storage_contract.mentoring import MentoringContract

__all__ = [
    "ADDRESS",
    "NOW",
    "CircleContract",
    "CoordinationContract",
    "DashboardContract",
    "MatchingContract",
    "MentoringContract",
    "PromptBatchContract",
    "StorageContract",
    "make_person",
]
