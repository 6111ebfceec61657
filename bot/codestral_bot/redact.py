"""Secrets in and out: keys are checked where they are read, and never leave in any spelling.

A key read from the environment is remembered here, so every path that prints or logs text
(``main``'s error handler, the log formatter, the model errors) can scrub it, in each escaped
form an error message may show it: as is, ``repr``, JSON, URL-encoded, bytes ``repr``.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote
from urllib.parse import quote_plus
from urllib.parse import urlsplit

from codestral_bot.errors import UsageError

__all__ = ['MASK', 'check_key', 'forms_of', 'mask_url', 'remember', 'scrub']

MASK = '***'
_MIN_SECRET = 4  # shorter "secrets" would scrub ordinary words out of messages
_remembered: set[str] = set()
_URL = re.compile(r'\b([a-zA-Z][a-zA-Z0-9+.-]*://)([^/\s@]*@)')


def check_key(name: str, value: str | None) -> str | None:
    """The key as sent: surrounding whitespace (a pasted trailing newline) dropped; None if empty.

    Any other control character, inner space or non-ASCII character cannot go in an HTTP header:
    one line naming the variable (never the key) and the position, exit 2.
    """
    if value is None:
        return None
    key = value.strip()
    if not key:
        return None
    for position, char in enumerate(key, start=1):
        if not ' ' < char < '\x7f':
            what = 'a non-ASCII character' if ord(char) > 0x7f else 'a space or control character'
            raise UsageError(f'{name} holds {what} at position {position} of {len(key)}: '
                             'an API key is printable ASCII; set it again (the value is not shown)')
    remember(key)
    return key


def remember(secret: str | None) -> None:
    """Scrub ``secret`` from everything this process prints or logs from now on."""
    if secret and len(secret) >= _MIN_SECRET:
        _remembered.add(secret)
        stripped = secret.strip()
        if stripped and stripped != secret:
            _remembered.add(stripped)


def forms_of(secret: str) -> set[str]:
    """The spellings an error message may hold: raw, repr, JSON, URL-encoded, bytes repr."""
    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             quote(secret, safe=''), quote_plus(secret), quote(secret)}
    encoded = secret.encode('utf-8', 'surrogatepass')
    forms.add(repr(encoded)[2:-1])
    forms.add(encoded.hex())
    return {f for f in forms if len(f) >= _MIN_SECRET}


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` without any form of the remembered secrets or of ``secrets``; URL passwords masked."""
    every = set(_remembered)
    every.update(s for s in secrets if s and len(s) >= _MIN_SECRET)
    # The longest forms first: a short form inside a longer one would leave the rest behind.
    for form in sorted({f for s in every for f in forms_of(s)}, key=len, reverse=True):
        text = text.replace(form, MASK)
    return mask_url(text)


def mask_url(text: str) -> str:
    """``https://user:password@host`` → ``https://***@host``, anywhere in ``text``."""
    return _URL.sub(lambda m: f'{m.group(1)}{MASK}@', text)


def url_has_secret(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.username is not None or parts.password is not None
