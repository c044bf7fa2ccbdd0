// Child process for the ledger's concurrency tests: runs one ledger call and prints one JSON
// line with what it returned (or the refusal's code).
//
//   node --import ../../apply/helpers/ts-register.mjs ledger-child.ts '{"op":"open",...}'
import { openCase, recordLetter } from '../../../src/case/ledger.js';
import { CaseError } from '../../../src/case/errors.js';

type Request =
  | { op: 'open'; file: string; stateDir: string }
  | { op: 'letters'; id: string; stateDir: string; count: number; tag: string };

const request = JSON.parse(process.argv[2] as string) as Request;
try {
  if (request.op === 'open') {
    const opened = await openCase(request.file, { stateDir: request.stateDir, allowDuplicate: true });
    console.log(JSON.stringify({ id: opened.id }));
  } else {
    const files: string[] = [];
    for (let i = 0; i < request.count; i += 1) {
      const filed = await recordLetter(request.id, { kind: 'portscan', audience: 'isp', subject: 's', body: `${request.tag} ${i}\n` }, { stateDir: request.stateDir, lockTimeoutMs: 30_000 });
      files.push(filed.file);
    }
    console.log(JSON.stringify({ files }));
  }
} catch (error) {
  console.log(JSON.stringify({ code: error instanceof CaseError ? error.code : String(error) }));
}
