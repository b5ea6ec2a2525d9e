// The command catalogue over a real in-process arbiter, without ZeroMQ: call(command, props) → parsed reply.
import { Dispatcher } from '../../agent/control/dispatch.ts';
import { RingdApi } from '../../agent/control/api.ts';
import { silentLogger } from '../../agent/log.ts';
import { ProcSampler } from '../../agent/stats/index.ts';
import { loadConfig } from '../../agent/config/index.ts';
import { AgentDiscovery } from '../../agent/discovery/agent.ts';
import { Revision } from '../../agent/fleet/revision.ts';
import { VERSION } from '../../agent/version.ts';
import { startArbiter, type TestArbiter } from './arbiter.ts';

export interface TestControl extends TestArbiter {
  call(command: string, properties?: Record<string, unknown>, extra?: Record<string, unknown>): Promise<Record<string, unknown>>;
  raw(body: string | Buffer): Promise<Record<string, unknown> | null>;
  /** The dispatcher itself (reply text), to serve it on a real transport. */
  dispatcher: Dispatcher;
  quits: number;
}

export async function startControl(toml: string): Promise<TestControl> {
  const t = await startArbiter(toml);
  const state = { quits: 0 };
  const discovery = new AgentDiscovery(t.arbiter.config, t.arbiter.bootId, VERSION, {
    controlEndpoint: () => 'tcp://127.0.0.1:5555', counts: () => ({ w: 0, p: 0 }), natsUrls: () => [], hasNatsConfig: () => false,
  }, silentLogger);
  const revision = new Revision(t.arbiter);
  const api = new RingdApi(t.arbiter, new ProcSampler(), {
    quit: async () => { state.quits++; },
    reloadConfig: async () => t.arbiter.reload(await loadConfig(t.arbiter.config.file)),
    endpoints: () => ({ endpoint: 'tcp://127.0.0.1:5555', pubsub_endpoint: 'tcp://127.0.0.1:5556', stats_endpoint: 'tcp://127.0.0.1:5557' }),
    loopLagMs: () => 0,
    discovery: () => discovery.view(),
    revision: () => revision.value,
  });
  const dispatcher = new Dispatcher(api, silentLogger, (e) => t.arbiter.publishEvent(e));
  let seq = 0;
  const raw = async (body: string | Buffer) => {
    const reply = await dispatcher.handle(body);
    return reply === null ? null : (JSON.parse(reply) as Record<string, unknown>);
  };
  return {
    ...t,
    get quits() { return state.quits; },
    raw,
    dispatcher,
    call: async (command, properties = {}, extra = {}) =>
      (await raw(JSON.stringify({ id: `t-${++seq}`, command, properties, ...extra })))!,
  };
}
