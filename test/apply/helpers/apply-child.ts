// Child process for crash and concurrency tests: runs one apply or revert with the test
// environment, and prints one JSON line with the outcome (or the refusal's code).
//
//   EXITKIT_FAULT=stage[#n]   SIGKILL this process at the n-th (default first) time it
//                             reaches that stage, as a power cut or `kill -9` would;
//   EXITKIT_PAUSE=stage:FILE  wait there until FILE exists (to hold the lock while another
//                             run starts).
// Each stage reached is printed as "stage NAME" before the checkpoint acts.
import { existsSync } from 'node:fs';
import { ApplyError } from '../../../src/apply/errors.js';
import { APPLY_OPERATION, REVERT_OPERATION } from '../../../src/apply/operations.js';
import { runTransition, type ApplyStage } from '../../../src/apply/transition.js';
import { FAKE_SYSTEMCTL, FakeRelay, testEnvironment } from './environment.js';

interface ChildRequest {
  operation: 'apply' | 'revert';
  dir: string;
  torrc: string;
  reload: 'none' | 'systemd' | 'control';
  /** The running relay ignores reloads, so the change is never confirmed (forces a rollback). */
  frozen?: boolean;
  lockTimeoutMs?: number;
}

const request = JSON.parse(process.argv[2] as string) as ChildRequest;
const [faultStage, faultCount = '1'] = (process.env.EXITKIT_FAULT ?? '').split('#');
const [pauseStage, pauseFile = ''] = (process.env.EXITKIT_PAUSE ?? '').split(':');
const seen = new Map<ApplyStage, number>();

const relay = new FakeRelay(request.torrc);
relay.frozen = request.frozen ?? false;
const environment = testEnvironment({ relay });

try {
  const result = await runTransition(
    request.dir,
    request.operation === 'apply' ? APPLY_OPERATION : REVERT_OPERATION,
    {
      reload: request.reload,
      systemctl: FAKE_SYSTEMCTL,
      environment,
      settleMs: 0,
      confirmTimeoutMs: 300,
      confirmIntervalMs: 10,
      lockTimeoutMs: request.lockTimeoutMs ?? 0,
      checkpoint: async (stage) => {
        const count = (seen.get(stage) ?? 0) + 1;
        seen.set(stage, count);
        process.stdout.write(`stage ${stage}\n`);
        if (stage === faultStage && String(count) === faultCount) process.kill(process.pid, 'SIGKILL');
        if (stage === pauseStage) {
          for (let i = 0; i < 600 && !existsSync(pauseFile); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    },
    environment,
  );
  process.stdout.write(`${JSON.stringify({ outcome: result.outcome })}\n`);
} catch (error) {
  const code = error instanceof ApplyError ? error.code : 'UNEXPECTED';
  process.stdout.write(`${JSON.stringify({ code, message: error instanceof Error ? error.message : String(error) })}\n`);
}
