"""``--apply``: write the fills into the files (atomically; a file changed since it was read is kept)."""
from __future__ import annotations

import logging
from pathlib import Path

from codestral_bot.records import Fill
from codestral_bot.sinks.base import Record
from codestral_bot.sinks.base import RunReport

__all__ = ['ApplySink']

logger = logging.getLogger('codestral_bot')


class ApplySink:
    """Runs first among the sinks: the paths it writes go into ``report.applied``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.paths: set[str] = set()

    def emit(self, record: Record) -> None:
        if isinstance(record, Fill) and record.status == 'filled':
            self.paths.add(record.stub.path)

    def finish(self, report: RunReport) -> None:
        from codestral_bot.sources import SourceSkipped
        from codestral_bot.sources import write_source

        for edit in report.edits:
            if edit.source.path not in self.paths:
                continue
            try:
                write_source(self.root, edit.source, edit.new_text)
            except SourceSkipped as e:
                logger.warning('%s', e)
                continue
            report.applied.add(edit.source.path)
