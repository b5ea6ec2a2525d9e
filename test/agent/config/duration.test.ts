import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../agent/config/index.ts';

test('numbers are seconds, fractions allowed, rounded to whole milliseconds', () => {
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration(30), 30_000);
  assert.equal(parseDuration(1.5), 1500);
  assert.equal(parseDuration(0.25), 250);
  assert.equal(parseDuration(1.1), 1100);
  assert.equal(parseDuration(0.0004), 0);
});

test('strings with units', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('.5s'), 500);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1h 5m'), 3_900_000);
  assert.equal(parseDuration('1s500ms'), 1500);
  assert.equal(parseDuration(' 30S '), 30_000);
  assert.equal(parseDuration('0s'), 0);
});

test('numeric strings are seconds, like Circus ini values', () => {
  assert.equal(parseDuration('30'), 30_000);
  assert.equal(parseDuration('0.5'), 500);
});

test('invalid durations give undefined', () => {
  for (const bad of [-1, -0.5, Number.NaN, Infinity, '', '  ', 'soon', '10x', '-5s', '5 s s', 's', '1m30', '1.2.3s', 'ms', true, null, undefined, [], {}, [30]]) {
    assert.equal(parseDuration(bad), undefined, `should reject ${JSON.stringify(bad)}`);
  }
});

test('formatDuration is the inverse for display', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(30_000), '30s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(86_400_000 + 1500), '1d1s500ms');
  for (const ms of [250, 30_000, 90_000, 3_900_000]) assert.equal(parseDuration(formatDuration(ms)), ms);
});
