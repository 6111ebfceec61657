"""Command line: argparse tree → one function per command, inside the error handler.

Only the standard library is imported here: the pre-commit hook starts on every commit.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from collections.abc import Sequence

from codestral_bot import __version__
from codestral_bot.errors import FatalError
from codestral_bot.logs import logging_handler

__all__ = ['main']

EXIT_CODES = """\
exit codes (computed in outcome.py from what each fill and request came to):
  0  nothing to propose, or every edit was applied
  1  edits proposed but not applied (or --fail-on matched a finding)
  2  usage, configuration or environment error: bad flags, not a repository, the API key
     rejected, no request reached a working model, or --fail-on set and the review could not run
  3  a bug in codestral-bot (a log file is written)
  4  the run was cut short: stubs left unfilled because the deadline or a budget ran out
     (even if other edits are proposed)
"""


def _scrub(text: str) -> str:
    # Only when a key was read (redact imported): the hook's fast path stays import-free.
    redact = sys.modules.get('codestral_bot.redact')
    return redact.scrub(text) if redact is not None else text


def _write_crash_log() -> str:
    import tempfile
    import traceback

    fd, path = tempfile.mkstemp(prefix='codestral-bot-', suffix='.log')
    with os.fdopen(fd, 'w') as f:
        f.write(_scrub(f'codestral-bot {__version__}, Python {sys.version}\n\n{traceback.format_exc()}'))
    return path


@contextlib.contextmanager
def error_handler() -> Iterator[None]:
    try:
        yield
    except FatalError as e:
        sys.stderr.write(_scrub(f'codestral-bot: error: {e}') + '\n')
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        sys.stderr.write('codestral-bot: interrupted\n')
        raise SystemExit(130) from None
    except Exception as e:  # a bug: say so, keep the traceback in a file, not on screen
        path = _write_crash_log()
        sys.stderr.write(f'codestral-bot: an unexpected error occurred ({type(e).__name__}); '
                         f'details in {path}\n')
        raise SystemExit(3) from None


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group('model')
    group.add_argument('--api-base', metavar='URL', help='API base URL (default: from the key; env CODESTRAL_BOT_API_BASE)')
    group.add_argument('--provider', choices=('mistral', 'ollama', 'openrouter'), help='model backend (default: mistral)')
    group.add_argument('--fim-provider', choices=('mistral', 'ollama'), help='backend for stub fills')
    group.add_argument('--chat-provider', choices=('mistral', 'ollama', 'openrouter'), help='backend for review comments')
    group.add_argument('--model', help='model name (default: codestral-latest)')
    group.add_argument('--max-tokens', type=int, metavar='N', help='max tokens per fill (default: 512)')
    group.add_argument('--temperature', type=float, metavar='T', help='sampling temperature (default: 0.2)')
    group.add_argument('--stop', action='append', metavar='TEXT', help='a stop string (repeatable)')
    group.add_argument('--prompt-tokens', type=int, metavar='N', help='token budget for code before a stub (default: 3000)')
    group.add_argument('--suffix-tokens', type=int, metavar='N', help='token budget for code after a stub (default: 1000)')
    group.add_argument('--no-cache', action='store_true', help='do not read or write the completion cache')


def _add_pacing_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group('pacing and budgets')
    group.add_argument('--plan', choices=('free', 'payg', 'enterprise', 'custom'), help='rate-limit plan (default: payg)')
    group.add_argument('--rps', type=float, help='requests per second (overrides the plan; default: rpm / 60)')
    group.add_argument('--rpm', type=int, help='requests per minute (overrides the plan; default: rps × 60)')
    group.add_argument('--tpm', type=int, help='tokens per minute (overrides the plan)')
    group.add_argument('--tpd', type=int, help='tokens per day (overrides the plan)')
    group.add_argument('--concurrency', type=int, help='requests in flight at once')
    group.add_argument('--timeout', type=float, metavar='SECONDS',
                       help='deadline for the whole run (default: 60, none with --base)')
    group.add_argument('--budget-tokens', type=int, metavar='N', help='stop sending after N tokens this run')
    group.add_argument('--budget-dollars', type=float, metavar='USD', help='stop sending after this estimated cost')


def _add_review_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        'review', help='fill stubs and review the current change',
        description='Find stubs in the lines your change adds, fill them with Codestral FIM, '
                    'and propose the edits as a diff (or apply them).',
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group('what to review (default: working tree vs HEAD)')
    what = what.add_mutually_exclusive_group()
    what.add_argument('--staged', action='store_true', help='the index vs HEAD')
    what.add_argument('--base', metavar='REF', help='merge-base(REF, HEAD) .. the working tree')
    parser.add_argument('paths', nargs='*', help='limit the review to these files')
    out = parser.add_argument_group('output')
    out.add_argument('--apply', action='store_true', help='write the fills into the files')
    out.add_argument('--patch', metavar='FILE', help='write the proposed edits as a patch for `git apply`')
    out.add_argument('--json', action='store_true', help='print one JSON document instead of a diff')
    out.add_argument('--sarif', metavar='FILE', help='write review comments as SARIF 2.1.0')
    out.add_argument('--dry-run', action='store_true', help='show what would be sent, send nothing')
    out.add_argument('--no-fill', action='store_true', help='do not fill stubs')
    out.add_argument('--no-comments', action='store_true', help='do not ask for review comments')
    out.add_argument('--explain', action='store_true',
                     help='say on stderr why each stub is one (and what from other files went into its '
                          'prompt), and why each skipped candidate was skipped')
    out.add_argument('--fail-on', choices=('error', 'warning', 'info'),
                     help='exit 1 when a review comment of this severity or worse exists')
    out.add_argument('--hook', action='store_true', help=argparse.SUPPRESS)
    out.add_argument('--strict', action='store_true',
                     help='with --hook: network or quota problems fail the hook (exit 2) instead of warning')
    _add_model_options(parser)
    _add_pacing_options(parser)
    parser.add_argument('-v', '--verbose', action='store_true', help='debug logging')


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='codestral-bot',
        description='Fills TODO stubs in your git changes with Codestral, and reviews them.',
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('--version', action='version', version=f'%(prog)s {__version__}')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    _add_review_parser(sub)
    _add_extra_parsers(sub)
    return parser


def _add_extra_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser('config', help='print the effective configuration and where each value came from')
    config.add_argument('-v', '--verbose', action='store_true', help=argparse.SUPPRESS)
    github = sub.add_parser(
        'github', help='review a pull request from a GitHub Action and post suggestions',
        description='Reads the pull_request event (GITHUB_EVENT_PATH), fills stubs in the added lines, '
                    'asks for review comments, and posts one review with committable suggestions.',
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    github.add_argument('--mode', choices=('suggest', 'comment', 'both'), help='what to post (default: both)')
    github.add_argument('--max-comments', type=int, metavar='N', help='inline comments per review (default: 30)')
    github.add_argument('--fail-on', choices=('error', 'warning', 'info'), help='exit 1 on a finding this severe')
    github.add_argument('--dry-run', action='store_true', help='compute everything, post nothing')
    github.add_argument('--explain', action='store_true',
                        help='say on stderr why each stub is one, and why each skipped candidate was skipped')
    _add_model_options(github)
    _add_pacing_options(github)
    github.add_argument('-v', '--verbose', action='store_true', help='debug logging')
    providers = sub.add_parser('providers', help='which model backends are configured and reachable')
    _add_model_options(providers)
    providers.add_argument('-v', '--verbose', action='store_true', help=argparse.SUPPRESS)
    demo = sub.add_parser('demo', help='try it: review a throw-away repository whose change adds a stub',
                          description='Builds a small git repository in a temporary folder whose change adds '
                                      'a stub, and runs `codestral-bot review` there (extra arguments go to review).')
    demo.add_argument('review_args', nargs=argparse.REMAINDER, metavar='REVIEW-ARGS',
                      help='passed to review, e.g. --apply or --no-comments')
    demo.add_argument('-v', '--verbose', action='store_true', help=argparse.SUPPRESS)
    cache = sub.add_parser('cache', help='inspect or clear the completion cache')
    cache.add_argument('action', choices=('stats', 'clear'))
    cache.add_argument('-v', '--verbose', action='store_true', help=argparse.SUPPRESS)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == 'review':
        from codestral_bot.commands.review import review

        return review(args)
    if args.command == 'config':
        from codestral_bot.commands.config import show_config

        return show_config(args)
    if args.command == 'github':
        from codestral_bot.commands.github import github_command

        return github_command(args)
    if args.command == 'providers':
        from codestral_bot.commands.providers import providers_command

        return providers_command(args)
    if args.command == 'demo':
        from codestral_bot.commands.demo import demo_command

        return demo_command(args)
    if args.command == 'cache':
        from codestral_bot.commands.cache import cache_command

        return cache_command(args)
    raise AssertionError(args.command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    with error_handler():
        if args.command == 'review':
            return _dispatch(args)  # review installs the handler after its fast path
        with logging_handler(getattr(args, 'verbose', False)):
            return _dispatch(args)


if __name__ == '__main__':
    raise SystemExit(main())
