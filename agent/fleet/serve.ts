/**
 * Serving a request/reply subject safely: every request gets a reply (an error reply for anything
 * malformed or failing), requests without a reply subject are ignored and counted, concurrency is bounded.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ERRNO } from '../../protocol/errors.ts';
import { errorReply } from '../../protocol/replies.ts';
import type { Logger } from '../log.ts';

export interface ServeCounters {
  /** Requests that came without a reply subject (nobody to answer). */
  no_reply: number;
  /** Requests refused because too many were in flight. */
  busy: number;
}

export interface ServeOptions {
  log: Logger;
  counters: ServeCounters;
  maxInFlight: number;
  /** The reply text for one request; a throw becomes an error reply. */
  handle(msg: Msg): Promise<string> | string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A request body as a JSON object, or the reason it is not one. */
export function jsonObject(data: Uint8Array): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(data));
  } catch {
    return { error: data.length === 0 ? 'empty request' : 'json invalid' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'json invalid: expected an object' };
  return { value: value as Record<string, unknown> };
}

/** Subscribes to `subject` and answers every request through opts.handle. */
export function serve(nc: NatsConnection, subject: string, opts: ServeOptions): Subscription {
  let inFlight = 0;
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        opts.log.warning(`NATS: subscription ${subject} failed: ${err.message}`);
        return;
      }
      if (!msg.reply) {
        opts.counters.no_reply++;
        opts.log.debug(`NATS: ignored a message on ${msg.subject} without a reply subject (${opts.counters.no_reply} so far)`);
        return;
      }
      if (inFlight >= opts.maxInFlight) {
        opts.counters.busy++;
        respond(msg, errorReply(`agent busy: ${inFlight} NATS requests in flight`, ERRNO.COMMAND_ERROR, null), opts.log);
        return;
      }
      inFlight++;
      Promise.resolve()
        .then(() => opts.handle(msg))
        .then(
          (text) => respond(msg, text, opts.log),
          (error: Error) => {
            opts.log.error(`NATS: request on ${msg.subject} failed: ${error.stack ?? error.message}`);
            respond(msg, errorReply(`internal error: ${error.message}`, ERRNO.COMMAND_ERROR, null), opts.log);
          },
        )
        .finally(() => inFlight--);
    },
  });
}

/** Sends a reply; one too large for the server becomes an error reply saying so. */
function respond(msg: Msg, text: string, log: Logger): void {
  try {
    msg.respond(text);
  } catch (err) {
    const size = Buffer.byteLength(text);
    log.debug(`NATS: reply of ${size} bytes on ${msg.subject} not sent: ${(err as Error).message}`);
    if (!/max_payload/i.test((err as Error).message)) return;
    try {
      msg.respond(errorReply(`reply of ${size} bytes exceeds the NATS server's max_payload`, ERRNO.COMMAND_ERROR, null));
    } catch {
      // the connection went away: nobody to tell
    }
  }
}
