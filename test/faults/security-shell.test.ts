// No config value or API property reaches a shell as shell syntax: $(circus.env.X) substituted into a hook command or
// a ready_check command goes in as one quoted word; without shell = true, cmd is split into words and exec'd directly,
// so `;`, `$(…)` and backquotes in values and in `add`'s properties are plain characters.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControl, type TestControl } from '../support/control.ts';
import { q } from '../support/arbiter.ts';
import { waitFor } from '../support/wait.ts';

const EVIL = 'x; touch PWNED; echo $(touch PWNED2) `touch PWNED3`';
let t: TestControl;
after(async () => {
  await t?.close();
});

test('hook and ready_check commands get substituted values as quoted words; cmd without shell is never a shell', async () => {
  t = await startControl(`
[env]
EVIL = ${q(EVIL)}

[watchers.hooked]
cmd = "sleep 600"
working_dir = "{dir}"
ready_check = "test -n $(circus.env.EVIL)"
hooks.before_start = "printf '%s' $(circus.env.EVIL) > {dir}/hook.out"

[watchers.argv]
cmd = "/bin/echo $(circus.env.EVIL)"
working_dir = "{dir}"
respawn = false
`);
  const out = join(t.dir, 'hook.out');
  await waitFor(() => existsSync(out), { what: 'the hook to run' });
  assert.equal(readFileSync(out, 'utf8'), EVIL, 'the hook printed the value itself, one word');
  const added = await t.call('add', { name: 'api', cmd: `/bin/echo ${EVIL}`, options: { working_dir: t.dir, respawn: false }, start: true, waiting: true });
  assert.equal(added.status, 'ok', JSON.stringify(added));
  await waitFor(() => t.arbiter.get('argv').processes().every((p) => p.state === 'stopped'), { what: 'echo to finish' });
  for (const f of ['PWNED', 'PWNED2', 'PWNED3']) assert.ok(!existsSync(join(t.dir, f)), `${f} was created: a value ran as shell syntax`);
});
