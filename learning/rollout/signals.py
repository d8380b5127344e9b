"""Signals other domains subscribe to, so that they never need to be imported from here.

``report_approved`` is sent once per approval, after the approval is committed, as
``report_approved.send(app, report_id=..., trainer_id=...)``; the certificates domain
listens to it.
"""

from __future__ import annotations

from blinker import Namespace

report_approved = Namespace().signal("training-report-approved")
