/**
 * The effective exit policy, assembled exactly as Tor 0.4.9.11 assembles it
 * (`policies_parse_exit_policy_from_options` and `policies_parse_exit_policy_internal` in
 * src/core/or/policies.c, called by the descriptor builder in src/feature/relay/router.c):
 *
 * 0. `ExitRelay 0`, or ExitRelay auto with no ExitPolicy, ReducedExitPolicy or IPv6Exit:
 *    `reject *4:*, reject *6:*` and nothing else (ExitPolicy is not even parsed).
 * 1. `reject *6:*` when IPv6Exit is 0.
 * 2. The twelve private networks when ExitPolicyRejectPrivate is 1.
 * 3. `reject ADDR:*` for the relay's own public addresses (RejectPrivate) and, with
 *    ExitPolicyRejectLocalInterfaces, outbound, port and interface addresses; then a first
 *    redundancy pass over everything so far.
 * 4. The ExitPolicy items.
 * 5. The reduced policy, the default policy, or (bridges) `reject *4:*, reject *6:*`.
 * 6. The redundancy pass (src/policy/prune.ts).
 *
 * Not modelled: Tor replaces the policy by `reject *:*` while its DNS looks broken.
 */
import type { ExitkitError } from '../errors.js';
import { isPublicForReject, isV4Mapped } from '../net/cidr.js';
import type { EffectivePolicy, Family, PolicyRule, RemovedRule, RuleOrigin } from '../types.js';
import { PolicyBuildError } from './errors.js';
import type { AddressInput, PolicyInputs } from './inputs.js';
import { parseExitPolicy, parsePolicyValue, type ParsedExitPolicy } from './parse.js';
import { removeRedundancies } from './prune.js';
import { PRIVATE_NETS, Rule } from './rule.js';

/** Tor's `DEFAULT_EXIT_POLICY`, appended to every exit's policy. */
export const DEFAULT_EXIT_POLICY =
  'reject *:25,reject *:119,reject *:135-139,reject *:445,reject *:563,reject *:1214,' +
  'reject *:4661-4666,reject *:6346-6429,reject *:6699,reject *:6881-6999,accept *:*';

/**
 * Tor 0.4.9.11's `REDUCED_EXIT_POLICY` (with the Monero ports 18080-18081 and 18089 that
 * the 0.4.9.11 manual page still lacks).
 */
export const REDUCED_EXIT_POLICY =
  [
    '20-23', '43', '53', '79-81', '88', '110', '143', '194', '220', '389', '443', '464', '465',
    '531', '543-544', '554', '563', '587', '636', '706', '749', '873', '902-904', '981',
    '989-995', '1194', '1220', '1293', '1500', '1533', '1677', '1723', '1755', '1863',
    '2082-2083', '2086-2087', '2095-2096', '2102-2104', '3128', '3389', '3690', '4321', '4643',
    '5050', '5190', '5222-5223', '5228', '5900', '6660-6669', '6679', '6697', '8000', '8008',
    '8074', '8080', '8082', '8087-8088', '8232-8233', '8332-8333', '8443', '8888', '9418',
    '9999', '10000', '11371', '18080-18081', '18089', '19294', '19638', '50002', '64738',
  ].map((p) => `accept *:${p}`).join(',') + ',reject *:*';

/** The rules of a built-in policy string, each with `origin`. */
function builtin(text: string, origin: RuleOrigin): Rule[] {
  return parsePolicyValue(text).rules.map((r) => r.with({ origin }));
}

const DEFAULT_RULES = builtin(DEFAULT_EXIT_POLICY, { kind: 'default-policy' });

/** The outcome of building the effective policy. */
export interface EffectivePolicyBuild {
  /** The effective policy; undefined when Tor refuses (or crashes on) the configuration. */
  readonly policy: EffectivePolicy | undefined;
  /** The ExitPolicy as parsed; undefined when Tor does not parse it (not an exit). */
  readonly parsed: ParsedExitPolicy | undefined;
  /** Why Tor refuses the configuration (empty when it accepts it). */
  readonly errors: readonly ExitkitError[];
  /** What Tor accepts but mis-reads or ignores, and facts exitkit cannot know offline. */
  readonly warnings: readonly ExitkitError[];
}

/** Options for `tryBuildEffectivePolicy`. */
export interface BuildOptions {
  /** An earlier parse of a similar ExitPolicy whose unchanged items need not be parsed again. */
  reuse?: ParsedExitPolicy | undefined;
}

/** Builds the effective policy, collecting errors instead of throwing. */
export function tryBuildEffectivePolicy(inputs: PolicyInputs, options: BuildOptions = {}): EffectivePolicyBuild {
  const inputErrors = inputs.diagnostics.filter((d) => d.severity === 'error');
  const inputWarnings = inputs.diagnostics.filter((d) => d.severity !== 'error');
  if (inputErrors.length > 0) {
    return { policy: undefined, parsed: undefined, errors: inputErrors, warnings: inputWarnings };
  }

  const exitRelay = inputs.exitRelay;
  const usingDefaults =
    inputs.exitPolicy.length === 0 &&
    exitRelay.value === 'auto' &&
    !inputs.reducedExitPolicy.value &&
    !inputs.ipv6Exit.value;
  if (exitRelay.value === 0 || usingDefaults) {
    const notExit = exitRelay.value === 0 ? 'exit-relay-0' : 'not-configured';
    const origin: RuleOrigin = { kind: 'not-exit', reason: notExit, location: exitRelay.location };
    const policy = finish(rejectAll(origin), [], notExit, inputs.ipv6Exit.value);
    return { policy, parsed: undefined, errors: [], warnings: inputWarnings };
  }

  const ipv6Exit = inputs.ipv6Exit.value;
  const list: Rule[] = [];
  if (!ipv6Exit) {
    list.push(wildcard('reject', 6, { kind: 'ipv6-exit-off', location: inputs.ipv6Exit.location }));
  }
  if (inputs.rejectPrivate.value) {
    const origin: RuleOrigin = { kind: 'reject-private', location: inputs.rejectPrivate.location };
    for (const net of PRIVATE_NETS) {
      list.push(Rule.create({ action: 'reject', family: net.family, address: net.address,
        maskBits: net.maskBits, portMin: 1, portMax: 65535, origin }));
    }
  }

  // policies_parse_exit_policy_reject_private(): configured addresses, then port
  // addresses, then interface addresses (IPv6 ones only with IPv6Exit).
  const configured: AddressInput[] = [];
  if (inputs.rejectPrivate.value) configured.push(...inputs.publishedAddresses);
  const rli = inputs.rejectLocalInterfaces.value;
  if (rli) configured.push(...inputs.outboundAddresses);
  const own: Rule[] = [];
  const addOwn = (a: AddressInput, v4: boolean, v6: boolean): void => {
    if (!isPublicForReject(a.family, a.address)) return;
    const isV4 = a.family === 4 || isV4Mapped(a.family, a.address);
    if ((isV4 && !v4) || (!isV4 && !v6)) return;
    own.push(Rule.create({ action: 'reject', family: a.family, address: a.address,
      maskBits: a.family === 4 ? 32 : 128, portMin: 1, portMax: 65535,
      origin: { kind: 'own-address', via: a.via, location: a.location } }));
  };
  for (const a of configured) addOwn(a, true, ipv6Exit);
  if (rli) {
    for (const a of inputs.portAddresses) addOwn(a, true, ipv6Exit);
    const interfaces = inputs.interfaceAddresses ?? [];
    for (const a of interfaces) if (a.family === 4) addOwn(a, true, false);
    if (ipv6Exit) for (const a of interfaces) if (a.family === 6) addOwn(a, false, true);
  }
  list.push(...own);
  const removed: RemovedRule[] = [];
  let assembled = list;
  if (list.length > 0) {
    const first = removeRedundancies(list);
    assembled = first.kept;
    removed.push(...first.removed.map((r) => ({ ...r, pass: 'own-addresses' as const })));
  }

  const parsed = parseExitPolicy(inputs.exitPolicy, { reuse: options.reuse });
  const warnings = [...inputWarnings, ...parsed.warnings];
  if (!parsed.valid) {
    return { policy: undefined, parsed, errors: parsed.errors, warnings };
  }
  if (assembled.length === 0 && inputs.exitPolicy.length === 0) {
    // policies_log_first_redundant_entry() asserts that the list exists.
    const error = new PolicyBuildError('POLICY_TOR_WOULD_CRASH',
      'tor 0.4.9.11 aborts with IPv6Exit 1, ExitPolicyRejectPrivate 0 and no ExitPolicy',
      [], {
        location: inputs.ipv6Exit.location ?? inputs.rejectPrivate.location,
        hint: "add an ExitPolicy line (e.g. 'ExitPolicy accept *:*'), or set ExitPolicyRejectPrivate 1",
      });
    return { policy: undefined, parsed, errors: [error], warnings };
  }
  assembled = [...assembled, ...parsed.rules];

  if (inputs.bridgeRelay.value) {
    assembled.push(...rejectAll({ kind: 'not-exit', reason: 'bridge', location: inputs.bridgeRelay.location }));
  } else if (inputs.reducedExitPolicy.value) {
    assembled.push(...builtin(REDUCED_EXIT_POLICY, { kind: 'reduced-policy', location: inputs.reducedExitPolicy.location }));
  } else {
    assembled.push(...DEFAULT_RULES);
  }
  const final = removeRedundancies(assembled);
  removed.push(...final.removed.map((r) => ({ ...r, pass: 'final' as const })));
  const notExit = inputs.bridgeRelay.value ? 'bridge' : undefined;
  return { policy: finish(final.kept, removed, notExit, ipv6Exit), parsed, errors: [], warnings };
}

/**
 * Builds the effective policy; throws `PolicyBuildError` (code `POLICY_INVALID`,
 * `POLICY_TOR_WOULD_CRASH` or `POLICY_BAD_OPTION_VALUE`) when Tor would refuse the
 * configuration or crash on it.
 */
export function buildEffectivePolicy(inputs: PolicyInputs): EffectivePolicy {
  const build = tryBuildEffectivePolicy(inputs);
  if (build.policy) return build.policy;
  const first = build.errors[0];
  if (first instanceof PolicyBuildError) throw first;
  const code = first?.code === 'POLICY_BAD_OPTION_VALUE' ? 'POLICY_BAD_OPTION_VALUE' : 'POLICY_INVALID';
  throw new PolicyBuildError(code,
    code === 'POLICY_INVALID'
      ? `Tor refuses this ExitPolicy (${build.errors.length} malformed item${build.errors.length === 1 ? '' : 's'})`
      : 'Tor refuses a value the exit policy depends on',
    build.errors, { location: first?.location, cause: first });
}

/**
 * Tor's `policy_is_reject_star(policy, family, 1)`: the first rule of the family that
 * accepts anything, or rejects everything, decides; no rule means reject.
 */
export function isRejectStar(rules: readonly PolicyRule[], family: Family): boolean {
  for (const r of rules) {
    if (r.family !== family) continue;
    if (r.action === 'accept') return false;
    if (r.maskBits === 0 && r.portMin <= 1 && r.portMax === 65535) return true;
  }
  return true;
}

function wildcard(action: 'accept' | 'reject', family: Family, origin: RuleOrigin): Rule {
  return Rule.create({ action, family, address: 0n, maskBits: 0, portMin: 1, portMax: 65535, origin });
}

function rejectAll(origin: RuleOrigin): Rule[] {
  return [wildcard('reject', 4, origin), wildcard('reject', 6, origin)];
}

function finish(
  rules: readonly Rule[],
  removed: readonly RemovedRule[],
  notExit: EffectivePolicy['notExit'],
  ipv6Exit: boolean,
): EffectivePolicy {
  return Object.freeze({
    rules: Object.freeze([...rules]),
    removed: Object.freeze([...removed]),
    notExit,
    ipv6Exit,
    rejectStar: isRejectStar(rules, 4) && isRejectStar(rules, 6),
  });
}
