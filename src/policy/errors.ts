/**
 * Problems the policy layer reports. Errors are what makes Tor refuse the configuration;
 * warnings are what Tor accepts but mis-reads, ignores, or silently deletes.
 */
import { ExitkitError, setErrorName, type ExitkitErrorOptions } from '../errors.js';

/** Codes of ExitPolicy items Tor refuses (the whole configuration is then invalid). */
export type PolicyItemErrorCode =
  /** The item does not start with `accept`, `reject`, `accept6` or `reject6` (case-sensitive). */
  | 'POLICY_BAD_KEYWORD'
  /** The keyword has no `ADDRESS[:PORTS]` argument. */
  | 'POLICY_MISSING_ARGUMENT'
  /** More than one argument: a space inside the pattern, or a missing comma between items. */
  | 'POLICY_EXTRA_ARGUMENT'
  /** The address-and-port pattern is longer than Tor's 80-character limit. */
  | 'POLICY_TOO_LONG'
  /** `[` without a closing `]`. */
  | 'POLICY_UNCLOSED_BRACKET'
  /** The address is neither `*`, `*4`, `*6`, strict IPv4, nor IPv6. */
  | 'POLICY_BAD_ADDRESS'
  /** `/bits` out of range (0..32 for IPv4, 0..128 for IPv6) or not a number or mask. */
  | 'POLICY_BAD_MASK'
  /** A dotted IPv4 mask that is not a contiguous prefix, e.g. `/255.0.255.0`. */
  | 'POLICY_NONPREFIX_MASK'
  /** `/bits` 33..95 on an IPv4-mapped IPv6 address. */
  | 'POLICY_BAD_MAPPED_MASK'
  /** A mask on a wildcard address, e.g. `*` with `/8`. */
  | 'POLICY_WILDCARD_MASK'
  /** A port that is not 1..65535, or not a number. */
  | 'POLICY_BAD_PORT'
  /** A port range whose end is below its start (`10-5`). */
  | 'POLICY_PORT_RANGE_REVERSED'
  /** `private` without `:PORTS`, or with other text glued to it. */
  | 'POLICY_PRIVATE_NEEDS_PORT'
  /** Text after an embedded newline that Tor's tokenizer reads as an object. */
  | 'POLICY_UNEXPECTED_OBJECT';

/** Codes of items Tor accepts but mis-reads or ignores. */
export type PolicyItemWarningCode =
  /** An IPv4 address (or `*4`) under `accept6`/`reject6`: Tor ignores the item. */
  | 'POLICY_IPV4_UNDER_ACCEPT6'
  /** `accept6 private`/`reject6 private`: Tor drops the item entirely. */
  | 'POLICY_PRIVATE_UNDER_ACCEPT6'
  /** Bits set after the prefix: Tor keeps them, but the rule matches the whole network. */
  | 'POLICY_HOST_BITS'
  /** An empty mask (`1.2.3.4/`): Tor reads it as `/0`, i.e. every address of the family. */
  | 'POLICY_EMPTY_MASK'
  /** A mask Tor reads leniently (`/016`, `/+16`, `/-0`, overflowing numbers). */
  | 'POLICY_LENIENT_MASK'
  /** A mask on an IPv4-mapped address that Tor remaps to 96 + bits % 32. */
  | 'POLICY_MAPPED_MASK_REMAPPED'
  /** A port Tor reads leniently (`+443`, `80-90xyz`: text after the range is ignored). */
  | 'POLICY_LENIENT_PORT'
  /** Text between `]` and the mask or port, which Tor ignores. */
  | 'POLICY_IGNORED_TEXT';

/** Codes about how the effective policy is assembled. */
export type PolicyBuildErrorCode =
  /** `IPv6Exit 1` + `ExitPolicyRejectPrivate 0` + no ExitPolicy: tor 0.4.9.11 aborts. */
  | 'POLICY_TOR_WOULD_CRASH'
  /** The configuration's ExitPolicy is invalid, so Tor refuses the whole configuration. */
  | 'POLICY_INVALID'
  /** An option the policy depends on has a value Tor refuses (e.g. `IPv6Exit yes`). */
  | 'POLICY_BAD_OPTION_VALUE';

/** Notes about inputs exitkit cannot know offline. */
export type PolicyInputWarningCode =
  /** The relay's own address is auto-detected by Tor; exitkit cannot add its reject rule. */
  | 'POLICY_OWN_ADDRESS_UNKNOWN'
  /** A port or address option names a host name Tor resolves at start-up. */
  | 'POLICY_ADDRESS_NEEDS_DNS'
  /** ExitPolicyRejectLocalInterfaces needs the machine's interface addresses, not given. */
  | 'POLICY_INTERFACES_UNKNOWN';

/** Codes of `exitkit lint` findings about the assembled policy. */
export type PolicyLintCode =
  /** A rule after a catch-all of its family: Tor deletes it, it never matches. */
  | 'LINT_AFTER_CATCH_ALL'
  /** A rule an earlier rule already covers: Tor deletes it, it never matches. */
  | 'LINT_SHADOWED'
  /** A rule a later rule with the same action covers: Tor deletes it, nothing changes. */
  | 'LINT_REDUNDANT'
  /** An IPv6 rule while IPv6Exit is 0: Tor deletes it (and refuses all IPv6 anyway). */
  | 'LINT_IPV6_EXIT_OFF'
  /** ExitRelay 0: Tor does not even parse the ExitPolicy lines. */
  | 'LINT_EXIT_POLICY_NOT_PARSED'
  /** An error in ExitPolicy lines Tor does not parse now (ExitRelay 0), fatal once it does. */
  | 'LINT_LATENT_POLICY_ERROR'
  /** BridgeRelay 1 with an ExitPolicy: a bridge never exits. */
  | 'LINT_BRIDGE_NOT_EXIT';

/** Every code the policy layer uses. */
export type PolicyErrorCode =
  | PolicyItemErrorCode
  | PolicyItemWarningCode
  | PolicyBuildErrorCode
  | PolicyInputWarningCode
  | PolicyLintCode;

/** An error or warning about an exit policy or the options it is built from. */
export class PolicyError extends ExitkitError<PolicyErrorCode> {
  constructor(code: PolicyErrorCode, message: string, options: ExitkitErrorOptions = {}) {
    super(code, message, options);
  }
}
setErrorName(PolicyError, 'PolicyError');

/** Thrown by `buildEffectivePolicy` when Tor would refuse (or crash on) the configuration. */
export class PolicyBuildError extends ExitkitError<PolicyBuildErrorCode> {
  /** Every underlying error (e.g. each malformed ExitPolicy item). */
  readonly errors: readonly ExitkitError[];

  constructor(
    code: PolicyBuildErrorCode,
    message: string,
    errors: readonly ExitkitError[],
    options: ExitkitErrorOptions = {},
  ) {
    super(code, message, options);
    this.errors = errors;
  }
}
setErrorName(PolicyBuildError, 'PolicyBuildError');
