// Polling helpers for tests: wait for a condition or for a line on a stream, with generous timeouts.
import type { Readable } from 'node:stream';
import { inspect } from 'node:util';

export type Maybe<T> = T | undefined | null | false;

export interface WaitOptions {
  /** Default 15000: tests run on a loaded 2-core machine. */
  timeoutMs?: number;
  /** Default 25. */
  intervalMs?: number;
  /** Shown in the timeout message: "waiting for <what>". */
  what: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls fn every intervalMs until it returns (or resolves to) a truthy value; thrown errors are retried. */
export async function waitFor<T>(fn: () => Maybe<T> | Promise<Maybe<T>>, opts: WaitOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
      last = `last value: ${inspect(value)}`;
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message : inspect(err)}`;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${opts.what} (${last})`);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Resolves with the first complete line (without '\n') of stream data from now on that matches re. */
export function waitForLine(stream: Readable, re: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = '';
    let seen = '';
    const done = (err: Error | null, line?: string): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (err) reject(err);
      else resolve(line ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        seen += `${line}\n`;
        re.lastIndex = 0;
        if (re.test(line)) return done(null, line);
      }
    };
    const onEnd = (): void => done(new Error(`stream ended before a line matching ${re}; got:\n${seen}${pending}`));
    const timer = setTimeout(
      () => done(new Error(`timed out after ${timeoutMs}ms waiting for a line matching ${re}; got:\n${seen}${pending}`)),
      timeoutMs,
    );
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}
