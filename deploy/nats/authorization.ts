/**
 * Writes the nats-server authorization block for your own fleet, the way auth.conf is written for
 * the example one (controller/permissions.ts): one user per agent id, plus controllers, operators
 * and viewers, each password a variable $RING_<USER>_PASSWORD that credentials.sh fills in.
 *   node --import tsx deploy/nats/authorization.ts --agents web-1,web-2,web-3,worker-1 > /etc/nats/auth.conf
 *   options: --controllers ringmaster  --operators ops  --viewers viewer  (comma-separated; these are the defaults)
 */
import { parseArgs } from 'node:util';
import { authorizationBlock, type FleetRole, type FleetUser } from '../../controller/permissions.ts';

/** The environment variable holding a user's password: $RING_WEB_1_PASSWORD for web-1. */
export const passwordVariable = (user: string): string => `$RING_${user.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}_PASSWORD`;

export interface FleetUsers {
  agents: string[];
  controllers?: string[];
  operators?: string[];
  viewers?: string[];
}

export function fleetAuthorization(f: FleetUsers): string {
  const roles: [FleetRole, string[]][] = [
    ['agent', f.agents],
    ['controller', f.controllers ?? ['ringmaster']],
    ['operator', f.operators ?? ['ops']],
    ['viewer', f.viewers ?? ['viewer']],
  ];
  const users = roles.flatMap(([role, names]) => names.map((user): FleetUser => ({ user, password: passwordVariable(user), role })));
  const seen = new Set<string>();
  for (const u of users) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(u.user)) throw new Error(`"${u.user}" is not a valid user: agent ids and user names are letters, digits, "-" and "_"`);
    if (seen.has(u.user)) throw new Error(`"${u.user}" is named twice`);
    seen.add(u.user);
  }
  return authorizationBlock(users);
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file://').href) {
  const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
  try {
    const { values } = parseArgs({ options: { agents: { type: 'string' }, controllers: { type: 'string' }, operators: { type: 'string' }, viewers: { type: 'string' } } });
    const agents = list(values.agents);
    if (!agents?.length) throw new Error('--agents ID,ID,… is required (the [agent] id of every ringd)');
    process.stdout.write(fleetAuthorization({ agents, controllers: list(values.controllers), operators: list(values.operators), viewers: list(values.viewers) }));
  } catch (err) {
    process.stderr.write(`authorization: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
