/**
 * exitkit as an `Engine` for the differential runner: the library glue that loads a relay's
 * configuration and computes its effective policy, and the first-match evaluator.
 */
import { formatError } from '../../../src/errors.js';
import { evaluatePolicy } from '../../../src/policy/evaluate.js';
import { loadRelayPolicy } from '../../../src/relay/policy.js';
import type { Engine } from './runner.js';

/** What exitkit must be told about the oracle's machine, as `TorOracle` describes it. */
export interface OracleMachine {
  /** Addresses on the interfaces tor sees. */
  interfaceAddresses: readonly string[];
  /** The address(es) the oracle relay advertises (its command line pins them). */
  ownAddresses: readonly string[];
}

/**
 * exitkit, told the facts of the oracle's machine that no torrc holds: its interface
 * addresses (ExitPolicyRejectLocalInterfaces) and the address the relay advertises (the
 * oracle pins it, so tor's own address discovery does not run).
 */
export function exitkitEngine(machine: OracleMachine): Engine {
  return {
    name: 'exitkit',
    async load(input) {
      const result = await loadRelayPolicy({
        torrc: input.torrc,
        ...(input.defaultsTorrc === undefined ? {} : { defaultsTorrc: input.defaultsTorrc }),
        cwd: input.cwd,
        interfaceAddresses: [...machine.interfaceAddresses],
        ownAddresses: [...machine.ownAddresses],
      });
      const policy = result.policy;
      return {
        valid: result.valid,
        lines: result.torLines,
        verdict: (address, port) => {
          if (policy === undefined) throw new Error('exitkit returned no policy for a valid configuration');
          return evaluatePolicy(policy, address, port).verdict;
        },
        diagnostics: result.diagnostics.map((d) => formatError(d)).join('\n'),
      };
    },
  };
}
