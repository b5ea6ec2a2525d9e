/**
 * Registers `ringctl tui`. Ink and React are loaded by its action only (a dynamic import), so no
 * other ringctl command pays for them.
 */
import type { Command } from 'commander';
import { CtlError, EXIT } from '../ctl/errors.ts';
import type { TuiFlags } from './actions.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addTui(program: Command, exit: (code: number) => void): void {
  program.command('tui')
    .summary('Full-screen terminal UI: every host, watcher and process, live, with actions')
    .description('The fleet (--nats, a context file) or one agent (--endpoint) in one screen: hosts, watchers, processes, sockets, ' +
      'CPU and memory with sparklines, live output and events, and the keys to start, stop, restart, reload, resize and signal. ' +
      'Press ? in it for every key; : opens a command line with completion. docs/tui.md has the details.')
    .option('--host <names>', 'fleet: show only these agents (names or globs, comma-separated; repeatable)', collect)
    .option('--label <key=value>', 'fleet: show only agents with this label (repeatable: all must match)', collect)
    .addHelpText('after', '\nExamples:\n  ringctl --nats nats://10.0.0.9:4222 tui\n  ringctl tui --label role=web\n  ringctl --endpoint tcp://127.0.0.1:5555 tui')
    .action(async (_o: unknown, self: Command) => {
      try {
        process.env.NODE_ENV ??= 'production'; // React's development build costs several times the CPU per frame
        const { runTui } = await import('./main.tsx');
        exit(await runTui(self.optsWithGlobals() as TuiFlags));
      } catch (err) {
        const e = err instanceof CtlError ? err : new CtlError('error', (err as Error).message);
        process.stderr.write(`ringctl: ${e.message}\n`);
        exit(EXIT[e.outcome]);
      }
    });
}
