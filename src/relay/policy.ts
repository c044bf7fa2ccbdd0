/**
 * The glue between the torrc layer and the policy layer: load a relay's configuration file
 * set and compute the exit policy Tor would enforce with it.
 *
 * Validity is Tor's: the file set must read without error (torrc layer) and the policy must
 * build (policy layer). With `ExitRelay 0` Tor never parses ExitPolicy, so malformed items do
 * not make such a configuration invalid.
 */
import type { ExitkitError } from '../errors.js';
import { PolicyError } from '../policy/errors.js';
import { formatTorPolicy } from '../policy/format.js';
import { parsePolicyItem, splitPolicyValue } from '../policy/parse.js';
import { policyInputsFromConfig, type PolicyInputs } from '../policy/inputs.js';
import { tryBuildEffectivePolicy, type EffectivePolicyBuild } from '../policy/effective.js';
import { loadConfig, loadConfigSync, type LoadedConfig, type TorrcFs } from '../torrc/index.js';
import type { EffectivePolicy } from '../types.js';

/** What to load. */
export interface RelayPolicyOptions {
  /** The torrc tor is started with (`-f`); relative paths resolve against `cwd`. */
  torrc: string;
  /** The defaults file (`--defaults-torrc`), or undefined/null for none. */
  defaultsTorrc?: string | null | undefined;
  /** tor's working directory (relative `%include` paths resolve against it). */
  cwd?: string | undefined;
  /** Addresses on the machine's interfaces (ExitPolicyRejectLocalInterfaces, auto-detected own address). */
  interfaceAddresses?: readonly string[] | undefined;
  /** The relay's public address(es), when Tor would detect them at run time. */
  ownAddresses?: readonly string[] | undefined;
  /** The file system to read (default: the real one; an overlay to evaluate a candidate). */
  fs?: TorrcFs | undefined;
}

/** A relay's configuration and the exit policy Tor builds from it. */
export interface RelayPolicyResult {
  /** The loaded file set (every file read, every entry, the edit handles). */
  config: LoadedConfig;
  /** Tor accepts the configuration: it reads without error and its exit policy builds. */
  valid: boolean;
  /** Every error and warning of both layers, torrc first. */
  diagnostics: ExitkitError[];
  /** The effective policy; undefined when the policy cannot be built. Meaningful only when `valid`. */
  policy: EffectivePolicy | undefined;
  /** The policy as `GETINFO exit-policy/full` prints it; undefined with `policy`. */
  torLines: string[] | undefined;
  /** Everything the policy was built from (option values and where they were set). */
  inputs: PolicyInputs;
  /** The policy build, with the parsed ExitPolicy items. */
  build: EffectivePolicyBuild;
}

/** Loads a relay's configuration and computes its effective exit policy. Never throws for bad input. */
export async function loadRelayPolicy(options: RelayPolicyOptions): Promise<RelayPolicyResult> {
  const config = await loadConfig(loadOptions(options));
  return relayPolicyFromConfig(config, options);
}

/** Synchronous form of `loadRelayPolicy`. */
export function loadRelayPolicySync(options: RelayPolicyOptions): RelayPolicyResult {
  return relayPolicyFromConfig(loadConfigSync(loadOptions(options)), options);
}

/**
 * Computes the effective policy of an already loaded configuration. `previous`: the result for
 * a similar configuration (e.g. before an edit); its ExitPolicy items are reused where the text
 * is the same, which changes nothing but the time taken.
 */
export function relayPolicyFromConfig(
  config: LoadedConfig,
  machine: Pick<RelayPolicyOptions, 'interfaceAddresses' | 'ownAddresses'> = {},
  previous?: Pick<RelayPolicyResult, 'build'>,
): RelayPolicyResult {
  const inputs = policyInputsFromConfig(config, {
    interfaceAddresses: machine.interfaceAddresses,
    ownAddresses: machine.ownAddresses,
  });
  const build = tryBuildEffectivePolicy(inputs, { reuse: previous?.build.parsed });
  const policy = build.policy;
  // A bad option value is reported by both layers; keep the torrc layer's report of it.
  const sameLine = (a: ExitkitError, b: ExitkitError): boolean =>
    a.location !== undefined && b.location !== undefined && a.location.file === b.location.file && a.location.line === b.location.line;
  const policyErrors = build.errors.filter(
    (e) => e.code !== 'POLICY_BAD_OPTION_VALUE' || !config.errors.some((c) => sameLine(c, e)),
  );
  const otherPolicies = otherPolicyErrors(config);
  // Printed when first read: most commands never print the whole policy.
  let torLines: string[] | undefined | null = null;
  return {
    config,
    valid: config.valid && build.errors.length === 0 && policy !== undefined && otherPolicies.length === 0,
    diagnostics: [...config.diagnostics, ...policyErrors, ...otherPolicies, ...build.warnings],
    policy,
    get torLines(): string[] | undefined {
      if (torLines === null) torLines = policy ? formatTorPolicy(policy) : undefined;
      return torLines;
    },
    inputs,
    build,
  };
}

/**
 * The other address policies tor parses while validating (`validate_addr_policies` in
 * policies.c), with the action tor assumes for items written without one. A malformed item
 * in any of them makes tor refuse the whole configuration, even on a relay with ExitRelay 0.
 */
const OTHER_POLICIES: ReadonlyArray<readonly [option: string, assume: 'accept' | 'reject' | undefined]> = [
  ['DirPolicy', undefined],
  ['SocksPolicy', undefined],
  ['AuthDirReject', 'reject'],
  ['AuthDirInvalid', 'reject'],
  ['AuthDirBadExit', 'reject'],
  ['AuthDirMiddleOnly', 'reject'],
  ['ReachableAddresses', 'accept'],
  ['ReachableORAddresses', 'accept'],
  ['ReachableDirAddresses', 'accept'],
];

function otherPolicyErrors(config: LoadedConfig): ExitkitError[] {
  const errors: ExitkitError[] = [];
  for (const [option, assume] of OTHER_POLICIES) {
    for (const line of config.lines(option)) {
      for (const piece of splitPolicyValue(line.value)) {
        // router_parse_addr_policy_item_from_string supplies the assumed action only for
        // items that start like an address: '*', '[' or a digit.
        const text = assume !== undefined && /^[*[0-9]/.test(piece.text) ? `${assume} ${piece.text}` : piece.text;
        const error = parsePolicyItem(text, { location: line.location }).error;
        if (error) {
          errors.push(
            new PolicyError(error.code, `${option} item '${piece.text}': ${error.message}; tor refuses the whole configuration`, {
              location: line.location,
              input: piece.text,
              hint: error.hint,
              cause: error,
            }),
          );
        }
      }
    }
  }
  return errors;
}

function loadOptions(options: RelayPolicyOptions): Parameters<typeof loadConfigSync>[0] {
  return {
    torrc: options.torrc,
    defaultsTorrc: options.defaultsTorrc,
    cwd: options.cwd,
    fs: options.fs,
  };
}
