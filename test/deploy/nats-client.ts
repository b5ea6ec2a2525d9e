// Connects to NATS as a fleet user and reports what it got: run inside a lab host by the deploy tests.
//   node --import tsx nats-client.ts URL USER PASSWORD [CA_FILE SERVER_NAME]
// SERVER_NAME is the name the server's certificate must carry: the lab has no DNS, and nats.js checks a tls:// URL
// holding an IP address against "localhost".
// Prints {"server": <server_name>, "jetstream": <the account has JetStream>} and exits 0, or the error and exits 1.
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const [url, user, pass, ca, servername] = process.argv.slice(2);
try {
  const nc = await connect({ servers: url, user, pass, timeout: 5000, ...(ca ? { tls: { caFile: ca, ...(servername ? { servername } : {}) } } : {}) });
  const jetstream = await jetstreamManager(nc, { timeout: 5000 }).then((m) => m.getAccountInfo()).then(() => true, () => false);
  process.stdout.write(`${JSON.stringify({ server: nc.info?.server_name, jetstream })}\n`);
  await nc.close();
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`);
  process.exitCode = 1;
}
