"""What a GitHub Actions step leaves behind: the job summary, annotations, and step outputs.

The summary is where results go when nothing can be posted (a fork's read-only token, no API
key): it must stay under GitHub's 1 MiB per step. Annotations are workflow commands on stdout;
their data and properties are escaped as the runner's command parser expects.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from codestral_bot.output import out
from codestral_bot.github.items import Item
from codestral_bot.github.items import code_span
from codestral_bot.github.items import neutral_markdown
from codestral_bot.github.items import suggestion_block

__all__ = [
    'SUMMARY_LIMIT',
    'Tally',
    'annotation',
    'escape_data',
    'escape_property',
    'summary_markdown',
    'write_annotations',
    'write_outputs',
    'write_summary',
]

SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub takes in one step's summary
MAX_ANNOTATIONS = 50  # GitHub shows 10 warnings per step and 50 per job; more are dropped
_CODE_LINES = 30  # lines of proposed code shown in one annotation


@dataclasses.dataclass(frozen=True)
class Tally:
    stubs: int = 0  # found in the added lines
    filled: int = 0
    suggested: int = 0  # fills that became suggestions
    comments: int = 0  # review findings
    posted: int = 0  # inline comments this run created
    skipped: int = 0  # already on the pull request
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    def outputs(self) -> dict[str, int]:
        return {'stubs': self.stubs, 'suggestions': self.suggested, 'comments': self.comments,
                'posted': self.posted}


def escape_data(text: str) -> str:
    return text.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')


def escape_property(text: str) -> str:
    return escape_data(text).replace(':', '%3A').replace(',', '%2C')


def _annotation_message(item: Item) -> str:
    message = item.title
    if item.suggestion is not None:
        lines = item.suggestion.split('\n')
        shown = '\n'.join(lines[:_CODE_LINES]) + ('\n…' if len(lines) > _CODE_LINES else '')
        span = f'lines {item.start_line}-{item.line}' if item.line > item.start_line else f'line {item.line}'
        message += f'\nProposed code for {span}:\n{shown}'
    return message


def annotation(item: Item, level: str = 'warning') -> str:
    title = 'codestral-bot: ' + {'suggestion': 'stub filled', 'stub': 'stub found'}.get(
        item.kind, item.severity)
    props = {'file': item.path, 'line': str(item.start_line), 'endLine': str(item.line), 'title': title}
    joined = ','.join(f'{key}={escape_property(value)}' for key, value in props.items())
    return f'::{level} {joined}::{escape_data(_annotation_message(item))}'


def write_annotations(items: Sequence[Item]) -> None:
    for item in items[:MAX_ANNOTATIONS]:
        out(annotation(item), workflow_command=True)


def write_outputs(path: str | None, values: Mapping[str, object]) -> None:
    if not path:
        return
    with open(path, 'a', encoding='utf-8') as f:
        f.writelines(f'{name}={value}\n' for name, value in values.items())


def _table(t: Tally) -> str:
    tokens = t.prompt_tokens + t.completion_tokens
    return ('| Stubs found | Filled | Suggested | Review comments | Posted | Skipped | Tokens | Cost |\n'
            '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
            f'| {t.stubs} | {t.filled} | {t.suggested} | {t.comments} | {t.posted} | {t.skipped} '
            f'| {tokens:,} | ${t.cost:.4f} |')


def _detail(item: Item) -> str:
    head = f'#### {code_span(item.where)}\n{item.title}'
    if item.suggestion is None:
        return head
    return f'{head}\n\n{suggestion_block(item.suggestion, language="")}'


def summary_markdown(tally: Tally, notes: Sequence[str], details: Sequence[Item],
                     link: str | None = None, limit: int = SUMMARY_LIMIT) -> str:
    parts = ['## 💡 codestral-bot', _table(tally)]
    parts += [f'> {neutral_markdown(note)}' for note in notes]
    if link:
        parts.append(f'[The review on the pull request]({link})')
    if details:
        parts.append(f'### Suggestions and findings ({len(details)})')
    size = sum(len(p.encode()) + 2 for p in parts) + 300
    for shown, item in enumerate(details):
        text = _detail(item)
        if size + len(text.encode()) + 2 > limit:
            parts.append(f'… and {len(details) - shown} more, not shown (the step summary is limited to 1 MiB).')
            break
        parts.append(text)
        size += len(text.encode()) + 2
    return '\n\n'.join(parts) + '\n'


def write_summary(path: str | None, text: str) -> None:
    """Append to the step summary, within what is left of the 1 MiB (earlier steps' text counts)."""
    if not path:
        return
    file = Path(path)
    used = file.stat().st_size if file.exists() else 0
    room = SUMMARY_LIMIT - used - 1
    note = b'\n\n... (cut: the step summary is limited to 1 MiB)\n'
    from codestral_bot.redact import scrub

    data = scrub(text).encode('utf-8')
    if len(data) > room:
        if room <= len(note):
            return  # earlier steps used it all
        data = data[:room - len(note)].decode('utf-8', 'ignore').encode() + note
    with file.open('ab') as f:
        f.write(data)
