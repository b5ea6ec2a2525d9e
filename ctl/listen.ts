/**
 * `ringctl listen [TOPIC…]`: the event stream, one `topic payload` line per event, until Ctrl-C.
 * One agent: a SUB socket on its pubsub_endpoint (asked with globaloptions, or the --endpoint
 * given is that PUB socket as in circusctl); the fleet: ring.agent.<host>.evt.> for the targeted hosts.
 */
import { selectors } from './context.ts';
import { CtlError } from './errors.ts';
import type { GlobalFlags } from './run.ts';
import type { FleetTarget } from './transport/fleet.ts';
import type { LocalTarget } from './transport/local.ts';
import { interrupted, onTarget } from './transport/index.ts';


async function localListen(ctl: LocalTarget, topics: string[]): Promise<void> {
  const opts = await ctl.call('globaloptions', {});
  const pub = String((opts.options as Record<string, unknown>).pubsub_endpoint);
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

export function listen(topics: string[], f: GlobalFlags): Promise<void> {
  return onTarget(f, (l) => localListen(l, topics), (fleet) => fleetListen(fleet, topics, f));
}
