/**
 * `ringctl shell`: an interactive prompt showing the target, where every command runs as on the
 * command line (words split like sh, quotes included), with TAB completion, a history kept across
 * sessions, `help`, and `exit`, `quit` or Ctrl-D to leave. A failing command never ends it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { Command, CommanderError } from 'commander';
import { shellSplit } from '../agent/config/shlex.ts';
import { describeTarget, resolveTarget } from './context.ts';
import { fullProgram } from './cli.ts';
import { commandEntries } from './program.ts';
import { candidates, type CompletionContext, type TargetFlags } from './completion/engine.ts';
import { liveNames } from './completion/live.ts';
import { fromLine } from './completion/words.ts';
import { xdgDir } from './completion/xdg.ts';

const LEAVE = ['exit', 'quit'];
const HISTORY_SIZE = 1000;
const SHELL_HELP = '\nIn the shell: TAB completes, Up and Down walk the history, exit or quit (or Ctrl-D) leaves.';

/** $XDG_STATE_HOME/ringmaster/ctl_history, or ~/.local/state/ringmaster/ctl_history. */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgDir('state', env), 'ringmaster', 'ctl_history');
}

/** Saved lines, newest first (as readline keeps them). */
export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

export function saveHistory(file: string, lines: string[]): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, lines.slice().reverse().map((l) => `${l}\n`).join(''), { mode: 0o600 });
  } catch {
    // no writable home: the history lasts for this session only
  }
}

/** The shell's own global options (target, timeout, --json) as arguments put before every line. */
export function globalArgs(program: Command, flags: Record<string, unknown>): string[] {
  return program.options.flatMap((o) => {
    const value = flags[o.attributeName()];
    if (value === undefined || value === false || !o.long || o.long === '--version') return [];
    return o.isBoolean() ? [o.long] : [o.long, String(value)];
  });
}

/** Runs one line with a fresh program (commander keeps state between parses); true when the shell should end. */
async function runLine(line: string, flags: Record<string, unknown>): Promise<boolean> {
  let words: string[];
  try {
    words = shellSplit(line);
  } catch (err) {
    process.stderr.write(`ringctl: ${(err as Error).message}\n`);
    return false;
  }
  if (words.length === 0) return false;
  if (LEAVE.includes(words[0])) return true;
  if (words[0] === 'shell') return void process.stderr.write('ringctl: already in the shell\n'), false;
  const program = fullProgram(() => undefined).addHelpText('after', SHELL_HELP);
  try {
    await program.parseAsync([...globalArgs(program, flags), ...words], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) process.stderr.write(`ringctl: ${(err as Error).message}\n`);
  }
  return false;
}

async function promptFor(flags: TargetFlags): Promise<string> {
  try {
    return `ringctl ${describeTarget(await resolveTarget(flags))}> `;
  } catch (err) {
    process.stderr.write(`ringctl: ${(err as Error).message}\n`);
    return 'ringctl> ';
  }
}

function completer(ctx: CompletionContext) {
  return (line: string, done: (err: null, result: [string[], string]) => void): void => {
    const { words, cword, token } = fromLine(line);
    candidates(words, cword, ctx).then((found) => done(null, [found, token]), () => done(null, [[], token]));
  };
}

/**
 * Node's readline takes a TAB that arrives in one read with other keys for pasted text and inserts it. Keys typed
 * quickly arrive that way over ssh or on a busy machine (TAB TAB would insert a tab, then complete), so every TAB
 * completes, as in bash: this listener runs before readline's own, after the decoder disabled completion.
 */
function completeEveryTab(rl: Interface): void {
  process.stdin.prependListener('keypress', (_text: string | undefined, key: { name?: string } | undefined) => {
    if (key?.name === 'tab') Reflect.set(rl, 'isCompletionEnabled', true);
  });
}

/**
 * Ctrl-C ends the streaming command running (logs -f, listen, wait: they end on SIGINT, which the
 * terminal does not send while readline reads keys), or else drops the line being typed, as in sh.
 */
function onInterrupt(rl: Interface, running: boolean): void {
  if (running) return void process.emit('SIGINT');
  rl.write(null, { ctrl: true, name: 'e' });
  rl.write(null, { ctrl: true, name: 'u' });
  process.stdout.write('^C\n');
  rl.prompt();
}

/** Reads and runs lines until exit, quit or end of input; `flags` are the global options ringctl was started with. */
export async function runShell(flags: TargetFlags & Record<string, unknown>): Promise<void> {
  const file = historyFile();
  const ctx: CompletionContext = { program: fullProgram(() => undefined), entries: commandEntries(), builtins: LEAVE, flags, names: liveNames };
  const rl = createInterface({
    input: process.stdin, output: process.stdout, prompt: await promptFor(flags), completer: completer(ctx),
    history: loadHistory(file), historySize: HISTORY_SIZE, removeHistoryDuplicates: true,
  });
  completeEveryTab(rl);
  rl.on('history', (lines: string[]) => saveHistory(file, lines));
  let running = false;
  rl.on('SIGINT', () => onInterrupt(rl, running));
  rl.prompt();
  for await (const line of rl) {
    running = true;
    const leave = await runLine(line, flags);
    running = false;
    if (leave) return rl.close();
    rl.prompt();
  }
  process.stdout.write('\n'); // after Ctrl-D, leave the prompt's line
}
