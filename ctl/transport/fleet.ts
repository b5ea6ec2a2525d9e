/**
 * The fleet through the controllers: one NATS connection (credentials from the context), fleet
 * commands as requests on ring.api.<command>, each stamped with a `ring-client` header (who, for
 * the audit). No controller answering is reported as unreachable, with how to start one.
 */
import os from 'node:os';
import { errors, headers, type NatsConnection } from '@nats-io/transport-node';
import type { NatsConfig } from '../../agent/config/nats.ts';
import { connectNats, explainNatsError } from '../../agent/fleet/connect.ts';
import { findCommand } from '../../protocol/commands/index.ts';
import { CONTROLLER_COMMANDS } from '../../protocol/fleet/commands.ts';
import type { ApiReply, ApiRequest, FleetSnapshot } from '../../protocol/fleet/messages.ts';
import { subjects } from '../../protocol/fleet/subjects.ts';
import { CtlError } from '../errors.ts';

const NO_CONTROLLER = 'no controller answers on NATS: start one with `ringmaster --config controller.toml` (docs/fleet.md)';

function requestError(err: unknown, what: string, timeoutMs: number): CtlError {
  const e = err as Error & { cause?: unknown };
  if (e instanceof errors.RequestError && e.isNoResponders()) return new CtlError('unreachable', NO_CONTROLLER);
  if (e instanceof errors.TimeoutError || e.cause instanceof errors.TimeoutError) return new CtlError('timeout', `no answer to ${what} within ${timeoutMs / 1000}s`);
  if (e instanceof errors.PermissionViolationError || /permission/i.test(e.message)) return new CtlError('error', `not allowed: ${e.message}`);
  return new CtlError('error', `${what}: ${e.message}`);
}

export class FleetTarget {
  private constructor(private readonly nc: NatsConnection, readonly servers: string[]) {}

  static async connect(cfg: NatsConfig, timeoutMs: number): Promise<FleetTarget> {
    try {
      const nc = await connectNats(cfg, `ringctl-${os.userInfo().username}`, cfg.servers, { maxReconnectAttempts: 0, reconnect: false, timeout: timeoutMs });
      return new FleetTarget(nc, cfg.servers);
    } catch (err) {
      throw new CtlError('unreachable', `cannot reach NATS at ${cfg.servers.join(', ')}: ${explainNatsError(err, cfg)}`);
    }
  }

  /**
   * A fleet command; resolves with the controllers' reply. A read-only command is asked once more
   * when the first request is lost (a NATS node or a controller failing over can drop or refuse it).
   */
  async call(command: string, req: ApiRequest, timeoutMs: number): Promise<ApiReply> {
    const h = headers();
    h.set('ring-client', `${os.userInfo().username}@${os.hostname()} ringctl`);
    const readOnly = !(findCommand(command)?.mutates ?? CONTROLLER_COMMANDS[command]?.mutates ?? true);
    for (let attempt = 1; ; attempt++) {
      try {
        const m = await this.nc.request(subjects.api(command), JSON.stringify(req), { timeout: timeoutMs, headers: h });
        return m.json<ApiReply>();
      } catch (err) {
        const e = requestError(err, `ring.api.${command}`, timeoutMs);
        if (!readOnly || attempt > 1 || (e.outcome !== 'timeout' && e.outcome !== 'unreachable')) throw e;
      }
    }
  }

  async snapshot(timeoutMs: number): Promise<FleetSnapshot> {
    try {
      return (await this.nc.request(subjects.fleetSnapshot, '', { timeout: timeoutMs })).json<FleetSnapshot>();
    } catch (err) {
      throw requestError(err, subjects.fleetSnapshot, timeoutMs);
    }
  }

  get connection(): NatsConnection {
    return this.nc;
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}
