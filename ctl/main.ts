/** `ringctl`: the operator CLI. Not built yet (issue 7); prints its usage. */
process.stdout.write(`usage: ringctl [--endpoint E] COMMAND [ARGS]

The control CLI is not implemented yet (the control plane arrives with issue 3, the CLI with issue 7).
See README.md for what works today: ringd, the per-host agent.
`);
process.exitCode = process.argv.length > 2 && !['-h', '--help'].includes(process.argv[2]) ? 2 : 0;
