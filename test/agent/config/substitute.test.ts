import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envLookup, expandEnvTokens, substitute } from '../../../agent/config/index.ts';

const vars: Record<string, string> = { wid: '3', 'env.HOME': '/home/x', 'env.home': 'lower', 'sockets.web': '5' };
const lookup = (name: string): string | undefined => vars[name];

test('all four syntaxes', () => {
  assert.equal(substitute('a $(circus.wid) b', lookup), 'a 3 b');
  assert.equal(substitute('a $(ring.wid) b', lookup), 'a 3 b');
  assert.equal(substitute('a ((circus.wid)) b', lookup), 'a 3 b');
  assert.equal(substitute('a ((ring.wid)) b', lookup), 'a 3 b');
  assert.equal(substitute('$(circus.wid)$(ring.sockets.web)((circus.wid))', lookup), '353');
});

test('names are case-insensitive except after env.', () => {
  assert.equal(substitute('$(circus.WID)', lookup), '3');
  assert.equal(substitute('$(CIRCUS.Wid)', lookup), '3');
  assert.equal(substitute('((Ring.WID))', lookup), '3');
  assert.equal(substitute('$(circus.SOCKETS.Web)', lookup), '5');
  assert.equal(substitute('$(circus.ENV.HOME)', lookup), '/home/x');
  assert.equal(substitute('$(circus.env.home)', lookup), 'lower');
});

test('lookup receives the normalised name', () => {
  const seen: string[] = [];
  substitute('$(circus.WID) $(Ring.Env.Path) ((circus.Sockets.WEB))', (n) => {
    seen.push(n);
    return undefined;
  });
  assert.deepEqual(seen, ['wid', 'env.Path', 'sockets.web']);
});

test('unknown names and malformed syntax are left untouched', () => {
  assert.equal(substitute('$(circus.nope) x', lookup), '$(circus.nope) x');
  assert.equal(substitute('((ring.env.NOPE))', lookup), '((ring.env.NOPE))');
  assert.equal(substitute('$(other.wid) $(circus.wid', lookup), '$(other.wid) $(circus.wid');
  assert.equal(substitute('$(circus.) $circus.wid', lookup), '$(circus.) $circus.wid');
});

test('a replacement is not substituted again', () => {
  assert.equal(substitute('$(circus.a)', (n) => (n === 'a' ? '$(circus.a)' : undefined)), '$(circus.a)');
});

test('envLookup answers env.NAME only, first environment first', () => {
  const l = envLookup({ A: '1' }, { A: '2', B: '3' });
  assert.equal(l('env.A'), '1');
  assert.equal(l('env.B'), '3');
  assert.equal(l('env.C'), undefined);
  assert.equal(l('wid'), undefined);
  assert.equal(l('env.constructor'), undefined);
});

test('expandEnvTokens: $NAME and ${NAME}, upper-case only, unknown kept', () => {
  const env = { PATH: '/bin', HOME: '/root', A_1: 'x' };
  assert.equal(expandEnvTokens('$PATH:/opt/bin', env), '/bin:/opt/bin');
  assert.equal(expandEnvTokens('${HOME}/x', env), '/root/x');
  assert.equal(expandEnvTokens('$A_1-$A_1', env), 'x-x');
  assert.equal(expandEnvTokens('$path $Home', env), '$path $Home');
  assert.equal(expandEnvTokens('$NOPE ${NOPE}', env), '$NOPE ${NOPE}');
  assert.equal(expandEnvTokens('$(circus.env.HOME) $1', env), '$(circus.env.HOME) $1');
});
