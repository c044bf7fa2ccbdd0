/**
 * Stand-in for `exitkit plan block CIDR... --torrc FILE --no-defaults-torrc --out DIR`, used
 * only while the installed CLI has no `plan` command: the same library call (`createPlan`)
 * in a fresh Node process, so start-up and module loading are paid as the CLI pays them.
 */
import { createPlan } from '../../dist/plan/create.js';

const args = process.argv.slice(2);
const cidrs: string[] = [];
let torrc: string | undefined;
let out: string | undefined;
for (let k = 0; k < args.length; k++) {
  const arg = args[k] as string;
  if (arg === '--torrc') torrc = args[++k];
  else if (arg === '--out') out = args[++k];
  else if (arg === '--no-defaults-torrc') continue;
  else cidrs.push(arg);
}
if (torrc === undefined || out === undefined || cidrs.length === 0) {
  process.stderr.write('usage: plan-block.js CIDR... --torrc FILE --no-defaults-torrc --out DIR\n');
  process.exit(2);
}
const plan = await createPlan({ kind: 'block', cidrs }, { torrc, defaultsTorrc: undefined, cwd: process.cwd(), now: new Date(), out });
process.stdout.write(plan.text);
