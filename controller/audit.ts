/** The audit trail of mutating fleet commands: one JSON object per line, appended in order; a write failure is logged, never fatal. */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ApiReply } from '../protocol/fleet/messages.ts';
import type { Logger } from '../agent/log.ts';

export interface AuditEntry {
  ts: string;
  controller: string;
  who: string;
  command: string;
  request: unknown;
  status: ApiReply['status'];
  reason?: string;
  hosts: { host: string; status: string; reason?: string }[];
}

export function auditEntry(controller: string, e: { command: string; who: string; request: string; reply: ApiReply }): AuditEntry {
  let request: unknown = e.request;
  try {
    request = JSON.parse(e.request);
  } catch {
    // kept as the text that was sent
  }
  return {
    ts: new Date().toISOString(), controller, who: e.who, command: e.command, request, status: e.reply.status,
    ...(e.reply.reason ? { reason: e.reply.reason } : {}),
    hosts: e.reply.results.map((r) => ({ host: r.host, status: r.status, ...(r.reason ? { reason: r.reason } : {}) })),
  };
}

export class FileAudit {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly file: string, private readonly log: Logger) {}

  append(entry: AuditEntry): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        await mkdir(path.dirname(this.file), { recursive: true });
        await appendFile(this.file, `${JSON.stringify(entry)}\n`);
      } catch (err) {
        this.log.error(`audit: cannot append to ${this.file}: ${(err as Error).message}`);
      }
    });
    return this.chain;
  }
}
