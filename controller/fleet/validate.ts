/**
 * Checks of what agents publish (heartbeats, events, inventories) before the fleet model sees it:
 * a malformed payload is refused with the reason, never half-applied.
 */
import type { FleetEvent, Heartbeat, Inventory } from '../../protocol/fleet/messages.ts';
import { FLEET_VERSION } from '../../protocol/fleet/messages.ts';
import { ID_PATTERN } from '../../protocol/discovery/types.ts';
import { labelProblem } from '../../protocol/discovery/codec.ts';

export class PayloadError extends Error {}

const need = (ok: boolean, what: string): void => {
  if (!ok) throw new PayloadError(what);
};

function object(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new PayloadError('not JSON');
  }
  need(typeof v === 'object' && v !== null && !Array.isArray(v), 'not a JSON object');
  return v as Record<string, unknown>;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

/** A heartbeat published on ring.agent.<id>.hb; the id in the subject must match the payload's. */
export function parseHeartbeat(text: string, subjectId: string): Heartbeat {
  const o = object(text);
  need(o.v === FLEET_VERSION, `"v" must be ${FLEET_VERSION}`);
  need(typeof o.id === 'string' && ID_PATTERN.test(o.id), '"id" must be an agent id');
  need(o.id === subjectId, `"id" ${JSON.stringify(o.id)} does not match the subject's ${JSON.stringify(subjectId)}`);
  for (const k of ['boot', 'host', 'version']) need(isText(o[k]), `"${k}" must be a non-empty string`);
  for (const k of ['seq', 'ts', 'interval_ms', 'watchers', 'processes', 'rev', 'dropped_events']) need(isCount(o[k]), `"${k}" must be an integer ≥ 0`);
  need((o.interval_ms as number) > 0, '"interval_ms" must be > 0');
  need(labelProblem(o.labels) === undefined, `"labels": ${labelProblem(o.labels)}`);
  need(typeof o.states === 'object' && o.states !== null && Object.values(o.states).every(isCount), '"states" must map states to counts');
  return o as unknown as Heartbeat;
}

/** An event published on ring.agent.<id>.evt.…; agent id and boot must be there. */
export function parseFleetEvent(text: string, subjectId: string): FleetEvent {
  const o = object(text);
  need(o.agent === subjectId, `"agent" must be the subject's agent id ${JSON.stringify(subjectId)}`);
  need(isText(o.boot) && isText(o.event) && typeof o.watcher === 'string', '"boot", "event" and "watcher" must be strings');
  need(isCount(o.rev), '"rev" must be an integer ≥ 0');
  return o as unknown as FleetEvent;
}

/** The `inventory` command's reply body. */
export function parseInventory(text: string, agent: string): Inventory {
  const reply = object(text);
  need(reply.status === 'ok', `the agent answered ${JSON.stringify(reply.reason ?? reply.status)}`);
  const inv = reply.inventory as Record<string, unknown> | undefined;
  need(typeof inv === 'object' && inv !== null, '"inventory" missing');
  const i = inv as Record<string, unknown>;
  need(i.id === agent && isText(i.boot) && isCount(i.rev), '"inventory" must carry the agent id, boot and rev');
  need(Array.isArray(i.watchers) && Array.isArray(i.sockets), '"inventory" must list watchers and sockets');
  return i as unknown as Inventory;
}
