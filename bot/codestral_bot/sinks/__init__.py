"""Every output of a run behind one interface (``base.Sink``: ``emit`` each record, then ``finish``).

    terminal.TerminalSink     the diff, review comments, problems and the cost line
    json_doc.JsonSink         --json: one JSON document, always
    patch.PatchSink           --patch FILE
    sarif.SarifSink           --sarif FILE, always written
    apply.ApplySink           --apply: writes the files (first, so the others see what it wrote)
    github.sink.PullRequestReview     one review on a GitHub pull request (in the github package)
"""
from __future__ import annotations

from codestral_bot.sinks.base import Edit
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport
from codestral_bot.sinks.base import Sink
from codestral_bot.sinks.base import publish

__all__ = ['Edit', 'Record', 'RunReport', 'Sink', 'publish']
