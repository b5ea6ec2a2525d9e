/**
 * ring.agent.<id>.ctl.<command>: the same JSON request as on ZeroMQ, run by the same Dispatcher. The
 * command named by the subject must be the body's (or is filled in when the body has none).
 */
import type { Msg } from '@nats-io/transport-node';
import { ERRNO } from '../../protocol/errors.ts';
import { errorReply, okReply } from '../../protocol/replies.ts';
import type { Dispatcher } from '../control/dispatch.ts';
import { VIA_NATS } from '../control/remote.ts';
import { jsonObject } from './serve.ts';

/** The request id as the reply may echo it (only strings and numbers). */
const echoId = (id: unknown): string | number | null => (typeof id === 'string' || typeof id === 'number' ? id : null);

/**
 * The body to hand to the dispatcher for `command` (the subject's last token), or an error reply.
 * An empty body is {"command": command}. Bodies that are not JSON objects go through unchanged:
 * the dispatcher answers them with its usual error.
 */
export function ctlBody(command: string, data: Uint8Array, maxBytes: number): { body: Uint8Array | string } | { reply: string } {
  if (data.length > maxBytes) return { reply: errorReply(`request of ${data.length} bytes exceeds the limit of ${maxBytes} bytes`, ERRNO.MESSAGE_ERROR, null) };
  if (data.length === 0) return { body: JSON.stringify({ command }) };
  const parsed = jsonObject(data);
  if ('error' in parsed) return { body: data };
  const req = parsed.value;
  if (req.command === undefined) {
    try {
      return { body: JSON.stringify({ ...req, command }) };
    } catch {
      return { body: data };
    }
  }
  if (typeof req.command === 'string' && req.command.toLowerCase() !== command.toLowerCase()) {
    return {
      reply: errorReply(`command '${req.command}' does not match the subject's command '${command}'`, ERRNO.MESSAGE_ERROR, echoId(req.id)),
    };
  }
  return { body: data };
}

/** The reply to one ctl request (a cast is acknowledged at once: a NATS request always gets an answer). */
export async function ctlReply(dispatcher: Dispatcher, msg: Msg, maxBytes: number): Promise<string> {
  const command = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
  const prepared = ctlBody(command, msg.data, maxBytes);
  if ('reply' in prepared) return prepared.reply;
  const body = typeof prepared.body === 'string' ? prepared.body : Buffer.from(prepared.body.buffer, prepared.body.byteOffset, prepared.body.byteLength);
  return (await dispatcher.handle(body, VIA_NATS)) ?? okReply({}, null);
}
