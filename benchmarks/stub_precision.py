"""Stub precision and recall on real code, against hand labels (issues 11 and 17).

    .venv/bin/python benchmarks/stub_precision.py LANGUAGE [--cache DIR] [--source SPEC ...] [-v]

Labels: ``benchmarks/stub_labels/<language>.tsv``, tab-separated, header
``source  path  name  line  label  reason`` (``label`` is ``stub`` or ``not-stub``). Sources are
every distinct ``source`` of that file, the lines of ``benchmarks/stub_labels/<language>.sources``
when it exists (one spec a line, ``#`` comments), and each ``--source``. A spec is pinned:

- ``pypi:NAME==VERSION``: the sdist (``pip download --no-deps --no-binary NAME``), else the wheel;
- ``npm:NAME@VERSION``: ``npm pack``;
- ``deb:NAME=VERSION``: ``apt-get source`` (run ``apt-get update`` once first);
- ``github:OWNER/REPO@COMMIT``: ``git archive`` of a snapshot brought by the ``fetch`` tool
  (``/work/.mirror/OWNER+REPO…``; set ``STUB_MIRRORS`` to look elsewhere).

Each source is unpacked into the cache (default ``~/.cache/codestral-bot-stub-precision``; a
single top folder is stripped, so ``path`` is the path inside the project's tree), its files of
the language are staged as newly added in a fresh temporary git repository, and
``codestral-bot review --staged --dry-run --json`` runs there with no API key (nothing is sent).

Detections are matched to labels by (source, path, name), the nearest ``line`` first when a name
repeats in a file: labelled ``stub`` = TP, ``not-stub`` = FP, no label = *unlabelled* (listed, as
TSV rows to complete); a ``stub`` label nobody detected = FN. Files under test paths (``tests/``,
``test_*.py``, ``conftest.py``, ``*_test.go``, ``__tests__``, ``*.spec.ts``, ``testdata/`` …) are
counted in a separate row, since the product does not search them by default.
Prints one Markdown table: one row for the language, one for its test paths.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / 'stub_labels'
LANGUAGES = ('python', 'javascript', 'typescript', 'go', 'rust', 'java')
SUFFIXES = {
    'python': ('.py', '.pyw'),
    'javascript': ('.js', '.mjs', '.cjs', '.jsx'),
    'typescript': ('.ts', '.tsx', '.mts', '.cts'),
    'go': ('.go',),
    'rust': ('.rs',),
    'java': ('.java',),
}
TEST_PATH = re.compile(
    r'(^|/)(tests?|testing|testdata|__tests__|__mocks__|spec|fixtures?|test_?utils?)/'
    r'|(^|/)(test_[^/]*\.py|[^/]*_tests?\.py|conftest\.py)$'
    r'|_test\.go$|(^|/)[^/]*(Test|Tests|IT)\.java$|(^|/)src/test/'
    r'|\.(test|spec)\.[cm]?[jt]sx?$'
)
SECRETS = ('CODESTRAL_API_KEY', 'MISTRAL_API_KEY', 'OPENROUTER_API_KEY', 'GITHUB_TOKEN')
HEADER = ['source', 'path', 'name', 'line', 'label', 'reason']


@dataclasses.dataclass
class Label:
    source: str
    path: str
    name: str
    line: int
    label: str
    reason: str
    matched: bool = False


@dataclasses.dataclass(frozen=True)
class Detection:
    source: str
    path: str
    name: str
    line: int
    kind: str


@dataclasses.dataclass
class Tally:
    sources: set[str] = dataclasses.field(default_factory=set)
    files: int = 0
    detections: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    unlabelled: int = 0

    def row(self, title: str) -> str:
        precision = f'{self.tp / (self.tp + self.fp):.1%}' if self.tp + self.fp else '—'
        recall = f'{self.tp / (self.tp + self.fn):.1%}' if self.tp + self.fn else '—'
        return (f'| {title} | {len(self.sources)} | {self.files} | {self.detections} | {self.tp} | '
                f'{self.fp} | {self.fn} | {self.unlabelled} | {precision} | {recall} |')


# --- labels -------------------------------------------------------------------------------------

def read_labels(language: str) -> list[Label]:
    path = LABELS / f'{language}.tsv'
    if not path.exists():
        return []
    labels = []
    with open(path, encoding='utf-8', newline='') as f:
        rows = csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header != HEADER:
            sys.exit(f'{path}: the first line must be the header {HEADER}')
        for n, row in enumerate(rows, start=2):
            if not row or row[0].startswith('#'):
                continue
            if len(row) != 6 or row[4] not in ('stub', 'not-stub') or not row[3].isdigit():
                sys.exit(f'{path}:{n}: want 6 tab-separated fields, label stub|not-stub, a line number')
            labels.append(Label(row[0], row[1], row[2], int(row[3]), row[4], row[5]))
    return labels


def source_specs(language: str, labels: Iterable[Label], extra: Iterable[str]) -> list[str]:
    specs = dict.fromkeys(label.source for label in labels)
    listing = LABELS / f'{language}.sources'
    if listing.exists():
        for line in listing.read_text(encoding='utf-8').splitlines():
            if line.split('#', 1)[0].strip():
                specs.setdefault(line.split('#', 1)[0].strip())
    for spec in extra:
        specs.setdefault(spec)
    return list(specs)


# --- fetching sources ---------------------------------------------------------------------------

def _slug(spec: str) -> str:
    return re.sub(r'[^A-Za-z0-9._=@+-]', '_', spec)


def _run(cmd: list[str], cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _unpack(archive: Path, dest: Path) -> None:
    if archive.suffix in ('.whl', '.zip'):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
    else:
        with tarfile.open(archive) as t:
            t.extractall(dest, filter='data')


def _only_child(folder: Path) -> Path:
    """The tree's root: a single top folder (``attrs-23.2.0/``, npm's ``package/``) is stripped."""
    children = [c for c in folder.iterdir() if not c.name.startswith('.')]
    return children[0] if len(children) == 1 and children[0].is_dir() else folder


def _fetch_pypi(requirement: str, work: Path) -> Path:
    # --no-binary for this project only: ':all:' would also build its build tools (Cython...) from source.
    project = re.split(r'[=<>!~\[; ]', requirement, maxsplit=1)[0]
    for how in (['--no-binary', project], ['--only-binary', ':all:']):
        got = _run([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', *how, '-d', str(work),
                    requirement])
        archives = [p for p in work.iterdir() if p.is_file()]
        if got.returncode == 0 and archives:
            tree = work / 'tree'
            _unpack(archives[0], tree)
            return _only_child(tree)
    raise RuntimeError(f'pip download {requirement} failed: {got.stderr.strip().splitlines()[-1:]}')


def _fetch_npm(spec: str, work: Path) -> Path:
    got = _run(['npm', 'pack', '--silent', '--pack-destination', str(work), spec], cwd=work)
    archives = list(work.glob('*.tgz'))
    if got.returncode != 0 or not archives:
        raise RuntimeError(f'npm pack {spec} failed: {got.stderr.strip()[-300:]}')
    tree = work / 'tree'
    _unpack(archives[0], tree)
    return _only_child(tree)


def _fetch_deb(spec: str, work: Path) -> Path:
    got = _run(['apt-get', 'source', '-q', spec], cwd=work, timeout=1200)
    trees = [p for p in work.iterdir() if p.is_dir()]
    if got.returncode != 0 or not trees:
        raise RuntimeError(f'apt-get source {spec} failed: {got.stderr.strip()[-300:]}')
    return trees[0]


def _fetch_github(spec: str, work: Path) -> Path:
    repo, _, commit = spec.partition('@')
    roots = os.environ.get('STUB_MIRRORS', '/work/.mirror').split(os.pathsep)
    owner, name = repo.split('/', 1)
    candidates = [p for root in roots for p in glob.glob(f'{root}/{owner}+{name}*')]
    # the fetch tool's mirrors keep the git directory in `repo/`
    git_dirs = [Path(p) for c in candidates
                for p in [c, f'{c}/repo', *glob.glob(f'{c}/**/*.git', recursive=True)]
                if (Path(p) / 'HEAD').exists()]
    if not git_dirs:
        raise RuntimeError(f'no mirror of {repo}: bring it with the fetch tool (github:{repo})')
    tree = work / 'tree'
    tree.mkdir()
    archive = work / 'snapshot.tar'
    got = _run(['git', f'--git-dir={git_dirs[0]}', 'archive', '-o', str(archive), commit or 'HEAD'])
    if got.returncode != 0:
        raise RuntimeError(f'git archive {spec} failed: {got.stderr.strip()}')
    _unpack(archive, tree)
    archive.unlink()
    return tree


def fetch(spec: str, cache: Path) -> Path:
    """The unpacked tree of a source, from the cache when it is there."""
    done = cache / _slug(spec)
    marker = done / '.root'
    if marker.exists():
        return done / marker.read_text(encoding='utf-8')
    work = Path(tempfile.mkdtemp(prefix='fetch-', dir=cache))
    kind, _, rest = spec.partition(':')
    fetchers = {'pypi': _fetch_pypi, 'npm': _fetch_npm, 'deb': _fetch_deb, 'github': _fetch_github}
    if kind not in fetchers:
        raise RuntimeError(f'{spec}: unknown source kind (pypi:, npm:, deb:, github:)')
    try:
        root = fetchers[kind](rest, work)
        shutil.rmtree(done, ignore_errors=True)
        work.rename(done)
        relative = str((done / root.relative_to(work)).relative_to(done))
        marker.write_text(relative, encoding='utf-8')
        return done / relative
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- running the bot ----------------------------------------------------------------------------

def language_files(root: Path, language: str) -> list[str]:
    suffixes = SUFFIXES[language]
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ('.git', 'node_modules')]
        for name in filenames:
            if name.endswith(suffixes) and not name.endswith('.d.ts'):
                path = Path(dirpath, name)
                if path.is_file() and not path.is_symlink():
                    found.append(path.relative_to(root).as_posix())
    return sorted(found)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(['git', '-c', 'user.name=bench', '-c', 'user.email=bench@localhost',
                    '-c', 'commit.gpgsign=false', *args], cwd=repo, check=True, capture_output=True)


def detect(spec: str, root: Path, files: list[str], timeout: float) -> tuple[list[Detection], list[str]]:
    """Stage ``files`` as new in a fresh repository; the bot's detections and its warnings."""
    with tempfile.TemporaryDirectory(prefix='stub-precision-') as tmp:
        repo = Path(tmp)
        _git(repo, 'init', '-q')
        _git(repo, 'commit', '-q', '--allow-empty', '-m', 'base')
        for rel in files:
            target = repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / rel, target)
        # Every stub must be listed (max_stubs would shorten the list) and no file excluded.
        (repo / '.codestral-bot.toml').write_text('max_stubs = 1000000\nexclude = []\n', encoding='utf-8')
        _git(repo, 'add', '-A', '--', *files) if len(files) < 2000 else _git(repo, 'add', '-A')
        env = {k: v for k, v in os.environ.items() if k not in SECRETS}
        got = subprocess.run([sys.executable, '-m', 'codestral_bot', 'review', '--staged', '--dry-run',
                              '--json', '--no-comments', '--no-cache'],
                             cwd=repo, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    warnings = [line for line in got.stderr.splitlines() if line.strip()]
    if not got.stdout.strip():  # older builds print nothing when nothing could be a stub
        return [], warnings
    try:
        doc = json.loads(got.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(f'{spec}: review printed no JSON (exit {got.returncode}): {got.stderr[-500:]}') from None
    stubs = [Detection(spec, s['path'], s['name'], int(s['start_line']), s['kind']) for s in doc.get('stubs', [])]
    return stubs, warnings


# --- scoring ------------------------------------------------------------------------------------

def match(detections: list[Detection], labels: list[Label]) -> list[tuple[Detection, Label | None]]:
    by_key: dict[tuple[str, str, str], list[Label]] = {}
    for label in labels:
        by_key.setdefault((label.source, label.path, label.name), []).append(label)
    pairs: list[tuple[Detection, Label | None]] = []
    for d in detections:
        free = [lab for lab in by_key.get((d.source, d.path, d.name), []) if not lab.matched]
        best = min(free, key=lambda lab: abs(lab.line - d.line), default=None)
        if best is not None:
            best.matched = True
        pairs.append((d, best))
    return pairs


def is_test_path(path: str) -> bool:
    return bool(TEST_PATH.search(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('language', choices=LANGUAGES)
    parser.add_argument('--cache', type=Path, default=Path.home() / '.cache' / 'codestral-bot-stub-precision')
    parser.add_argument('--source', action='append', default=[], help='one more source spec (repeatable)')
    parser.add_argument('--only', action='append', default=[], help='measure only these sources')
    parser.add_argument('--timeout', type=float, default=900, help='seconds per source run')
    parser.add_argument('-v', '--verbose', action='store_true', help='list false positives and negatives too')
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)

    labels = read_labels(args.language)
    specs = source_specs(args.language, labels, args.source)
    if args.only:
        specs = [s for s in specs if s in args.only]
    main_tally, test_tally = Tally(), Tally()
    unlabelled: list[Detection] = []
    wrong: list[str] = []
    for spec in specs:
        try:
            root = fetch(spec, args.cache)
            files = language_files(root, args.language)
            detections, warnings = detect(spec, root, files, args.timeout)
        except (RuntimeError, subprocess.SubprocessError, OSError) as e:
            print(f'skipped {spec}: {e}', file=sys.stderr)
            continue
        for w in warnings:
            print(f'{spec}: {w}', file=sys.stderr)
        for rel in files:
            tally = test_tally if is_test_path(rel) else main_tally
            tally.files += 1
            tally.sources.add(spec)
        own = [lab for lab in labels if lab.source == spec]
        for d, label in match(detections, own):
            tally = test_tally if is_test_path(d.path) else main_tally
            tally.detections += 1
            if label is None:
                tally.unlabelled += 1
                unlabelled.append(d)
            elif label.label == 'stub':
                tally.tp += 1
            else:
                tally.fp += 1
                wrong.append(f'FP {spec} {d.path}:{d.line} {d.name} ({d.kind}): {label.reason}')
        for label in own:
            if label.label == 'stub' and not label.matched:
                (test_tally if is_test_path(label.path) else main_tally).fn += 1
                wrong.append(f'FN {spec} {label.path}:{label.line} {label.name}: {label.reason}')

    print('| language | sources | files | detections | TP | FP | FN | unlabelled | precision | recall |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    print(main_tally.row(args.language))
    print(test_tally.row(f'{args.language} (test paths)'))
    if args.verbose and wrong:
        print('\nfalse positives and negatives:')
        print('\n'.join(sorted(wrong)))
    if unlabelled:
        print(f'\nunlabelled detections ({len(unlabelled)}): label them in {LABELS / args.language}.tsv')
        for d in unlabelled:
            print('\t'.join([d.source, d.path, d.name, str(d.line), '?', f'({d.kind})']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
