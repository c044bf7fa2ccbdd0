// Child process for lock tests: takes the lock named on the command line, prints "locked"
// and waits to be killed.
import { acquireLock } from '../../../src/apply/lock.js';

const lockPath = process.argv[2] as string;
await acquireLock(lockPath, { operation: 'apply', planDir: '/plans/child', since: new Date().toISOString() }, { timeoutMs: 0 });
process.stdout.write('locked\n');
setInterval(() => undefined, 1_000);
