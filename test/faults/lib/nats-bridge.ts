// A NATS client for a server the test process cannot reach (inside a lab namespace): nats-bridge-main.ts runs in the
// namespace and is driven over its stdio.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Host } from '../../support/netns.ts';
import { waitFor } from '../../support/wait.ts';

const MAIN = fileURLToPath(new URL('./nats-bridge-main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface BridgeMessage {
  subject: string;
  data: string;
}

export class NatsBridge {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  private readonly subs = new Map<number, BridgeMessage[]>();
  private ready = false;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let m: { ready?: boolean; id?: number; ok?: boolean; data?: string; error?: string; sub?: number; subject?: string };
      try {
        m = JSON.parse(line);
      } catch {
        return;
      }
      if (m.ready) this.ready = true;
      else if (m.sub !== undefined) this.subs.get(m.sub)?.push({ subject: m.subject!, data: m.data! });
      else if (m.id !== undefined) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.data ?? '');
        else p?.reject(new Error(m.error));
      }
    });
  }

  /** Starts the bridge on `host`, connected to `url`; resolves once it is connected. */
  static async start(host: Host, url: string): Promise<NatsBridge> {
    const b = new NatsBridge(host.exec(process.execPath, ['--import', TSX, MAIN, url]));
    await waitFor(() => b.ready || (b.child.exitCode !== null && Promise.reject(new Error(`bridge exited: ${b.stderr}`))), { what: `the NATS bridge on ${host.name}`, timeoutMs: 60_000, intervalMs: 50 })
      .catch((err: Error) => {
        throw new Error(`${err.message}\n${b.stderr}`);
      });
    return b;
  }

  private send(o: Record<string, unknown>): Promise<string> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ ...o, id })}\n`);
    });
  }

  /** A request/reply; resolves with the reply's text. */
  request(subject: string, data = '', timeoutMs = 5000): Promise<string> {
    return this.send({ req: subject, data, timeoutMs });
  }

  /** Subscribes (flushed to the server before resolving); the returned array fills as messages arrive. */
  async subscribe(subject: string): Promise<BridgeMessage[]> {
    const id = this.next; // send() takes this id
    const list: BridgeMessage[] = [];
    this.subs.set(id, list);
    await this.send({ sub: subject });
    return list;
  }

  close(): void {
    this.child.stdin?.end();
  }
}
