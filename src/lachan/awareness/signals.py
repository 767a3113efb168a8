"""Signals of the awareness app.

``lesson_passed`` is sent (after the attempt is saved, inside the transaction) when a learner
passes a lesson's quiz: ``sender=Attempt``, ``attempt=``, ``learner=``, ``lesson=``,
``campaign=`` (or None). Campaigns issue certificates on it; phishing drills count a
recipient's follow-up lesson on it.
"""

from django.dispatch import Signal

lesson_passed = Signal()
