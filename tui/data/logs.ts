/**
 * Following a watcher's output for the log pane. Fleet: the recent lines of every host through the
 * controllers (`tail`), then the agents' log subjects under follow leases (ctl/follow.ts); lines seen
 * in both are shown once. One agent: `tail` asked every LOCAL_TAIL_MS.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { OutputLineView } from '../../protocol/agent-api.ts';
import type { ApiReply } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { followHosts } from '../../ctl/follow.ts';
import { LOCAL_TAIL_LINES, LOCAL_TAIL_MS, LOG_BACKLOG } from '../defaults.ts';
import { pause, type LogLine, type LogSink } from './source.ts';

const lineKey = (l: LogLine): string => `${l.host ?? ''}/${l.time}/${l.pid}/${l.line}`;
const byTime = (a: LogLine, b: LogLine): number => a.time - b.time;

export function followFleet(nc: NatsConnection, watcher: string, hosts: readonly string[], sink: LogSink, timeoutMs: number): () => void {
  let stopped = false;
  /** Lines streamed before the recent ones arrived, and the recent ones (to drop their repeats). */
  let early: LogLine[] | null = [];
  const recent = new Set<string>();
  const following = followHosts(nc, watcher, hosts, timeoutMs, {
    chunk: (host, chunk) => {
      if (chunk.dropped > 0) sink.note(`${host}: ${chunk.dropped} line(s) dropped (output faster than it can be sent)`);
      const lines = chunk.lines.map((l) => ({ ...l, host }));
      if (early) early.push(...lines);
      else sink.lines(lines.filter((l) => !recent.has(lineKey(l))));
    },
    leaseFailed: (host, err) => sink.note(`${host}: cannot follow ${watcher}: ${err.message}`),
  });
  const backlog = async () => {
    const body = { target: { hosts: [...hosts] }, properties: { name: watcher, lines: LOG_BACKLOG }, timeout_ms: timeoutMs };
    try {
      const reply = (await nc.request(subjects.api('tail'), JSON.stringify(body), { timeout: timeoutMs + 5000 })).json<ApiReply>();
      if (reply.status === 'error' && reply.results.length === 0) sink.note(`recent lines: ${reply.reason ?? 'refused'}`);
      const lines: LogLine[] = [];
      for (const r of reply.results) {
        if (r.status !== 'ok') sink.note(`${r.host}: recent lines: ${r.status}${r.reason ? `: ${r.reason}` : ''}`);
        else lines.push(...(r.reply?.lines as OutputLineView[] ?? []).map((l) => ({ ...l, host: r.host })));
      }
      return lines;
    } catch (err) {
      sink.note(`recent lines of ${watcher} unavailable (${(err as Error).message}); showing new lines only`);
      return [];
    }
  };
  void (async () => {
    await following.ready;
    const lines = (await backlog()).sort(byTime);
    if (stopped) return;
    for (const l of lines) recent.add(lineKey(l));
    const streamed = (early ?? []).filter((l) => !recent.has(lineKey(l)));
    early = null;
    sink.lines([...lines, ...streamed]);
  })();
  return () => {
    stopped = true;
    following.stop();
  };
}

/** `call` runs one command on the agent (the source's serialized client). */
export function followLocal(call: (command: string, props: Record<string, unknown>) => Promise<Record<string, unknown>>, watcher: string, sink: LogSink): () => void {
  const stop = new AbortController();
  void (async () => {
    let previous = new Set<string>();
    let lines = LOG_BACKLOG;
    let failing = false;
    while (!stop.signal.aborted) {
      try {
        const r = await call('tail', { name: watcher, lines });
        if (r.status === 'error') throw new Error(String(r.reason));
        const got = (r.lines as OutputLineView[]).map((l) => ({ ...l, host: null }));
        const keys = new Set(got.map(lineKey));
        if (!stop.signal.aborted) sink.lines(got.filter((l) => !previous.has(lineKey(l))));
        previous = keys;
        lines = LOCAL_TAIL_LINES;
        failing = false;
      } catch (err) {
        if (!failing && !stop.signal.aborted) sink.note(`cannot read the output of ${watcher}: ${(err as Error).message}; retrying`);
        failing = true;
      }
      await pause(LOCAL_TAIL_MS, stop.signal);
    }
  })();
  return () => stop.abort();
}
