import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { parseSignal, signalName } from '../../../agent/config/index.ts';

test('numbers 0..64', () => {
  assert.equal(parseSignal(15), 15);
  assert.equal(parseSignal(0), 0);
  assert.equal(parseSignal(64), 64);
  assert.equal(parseSignal('9'), 9);
});

test('names in any case, with or without SIG', () => {
  assert.equal(parseSignal('TERM'), os.constants.signals.SIGTERM);
  assert.equal(parseSignal('sigterm'), os.constants.signals.SIGTERM);
  assert.equal(parseSignal('SIGQUIT'), os.constants.signals.SIGQUIT);
  assert.equal(parseSignal('quit'), os.constants.signals.SIGQUIT);
  assert.equal(parseSignal('Hup'), os.constants.signals.SIGHUP);
  assert.equal(parseSignal('SIGUSR1'), os.constants.signals.SIGUSR1);
  assert.equal(parseSignal(' int '), os.constants.signals.SIGINT);
});

test('real-time signals', () => {
  assert.equal(parseSignal('RTMIN'), 34);
  assert.equal(parseSignal('RTMIN+2'), 36);
  assert.equal(parseSignal('SIGRTMIN+1'), 35);
  assert.equal(parseSignal('sigrtmin+30'), 64);
  assert.equal(parseSignal('RTMAX'), 64);
  assert.equal(parseSignal('RTMAX-1'), 63);
});

test('"none" means 0: send nothing', () => {
  assert.equal(parseSignal('none'), 0);
  assert.equal(parseSignal('NONE'), 0);
});

test('invalid signals give undefined', () => {
  for (const bad of [-1, 65, 1.5, '', 'FOO', 'SIGFOO', 'SIG', 'RTMIN+31', 'RTMIN-1', 'RTMAX+1', 'TERM TERM', 'constructor', '__proto__', true, null, undefined, ['TERM'], {}]) {
    assert.equal(parseSignal(bad), undefined, `should reject ${JSON.stringify(bad)}`);
  }
});

test('signalName', () => {
  assert.equal(signalName(15), 'SIGTERM');
  assert.equal(signalName(0), 'none');
  assert.equal(signalName(36), 'SIGRTMIN+2');
  assert.equal(parseSignal(signalName(3)), 3);
});
