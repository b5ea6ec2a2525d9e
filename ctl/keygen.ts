/** `ringctl keygen`: a CURVE key pair for the agent's control, event and stats endpoints. */
import type { Command } from 'commander';

export function addKeygen(program: Command): void {
  program
    .command('keygen')
    .description('write a CURVE key pair: BASE.key (secret, mode 0600, for ringd) and BASE.pub (for clients)')
    .argument('[base]', 'path prefix of the two files', 'ringd')
    .option('--force', 'overwrite existing files')
    .action(async (base: string, opts: { force?: boolean }) => {
      const { writeKeyFiles } = await import('../agent/transport/curve.ts'); // zeromq: loaded only for this command
      const { secretFile, publicFile, publicKey } = writeKeyFiles(base, { overwrite: opts.force ?? false });
      process.stdout.write(`${secretFile}  secret key: give it to ringd only ([agent] curve_secret_key_file = "${secretFile}")\n` +
        `${publicFile}  public key ${publicKey}: give it to clients (their curveServerKey)\n`);
    });
}
