// `ringctl tui` loads Ink and React only when it runs: every other command starts without them (they cost start-up time).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../support/fixtures.ts';
import { RINGCTL } from '../support/ringctl.ts';
import { tmpDir } from '../support/tmp.ts';

const UI_LIBRARIES = /\/node_modules\/(ink|react|react-reconciler|ink-[a-z-]+)\//;

/** Runs ringctl (stdin not a terminal) with the resolve log fixture; resolves with its exit code, stderr and the URLs it loaded. */
function ringctlLoading(args: string[]): Promise<{ code: number | null; stderr: string; loaded: string[] }> {
  const log = join(tmpDir('tui-lazy'), 'resolved.txt');
  writeFileSync(log, '');
  const child = spawn(process.execPath, ['--no-warnings', '--experimental-loader', fixture('tui-resolve-log.mjs'), RINGCTL, ...args], {
    env: { ...process.env, RESOLVE_LOG: log, RING_NATS: '', CIRCUSCTL_ENDPOINT: '', HOME: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) })));
}

describe('ringctl tui: loaded on demand', () => {
  it('a catalogue command runs without loading Ink or React', async () => {
    const r = await ringctlLoading(['--endpoint', 'tcp://127.0.0.1:9', '--timeout', '1', 'status']);
    assert.equal(r.code, 5, r.stderr);
    assert.ok(r.loaded.some((u) => u.endsWith('/ctl/run.ts') || u.endsWith('/ctl/run.js')), 'the log records the modules ringctl loads');
    assert.ok(r.loaded.some((u) => u.endsWith('/tui/command.ts') || u.endsWith('/tui/command.js')), '`tui` is registered');
    assert.deepEqual(r.loaded.filter((u) => UI_LIBRARIES.test(u)), []);
  });

  it('`ringctl tui` loads them, and without a terminal says it needs one (exit 2)', async () => {
    const r = await ringctlLoading(['--endpoint', 'tcp://127.0.0.1:9', 'tui']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^ringctl: ringctl tui needs a terminal/m);
    assert.ok(r.loaded.some((u) => /\/node_modules\/ink\//.test(u)), 'ink is loaded by the tui command');
  });
});
