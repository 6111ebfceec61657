"""What a review run leaves behind: the sinks the user asked for (terminal or --json, --patch, --sarif,
--apply). Each is a ``sinks.base.Sink``; the run emits its records to all of them, in this order.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from codestral_bot.options import RunOptions

if TYPE_CHECKING:
    from codestral_bot.sinks.base import Sink

__all__ = ['sinks_for']


def sinks_for(options: RunOptions, root: Path) -> list[Sink]:
    """The outputs the user asked for; --apply first, so the others see what it wrote."""
    from codestral_bot import __version__
    from codestral_bot.sinks.apply import ApplySink
    from codestral_bot.sinks.explain import ExplainSink
    from codestral_bot.sinks.json_doc import JsonSink
    from codestral_bot.sinks.patch import PatchSink
    from codestral_bot.sinks.sarif import SarifSink
    from codestral_bot.sinks.terminal import TerminalSink

    sinks: list[Sink] = [ApplySink(root)] if options.apply else []
    sinks.append(JsonSink() if options.json else TerminalSink(options.gate))
    if options.patch is not None:
        sinks.append(PatchSink(options.patch))
    if options.sarif is not None:
        sinks.append(SarifSink(options.sarif, __version__))
    if options.explain:
        sinks.append(ExplainSink())
    return sinks
