/** `ringmaster`: the fleet controller. Not built yet (issue 6); prints its usage. */
process.stdout.write(`usage: ringmaster --config controller.toml

The fleet controller (aggregates agents over NATS) is not implemented yet.
See README.md for what works today: ringd, the per-host agent.
`);
process.exitCode = process.argv.length > 2 && !['-h', '--help'].includes(process.argv[2]) ? 2 : 0;
