"""The day a demo's statistics are checked on, and the browser tests' demo sites end.

A demo is generated up to today, so another day is another organization: its promotion
rounds fall elsewhere in the trailing year and a 95% interval that excludes an effect one
day includes it the next (of six days tried, three failed one of the statistical checks),
and who the demo manager is, and whom they report to, changes. Modules asserting such
figures pin the clock here (conftest's ``demo_day``); the sites are made ``--as-of`` it.
"""

from datetime import datetime

DEMO_DAY = datetime(2026, 12, 2, 12, 0)
