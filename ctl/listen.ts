/**
 * `ringctl listen [TOPIC…]`: the event stream, one `topic payload` line per event, until Ctrl-C.
 * One agent: a SUB socket on its pubsub_endpoint (asked with globaloptions, or the --endpoint
 * given is that PUB socket as in circusctl); the fleet: ring.agent.<host>.evt.> for the targeted hosts.
 */
import { resolveTarget } from './context.ts';
import { CtlError } from './errors.ts';
import { selectors, type GlobalFlags } from './run.ts';
import type { FleetTarget } from './transport/fleet.ts';
import type { LocalTarget } from './transport/local.ts';
import { openFleet, openLocal } from './transport/index.ts';

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function localListen(endpoint: string, topics: string[], f: GlobalFlags): Promise<void> {
  const ctl = await openLocal(endpoint, { timeoutMs: f.timeout * 1000, curveServerKey: f.curveServerKey });
  let pub: string;
  try {
    const opts = await ctl.call('globaloptions', {});
    pub = String((opts.options as Record<string, unknown>).pubsub_endpoint);
  } finally {
    ctl.close();
  }
  const zmq = await import('zeromq');
  const sub = new zmq.Subscriber({ linger: 0 });
  sub.connect(pub);
  for (const t of topics.length ? topics : ['']) sub.subscribe(t);
  const stop = interrupted().then(() => sub.close());
  try {
    for await (const [topic, payload] of sub) process.stdout.write(`${topic.toString()} ${payload.toString()}\n`);
  } catch {
    // closed on Ctrl-C
  }
  await stop;
}

async function fleetListen(fleet: FleetTarget, topics: string[], f: GlobalFlags): Promise<void> {
  const hosts = (await fleet.call('hosts', { target: selectors(f) ?? { all: true } }, f.timeout * 1000)).hosts ?? [];
  if (hosts.length === 0) throw new CtlError('error', 'no agent matches');
  const wanted = (subject: string) => topics.length === 0 || topics.some((t) => subject.startsWith(t));
  const subs = hosts.map((h) => fleet.connection.subscribe(`ring.agent.${h.id}.evt.>`, {
    callback: (_e, m) => {
      if (wanted(m.subject)) process.stdout.write(`${m.subject} ${m.string()}\n`);
    },
  }));
  await interrupted();
  for (const s of subs) s.unsubscribe();
}

export async function listen(topics: string[], f: GlobalFlags): Promise<void> {
  const t = await resolveTarget(f);
  if (t.mode === 'local') {
    if (selectors(f)) throw new CtlError('usage', '--host, --label and --all need the fleet: give --nats URL (or RING_NATS, or a context file)');
    return localListen(t.endpoint, topics, f);
  }
  const fleet = await openFleet(t.nats, f.timeout * 1000);
  try {
    await fleetListen(fleet, topics, f);
  } finally {
    await fleet.close();
  }
}

