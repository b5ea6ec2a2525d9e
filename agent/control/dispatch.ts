/**
 * Turns one request body into one reply, the same way for every transport: Circus's envelope
 * ({id, command, properties, msg_type}), its reply shapes and errno values, and `waiting`
 * semantics. Never throws: every failure becomes an error reply or, for a cast, an event.
 */
import type { AgentApi } from '../../protocol/agent-api.ts';
import { findCommand, parseProps, tooDeep, type CommandDef, type Payload, type PropsSpec } from '../../protocol/commands/index.ts';
import { CommandError, ERRNO, errnoOf, type Errno } from '../../protocol/errors.ts';
import type { RingEventInput } from '../../protocol/events.ts';
import { errorReply, okReply } from '../../protocol/replies.ts';
import type { Logger } from '../log.ts';
import { LOCAL, remoteRefusal, type Origin } from './remote.ts';

const ENVELOPE_KEYS = ['id', 'command', 'properties', 'msg_type'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether a promise already rejected before the event loop's next turn: what a command rejects
 * that early (unknown watcher, bad option) is a request error, replied even without `waiting`.
 */
async function settledEarly(p: Promise<unknown>): Promise<{ rejected: boolean; error?: unknown }> {
  let outcome: { rejected: boolean; error?: unknown } = { rejected: false };
  p.catch((error) => { outcome = { rejected: true, error }; });
  await new Promise((r) => setImmediate(r));
  return outcome;
}

interface Request {
  id: unknown;
  def: CommandDef<PropsSpec>;
  props: Record<string, unknown>;
  cast: boolean;
}

export class Dispatcher {
  constructor(
    private readonly api: AgentApi,
    private readonly log: Logger,
    private readonly emit: (e: RingEventInput) => void,
    /** Whether requests from the network may add watchers or change what they run ([agent] allow_remote_add). */
    private readonly allowRemoteAdd: () => boolean = () => false,
  ) {}

  /** The reply text, or null when none is due (a cast). `origin`: where the request came from (default: this host). */
  async handle(body: Buffer | string, origin: Origin = LOCAL): Promise<string | null> {
    let req: Request;
    try {
      req = this.parse(body);
    } catch (err) {
      const e = err as CommandError & { id?: unknown };
      return errorReply(e.message, e.errno ?? ERRNO.MESSAGE_ERROR, e.id);
    }
    const refused = remoteRefusal(req.def, req.props, origin, this.allowRemoteAdd());
    if (refused) {
      this.log.warning(refused);
      return req.cast ? null : errorReply(refused, ERRNO.COMMAND_ERROR, req.id);
    }
    const waiting = req.props.waiting === true;
    if (req.cast || (req.def.async && !waiting)) {
      const running = this.execute(req);
      const early = await settledEarly(running);
      if (early.rejected) return req.cast ? null : errorReply((early.error as Error).message, errnoOf(early.error), req.id);
      void running.catch((err) => this.reportLater(req, err));
      return req.cast ? null : okReply({}, req.id);
    }
    try {
      return okReply(await this.execute(req), req.id);
    } catch (err) {
      return errorReply((err as Error).message, errnoOf(err), req.id);
    }
  }

  private async execute(req: Request): Promise<Payload> {
    return req.def.run(this.api, req.props as never);
  }

  private parse(body: Buffer | string): Request {
    let text: string;
    try {
      text = typeof body === 'string' ? body : utf8.decode(body);
    } catch {
      throw Object.assign(new CommandError('request is not valid UTF-8', ERRNO.INVALID_JSON), { id: null });
    }
    if (text.trim() === '') throw Object.assign(new CommandError('empty request', ERRNO.INVALID_JSON), { id: null });
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw Object.assign(new CommandError('json invalid', ERRNO.INVALID_JSON), { id: null });
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      throw Object.assign(new CommandError('json invalid: expected an object {"id", "command", "properties"}', ERRNO.INVALID_JSON), { id: null });
    }
    const m = msg as Record<string, unknown>;
    if (tooDeep(m.id, 0)) throw Object.assign(new CommandError("'id' must be a string or a number", ERRNO.MESSAGE_ERROR), { id: null });
    const id = m.id ?? null;
    const fail = (reason: string, errno: Errno = ERRNO.MESSAGE_ERROR): never => { throw Object.assign(new CommandError(reason, errno), { id }); };
    const extra = Object.keys(m).filter((k) => !ENVELOPE_KEYS.includes(k));
    if (extra.length) fail(`unknown key '${extra[0]}' in request (expected ${ENVELOPE_KEYS.join(', ')})`);
    if (m.command === undefined) fail("message invalid 'command' is missing");
    if (typeof m.command !== 'string') fail("'command' must be a string");
    if (m.msg_type !== undefined && m.msg_type !== 'cast' && m.msg_type !== 'call') fail(`unknown msg_type ${JSON.stringify(m.msg_type)}`);
    const def = findCommand(m.command as string) ?? fail(`unknown command: '${m.command as string}'`, ERRNO.UNKNOWN_COMMAND);
    let props: Record<string, unknown>;
    try {
      props = parseProps(def, m.properties);
    } catch (err) {
      return fail((err as Error).message, errnoOf(err));
    }
    return { id, def, props, cast: m.msg_type === 'cast' };
  }

  private reportLater(req: Request, err: unknown): void {
    const reason = (err as Error).message;
    const watcher = typeof req.props.name === 'string' ? req.props.name : 'ringd';
    this.log.warning(`${req.def.name}${watcher !== 'ringd' ? ` ${watcher}` : ''} failed after its reply: ${reason}`);
    this.emit({ event: 'command_failure', watcher, command: req.def.name, reason, errno: errnoOf(err) });
  }
}
