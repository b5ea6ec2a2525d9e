/**
 * NATS authorization for a fleet, generated from the command catalogue (so a new read-only command
 * is open to viewers without anyone listing it twice): agents publish only under their own
 * ring.agent.<id>.>, controllers talk to agents and serve ring.api.*, operators may call every
 * fleet command, viewers only the read-only ones. The output is a nats-server `authorization` block.
 */
import { COMMANDS } from '../protocol/commands/index.ts';
import { CONTROLLER_COMMANDS } from '../protocol/fleet/commands.ts';
import { ROOT, subjects } from '../protocol/fleet/subjects.ts';

export type FleetRole = 'agent' | 'controller' | 'operator' | 'viewer';

export interface FleetUser {
  user: string;
  /** Written as is: a literal (quoted) or a nats-server variable such as $AGENT_WEB_1_PASSWORD. */
  password: string;
  role: FleetRole;
  /** For agents: the agent id (defaults to the user name). */
  agent?: string;
}


const INBOX = '_INBOX.>';

/** The read-only fleet commands: the catalogue's non-mutating commands and the controller's own. */
export function readOnlyCommands(): string[] {
  const own = Object.entries(CONTROLLER_COMMANDS).filter(([, c]) => !c.mutates).map(([n]) => n);
  return [...COMMANDS.filter((c) => !c.mutates).map((c) => c.name), ...own].sort();
}

/** publish/subscribe allow-lists of one user. */
export function permissionsOf(u: FleetUser): { publish: string[]; subscribe: string[]; allow_responses?: boolean } {
  const watch = [INBOX, `${ROOT}.fleet.>`, `${ROOT}.agent.*.evt.>`, `${ROOT}.agent.*.log.>`, `${ROOT}.agent.*.hb`, `${ROOT}.agent.*.stats`];
  switch (u.role) {
    case 'agent': {
      const id = u.agent ?? u.user;
      return { publish: [subjects.agent(id)], subscribe: [subjects.ctlAll(id), subjects.follow(id)], allow_responses: true };
    }
    case 'controller':
      return {
        publish: [`${ROOT}.agent.*.ctl.*`, `${ROOT}.fleet.>`, `${ROOT}.audit.>`, '$JS.API.>', '$KV.>'],
        subscribe: [`${ROOT}.agent.>`, subjects.apiAll, subjects.fleetSnapshot, INBOX],
        allow_responses: true,
      };
    case 'operator':
      return { publish: [subjects.apiAll, subjects.fleetSnapshot, `${ROOT}.agent.*.follow`], subscribe: watch };
    case 'viewer':
      return { publish: [...readOnlyCommands().map((c) => subjects.api(c)), subjects.fleetSnapshot, `${ROOT}.agent.*.follow`], subscribe: watch };
  }
}

const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

/** A nats-server `authorization { users = [...] }` block for these users. */
export function authorizationBlock(users: FleetUser[]): string {
  const lines = users.map((u) => {
    const p = permissionsOf(u);
    const responses = p.allow_responses ? ', allow_responses: true' : '';
    return `    { user: ${JSON.stringify(u.user)}, password: ${u.password}, permissions: {\n` +
      `        publish: { allow: ${list(p.publish)} }${responses},\n        subscribe: { allow: ${list(p.subscribe)} } } }`;
  });
  return `# Generated from the command catalogue by controller/permissions.ts (roles: agent, controller, operator, viewer).\n` +
    `authorization {\n  users = [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/** The example of deploy/nats/auth.conf: three agents, a controller, an operator and a viewer, passwords from the environment. */
export function exampleAuthorization(): string {
  const env = (user: string) => `$RING_${user.toUpperCase().replaceAll('-', '_')}_PASSWORD`;
  const users: FleetUser[] = [
    ...['web-1', 'web-2', 'db-1'].map((id): FleetUser => ({ user: id, password: env(id), role: 'agent' })),
    { user: 'ringmaster', password: env('ringmaster'), role: 'controller' },
    { user: 'ops', password: env('ops'), role: 'operator' },
    { user: 'viewer', password: env('viewer'), role: 'viewer' },
  ];
  return authorizationBlock(users);
}
