// Certificates for mutual TLS: the CA and server certificate from deploy/nats/tls-certs.sh, client certificates
// signed by that CA with openssl (the script makes server certificates only).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';

const CERTS_SH = fileURLToPath(new URL('../../../deploy/nats/tls-certs.sh', import.meta.url));

export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
}

/** A CA and a server certificate for `names` (DNS names or IP addresses) in `dir`. */
export function makePki(dir: string, names: string[]): Pki {
  execFileSync('sh', [CERTS_SH, dir, ...names], { stdio: 'ignore' });
  return { dir, ca: join(dir, 'ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server-key.pem') };
}

/** A client certificate (CN=`name`, clientAuth) signed by the CA of `pki`; returns its certificate and key files. */
export function makeClientCert(pki: Pki, name: string): { cert: string; key: string } {
  const key = join(pki.dir, `${name}-key.pem`);
  const cert = join(pki.dir, `${name}.pem`);
  const csr = join(pki.dir, `${name}.csr`);
  const ext = join(pki.dir, `${name}.ext`);
  const quiet = { stdio: 'ignore' as const };
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', key, '-out', csr], quiet);
  writeFileSync(ext, 'extendedKeyUsage=clientAuth\n');
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', pki.ca, '-CAkey', join(pki.dir, 'ca-key.pem'), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert], quiet);
  return { cert, key };
}
