import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseImageDate } from '../../../src/adapters/registry/manifests/image-date.js';

function parsed(value: unknown): string {
  const result = parseImageDate(value);
  assert.ok(result.ok, `expected a date for ${JSON.stringify(value)}`);
  return result.date.toISOString();
}

function problem(value: unknown): string {
  const result = parseImageDate(value);
  assert.ok(!result.ok, `expected no date for ${JSON.stringify(value)}`);
  return result.problem;
}

describe('parseImageDate', () => {
  it('reads RFC 3339 with Z, offsets and nanoseconds', () => {
    assert.equal(parsed('2024-01-02T03:04:05Z'), '2024-01-02T03:04:05.000Z');
    assert.equal(parsed('2024-01-02T03:04:05.987654321Z'), '2024-01-02T03:04:05.987Z');
    assert.equal(parsed('2024-01-02T03:04:05+02:00'), '2024-01-02T01:04:05.000Z');
    assert.equal(parsed('2024-01-02T03:04:05-0130'), '2024-01-02T04:34:05.000Z');
  });

  it("takes a date without a zone as UTC, whatever the machine's zone", () => {
    assert.equal(parsed('2024-01-02T03:04:05'), '2024-01-02T03:04:05.000Z');
    assert.equal(parsed('2024-01-02 03:04:05.5'), '2024-01-02T03:04:05.500Z');
    assert.equal(parsed('2024-01-02'), '2024-01-02T00:00:00.000Z');
  });

  it('keeps reproducible-build epochs as real (ancient) dates', () => {
    assert.equal(parsed('1970-01-01T00:00:00Z'), '1970-01-01T00:00:00.000Z');
    assert.equal(parsed('1980-01-01T00:00:01Z'), '1980-01-01T00:00:01.000Z');
  });

  it('calls garbage, impossible dates, non-strings and absence undated', () => {
    assert.match(problem('yesterday'), /is not a date/);
    assert.match(problem('2024-02-30T00:00:00Z'), /not a valid date/);
    assert.match(problem('2024-13-01T00:00:00Z'), /not a valid date/);
    assert.match(problem('2024-01-01T25:00:00Z'), /not a valid date/);
    assert.match(problem(1_700_000_000), /not a string/);
    assert.match(problem(undefined), /no "created"/);
    assert.match(problem(null), /no "created"/);
  });

  it("calls Go's zero time unset", () => {
    assert.match(problem('0001-01-01T00:00:00Z'), /zero date/);
  });
});
