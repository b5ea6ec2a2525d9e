/** strftime subset and rotation period arithmetic. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotationPeriod, timedSuffix } from '../../../agent/output/rotation.ts';
import { compileTimeFormat, strftime } from '../../../agent/output/timefmt.ts';

const T = Date.UTC(2024, 2, 5, 14, 7, 9, 123); // Tuesday

test('every supported conversion, UTC', () => {
  assert.equal(strftime('%Y-%m-%d %H:%M:%S.%f %z %Z %a %b %j %y %p %I %% %q', T, true),
    '2024-03-05 14:07:09.123000 +0000 UTC Tue Mar 065 24 PM 02 % %q');
  assert.equal(strftime('%A %B %e|%s', T, true), 'Tuesday March  5|' + Math.floor(T / 1000));
  assert.equal(strftime('%I %p', Date.UTC(2024, 0, 1, 0, 5), true), '12 AM');
  assert.equal(strftime('%j', Date.UTC(2024, 11, 31), true), '366');
  assert.equal(strftime('100%', T, true), '100%');
});

test('local time follows TZ', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata';
  try {
    assert.equal(strftime('%H:%M %z', T, false), '19:37 +0530');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('compiled formatter caches per second but not with %f', () => {
  const f = compileTimeFormat('%S', true);
  assert.equal(f(T), '09');
  assert.equal(f(T + 500), '09');
  assert.equal(f(T + 1000), '10');
  const g = compileTimeFormat('%S.%f', true);
  assert.equal(g(T), '09.123000');
  assert.equal(g(T + 1), '09.124000');
});

test('rotation periods and suffixes', () => {
  assert.deepEqual(rotationPeriod('S', 1, T, true), { end: T + 1000, suffixTime: T });
  assert.deepEqual(rotationPeriod('H', 2, T, true), { end: T + 2 * 3600_000, suffixTime: T });
  const m = rotationPeriod('MIDNIGHT', 1, T, true);
  assert.equal(m.end, Date.UTC(2024, 2, 6));
  assert.equal(strftime(timedSuffix('MIDNIGHT').format, m.suffixTime, true), '2024-03-05');
  assert.equal(rotationPeriod('MIDNIGHT', 2, T, true).end, Date.UTC(2024, 2, 7));
  const w = rotationPeriod('W0', 1, T, true); // next Monday 00:00
  assert.equal(w.end, Date.UTC(2024, 2, 11));
  assert.equal(w.suffixTime, Date.UTC(2024, 2, 4));
  assert.equal(rotationPeriod('W2', 1, T, true).end, Date.UTC(2024, 2, 6)); // Wednesday
  assert.equal(rotationPeriod('W1', 1, T, true).end, Date.UTC(2024, 2, 12)); // Tuesday: next week's
  assert.equal(strftime(timedSuffix('S').format, T, true), '2024-03-05_14-07-09');
  assert.equal(strftime(timedSuffix('M').format, T, true), '2024-03-05_14-07');
  assert.equal(strftime(timedSuffix('H').format, T, true), '2024-03-05_14');
  assert.ok(timedSuffix('S').pattern.test('2024-03-05_14-07-09.2'));
});
