"""Program outcomes for coordinators (``peerbot report``): figures, tables, CSV and charts.

No chat commands: the CLI calls :func:`handlers.reporting.report.build_report` and renders
it with :mod:`handlers.reporting.format` and :mod:`handlers.reporting.charts`.
"""
