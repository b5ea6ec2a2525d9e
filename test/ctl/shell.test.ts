// `ringctl shell` in a real terminal (tmux) against a real ringd: prompt, TAB completion, commands, errors, history, exit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { quoteWord } from '../../agent/config/shlex.ts';
import { startRingdControl, type RingdControl } from '../support/ringd-control.ts';
import { tmpDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const RINGCTL = fileURLToPath(new URL('../../bin/ringctl.js', import.meta.url));
const run = promisify(execFile);

/** One tmux server on a private socket with one session (200×50), its pane kept after the program exits. */
class Terminal {
  constructor(readonly socket: string) {}

  async tmux(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', this.socket, ...args])).stdout;
  }

  /** Runs `command` (sh syntax) in the pane, then prints how it exited (tmux may not reap it: its own status is unreliable). */
  start(command: string): Promise<string> {
    const wrapped = `${command}; echo "[exited $?]"`;
    return this.tmux('new-session', '-d', '-s', 'sh', '-x', '200', '-y', '50', wrapped, ';', 'set-option', '-t', 'sh', 'remain-on-exit', 'on');
  }

  /** Text typed as is, then special keys (Tab, Enter, Up), each sent on its own. */
  async type(text: string, ...keys: string[]): Promise<void> {
    if (text) await this.tmux('send-keys', '-t', 'sh', '-l', text);
    for (const k of keys) await this.tmux('send-keys', '-t', 'sh', k);
  }

  screen(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', 'sh');
  }

  /** Waits until the screen matches `re`; returns the screen (a timeout shows the last one). */
  until(re: RegExp, what: string): Promise<string> {
    let last = '';
    return waitFor(async () => {
      last = await this.screen();
      return re.test(last) && last;
    }, { what: `the screen to show ${what}`, timeoutMs: 30_000, intervalMs: 100 }).catch((err: Error) => {
      throw new Error(`${err.message}; the screen:\n${last.trimEnd()}`);
    });
  }

  /** The exit status of the program started, once it has exited. */
  async exitStatus(): Promise<number> {
    const screen = await this.until(/^\[exited \d+\]$/m, 'the program exiting');
    return Number(/^\[exited (\d+)\]$/m.exec(screen)![1]);
  }

  async stop(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}

const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'gm'))?.length ?? 0;

describe('ringctl shell', () => {
  let r: RingdControl;
  const term = new Terminal(`ringctl-shell-${process.pid}`);
  const bare = new Terminal(`ringctl-bare-${process.pid}`);
  const home = tmpDir('ringctl-shell-home');
  let prompt: string;
  /** The command line running ringctl with `args` in a private home, for tmux. */
  const ringctl = (...args: string[]): string => {
    const env = ['-u', 'XDG_STATE_HOME', `HOME=${home}`, `XDG_CACHE_HOME=${join(home, 'cache')}`, 'RING_NATS=', 'CIRCUSCTL_ENDPOINT='];
    return ['env', ...env, process.execPath, RINGCTL, ...args].map(quoteWord).join(' ');
  };

  before(async () => {
    r = await startRingdControl('[watchers.web]\ncmd = "sleep 600"\n\n[watchers.worker]\ncmd = "sleep 600"\n');
    prompt = `ringctl ${r.endpoints.control}> `;
    await term.start(ringctl('--endpoint', r.endpoints.control, 'shell'));
  });
  after(async () => {
    await term.stop();
    await bare.stop();
    await r?.stop();
  });

  it('shows the target in the prompt', async () => {
    const escaped = prompt.trimEnd().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    await term.until(new RegExp(`^${escaped}$`, 'm'), 'the prompt with the endpoint');
  });

  it('TAB completes command names: a list when ambiguous, the name when not', async () => {
    // In one write, as a busy machine or an ssh link delivers keys typed quickly: each TAB still completes.
    await term.type('sta\t\t');
    await term.until(/^start\s+stats\s+status\s*$/m, 'the commands starting with sta');
    await term.type('tu', 'Tab');
    await term.until(/> status$/m, 'sta + tu completed to status');
    await term.type('', 'Enter');
    await term.until(/^web:\s+active\nworker:\s+active$/m, 'the output of status');
    await term.type('numw', 'Tab');
    await term.until(/> numwatchers$/m, 'numw completed');
    await term.type('', 'Enter');
    await term.until(/> numwatchers\n2\n/, 'numwatchers printing 2');
  });

  it('TAB completes live watcher names from the target', async () => {
    await term.type('start wo', 'Tab');
    await term.until(/> start worker$/m, 'the watcher name completed');
    await term.type('', 'Enter');
    await term.until(/> start worker\nworker: already active\n/, 'start worker answered');
  });

  it('a failing command prints its error and the shell goes on', async () => {
    await term.type("status 'nope'", 'Enter');
    await term.until(/^ringctl: nope: not found; known watchers: web, worker$/m, 'the error');
    await term.type('frobnicate', 'Enter');
    await term.until(/^error: unknown command 'frobnicate'$/m, 'the unknown command');
    await term.type('list', 'Enter');
    await term.until(/> list\nweb,worker\n/, 'list after the errors');
  });

  it('Up recalls the previous command', async () => {
    await term.type('', 'Up');
    const screen = await term.until(/> list\nweb,worker\n.*> list$/m, 'list recalled');
    assert.equal(count(screen, /^web,worker$/), 1);
    await term.type('', 'Enter');
    await term.until(/^web,worker\n(.*\n)*web,worker$/m, 'list run again');
  });

  it('runs the commands beyond the catalogue; Ctrl-C ends a streaming one and the shell goes on', async () => {
    await term.type('wait --ready web --timeout 30', 'Enter');
    await term.until(/> wait --ready web --timeout 30\nweb: ready$/m, 'wait --ready');
    await term.type('logs -f web', 'Enter');
    // Ctrl-C until the prompt is back (one sent before logs listens for it does nothing).
    await waitFor(async () => {
      await term.type('', 'C-c');
      return /> logs -f web\n(.*\n)*ringctl tcp:\S+>$/m.test(await term.screen());
    }, { what: 'Ctrl-C to end logs -f', timeoutMs: 30_000, intervalMs: 500 });
    await term.type('keygen --help', 'Enter');
    await term.until(/^Usage: ringctl keygen/m, 'the help of keygen');
    await term.type('shell', 'Enter');
    await term.until(/^ringctl: already in the shell$/m, 'no shell in the shell');
  });

  it('exit ends it with status 0; the history is kept for the next session', async () => {
    await term.type('exit', 'Enter');
    assert.equal(await term.exitStatus(), 0);
    const history = readFileSync(join(home, '.local', 'state', 'ringmaster', 'ctl_history'), 'utf8').split('\n');
    for (const line of ['status', 'numwatchers', 'start worker', 'list', 'exit']) assert.ok(history.includes(line), line);
  });

  it('`ringctl` alone opens it on a terminal; elsewhere it prints the help, and unknown commands are still reported', async () => {
    await bare.start(ringctl('--endpoint', r.endpoints.control));
    await bare.until(/^ringctl tcp:\S+>$/m, 'the prompt');
    await bare.type('quit', 'Enter');
    assert.equal(await bare.exitStatus(), 0);
    const env = { ...process.env, HOME: home, RING_NATS: '', CIRCUSCTL_ENDPOINT: '' };
    const piped = spawnSync(process.execPath, [RINGCTL], { env, encoding: 'utf8', input: '' });
    assert.match(piped.stderr, /^Usage: ringctl \[options\] \[command\]/);
    const typo = spawnSync(process.execPath, [RINGCTL, 'statu'], { env, encoding: 'utf8' });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /^error: unknown command 'statu'\n\(Did you mean one of stats, status\?\)/);
  });
});
