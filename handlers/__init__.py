"""The platform-neutral core: a small kernel at this package's root, one package per capability.

Kernel: ``messaging`` (the vocabulary across the adapter boundary), ``context`` (what handlers
are given and what capabilities declare), ``dispatcher`` and ``replies`` (one event in, its
replies out), ``screening`` (the crisis port every text passes first), ``routes`` and
``flowstate`` (typed buttons and conversation state), ``program``, ``outbox``, ``profile``,
``timing``, ``calendars``, ``markup``, ``audit``, ``charts``, ``logsafe`` and ``texts``.

Capabilities: ``account``, ``checkins``, ``crisis``, ``mentoring``, ``goals``, ``resources``,
``circles``, ``privacy`` and ``reporting``, each exporting one ``CAPABILITY`` record;
``app`` assembles them. The kernel imports no capability (``tests/test_floor_plan.py``).
See docs/ARCHITECTURE.md.
"""
