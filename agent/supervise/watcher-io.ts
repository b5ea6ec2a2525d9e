/** A watcher's connections to the outside: its output sinks (and followers), its hooks (with their events and logs). */
import type { HookName } from '../../protocol/states.ts';
import type { RingEventInput } from '../../protocol/events.ts';
import type { WatcherConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { createSink, type LineMeta, type Sink } from '../output/index.ts';
import { runHook, type HookContext, type HookResult } from './hooks.ts';
import { sameData } from '../equal.ts';
import type { OutputEvent } from './watcher-types.ts';


export class WatcherIO {
  private sinks: { stdout: Sink; stderr: Sink };

  constructor(
    private cfg: () => WatcherConfig,
    private readonly log: Logger,
    private readonly emit: (e: RingEventInput) => void,
    /** Every line, after the sinks: the arbiter re-emits it for followers. */
    private readonly follow: (line: OutputEvent) => void,
  ) {
    this.sinks = this.open();
  }

  write(stream: 'stdout' | 'stderr', line: Buffer, meta: LineMeta): void {
    this.sinks[stream].write(line, meta);
    this.follow({ watcher: this.cfg().name, stream, line, ...meta });
  }

  flush(): Promise<void> {
    return Promise.all([this.sinks.stdout.flush(), this.sinks.stderr.flush()]).then(() => undefined);
  }

  reopen(): Promise<void> {
    return Promise.all([this.sinks.stdout.reopen(), this.sinks.stderr.reopen()]).then(() => undefined);
  }

  close(): Promise<void> {
    return Promise.all([this.sinks.stdout.close(), this.sinks.stderr.close()]).then(() => undefined);
  }

  /** Replaces the sinks when the stream settings changed between `before` and the current config. */
  async swapIfChanged(before: WatcherConfig): Promise<void> {
    const now = this.cfg();
    if (sameData(before.stdout_stream, now.stdout_stream) && sameData(before.stderr_stream, now.stderr_stream)) return;
    const old = this.sinks;
    this.sinks = this.open();
    await Promise.all([old.stdout.close(), old.stderr.close()]);
  }

  /** Runs a configured hook (a missing one succeeds), publishing hook_success / hook_failure. */
  async hook(name: HookName, ctx: Omit<HookContext, 'watcher'>): Promise<HookResult> {
    const cfg = this.cfg();
    const hook = cfg.hooks[name];
    if (!hook) return { hook: name, ok: true, proceed: true, reason: 'not configured', output: '' };
    const result = await runHook(name, hook, { ...ctx, watcher: cfg.name });
    const event = result.ok ? 'hook_success' : 'hook_failure';
    this.emit({ event, watcher: cfg.name, hook: name, reason: result.ok ? undefined : result.reason });
    if (!result.ok) {
      const detail = result.output ? `: ${result.output.split('\n').slice(-3).join(' / ')}` : '';
      this.log.warning(`${cfg.name}: hook ${name} failed (${result.reason})${detail}${result.proceed ? '; going on' : ''}`);
    }
    return result;
  }

  private open(): { stdout: Sink; stderr: Sink } {
    const cfg = this.cfg();
    // Sinks report once per episode (until a write succeeds again): each report is logged and published as an event.
    const onError = (stream: 'stdout' | 'stderr') => (err: Error) => {
      this.log.error(`${cfg.name}: output: ${err.message}`);
      this.emit({ event: 'output_error', watcher: cfg.name, stream, reason: err.message });
    };
    return {
      stdout: createSink(cfg.stdout_stream, { watcher: cfg.name, stream: 'stdout', onError: onError('stdout') }),
      stderr: createSink(cfg.stderr_stream, { watcher: cfg.name, stream: 'stderr', onError: onError('stderr') }),
    };
  }
}
