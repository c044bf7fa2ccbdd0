/**
 * Types shared across layers. Each layer owns its internal types; only the contracts between
 * layers live here (torrc → policy → remedy/plan → letters/cli).
 */
import type { SourceLocation } from './errors.js';

export type { SourceLocation } from './errors.js';

/** Which configuration source a line came from, in Tor's reading order. */
export type ConfigSource = 'defaults' | 'torrc';

/**
 * One configuration line as Tor applies it: after lexing, `%include` splicing and keyword
 * resolution (case, abbreviations, prefixes).
 */
export interface ConfigLine {
  /** Canonical option name as Tor spells it (`ExitPolicy` for `exitpol`). */
  option: string;
  /** The key exactly as written, without its `+`/`/` prefix. */
  key: string;
  /** `+` appends to a list from an earlier source, `/` clears the option, `''` is plain. */
  prefix: '' | '+' | '/';
  /** The value as Tor decodes it (comments stripped, continuations joined, quotes decoded). */
  value: string;
  /** Where the entry is (first and last physical line of a continued entry). */
  location: SourceLocation;
  /** Which source (defaults file or torrc, includes resolved into their parent's source). */
  source: ConfigSource;
}

/** Address family of a policy rule or probe. */
export type Family = 4 | 6;

/** What a policy rule does to matching traffic. */
export type PolicyAction = 'accept' | 'reject';

/** Why a rule is in the effective policy: the line that wrote it or the Tor feature adding it. */
export type RuleOrigin =
  | {
      /** Written by an `ExitPolicy` item in a torrc. */
      kind: 'config';
      /** The line holding the item. */
      location: SourceLocation;
      /** The item text as written, e.g. `reject 1.2.3.4/16:*` or `reject private:*`. */
      item: string;
    }
  | {
      /** `reject *6:*` prepended because IPv6Exit is 0. */
      kind: 'ipv6-exit-off';
      /** The `IPv6Exit` line, or undefined when it is Tor's default. */
      location?: SourceLocation | undefined;
    }
  | {
      /** One of the networks `ExitPolicyRejectPrivate 1` prepends. */
      kind: 'reject-private';
      /** The `ExitPolicyRejectPrivate` line, or undefined when it is Tor's default. */
      location?: SourceLocation | undefined;
    }
  | {
      /** The relay's own address, rejected by ExitPolicyRejectPrivate / RejectLocalInterfaces. */
      kind: 'own-address';
      /** What the address came from, e.g. `Address`, `ORPort`, `OutboundBindAddress`. */
      via: string;
      /** The line naming the address, when it comes from a torrc. */
      location?: SourceLocation | undefined;
    }
  | {
      /** Tor's default exit policy suffix. */
      kind: 'default-policy';
    }
  | {
      /** Tor's reduced exit policy (`ReducedExitPolicy 1`). */
      kind: 'reduced-policy';
      /** The `ReducedExitPolicy` line. */
      location?: SourceLocation | undefined;
    }
  | {
      /** The relay is not an exit: ExitRelay 0, a bridge, or ExitRelay auto with no policy. */
      kind: 'not-exit';
      /** Which of the three. */
      reason: 'exit-relay-0' | 'bridge' | 'not-configured';
      /** The line responsible, when there is one. */
      location?: SourceLocation | undefined;
    };

/** One rule of an exit policy, in Tor's terms (immutable). */
export interface PolicyRule {
  /** accept or reject. */
  readonly action: PolicyAction;
  /** 4 or 6. */
  readonly family: Family;
  /** The address as written, host bits kept (Tor keeps and prints them). */
  readonly address: bigint;
  /** Prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly maskBits: number;
  /** Lowest port matched, 1..65535. */
  readonly portMin: number;
  /** Highest port matched, portMin..65535. */
  readonly portMax: number;
  /** Where the rule came from. */
  readonly origin: RuleOrigin;
}

/** Why Tor deletes a rule from the effective policy (`exit_policy_remove_redundancies`). */
export type RemovalReason =
  /** It follows a catch-all (mask 0, all ports) of its family. */
  | 'after-catch-all'
  /** An earlier rule of its family matches everything it matches. */
  | 'shadowed'
  /** A later rule with the same action covers it, with nothing of the other action between. */
  | 'redundant';

/** A rule Tor deletes while building the effective policy. */
export interface RemovedRule {
  /** The deleted rule. */
  readonly rule: PolicyRule;
  /** Why it is dead. */
  readonly reason: RemovalReason;
  /** The rule that made it dead (the catch-all, the earlier or the later covering rule). */
  readonly by: PolicyRule;
  /** `own-addresses`: Tor's deduplication after the relay's own addresses; `final`: the last pass. */
  readonly pass: 'own-addresses' | 'final';
}

/** The exit policy Tor enforces and publishes, with what Tor deleted on the way. */
export interface EffectivePolicy {
  /** The rules, in order, after Tor's redundancy removal (what `GETINFO exit-policy/full` lists). */
  readonly rules: readonly PolicyRule[];
  /** Every rule Tor deleted, with the reason. */
  readonly removed: readonly RemovedRule[];
  /** Why the relay is no exit whatever its ExitPolicy says (ExitRelay 0, a bridge, or nothing configured). */
  readonly notExit: 'exit-relay-0' | 'bridge' | 'not-configured' | undefined;
  /** IPv6Exit: when false Tor also refuses every IPv6 stream regardless of the rules. */
  readonly ipv6Exit: boolean;
  /** Both families reject everything (Tor then prints the single line `reject *:*`). */
  readonly rejectStar: boolean;
}

/**
 * Read access to a loaded configuration, with Tor's rules for combining sources already
 * applied (defaults file then torrc; fragile lists, `+Key`, `/Key`, last value wins).
 */
export interface ConfigView {
  /** Every line of a line-list option (e.g. `ExitPolicy`, `ORPort`), in the order Tor keeps them. */
  lines(option: string): readonly ConfigLine[];
  /**
   * The line that sets a single-value option (the last one wins), or undefined when the
   * option is unset. An empty `value` means Tor clears the option to 0/empty, not to its default.
   */
  value(option: string): ConfigLine | undefined;
}

/**
 * One region of address × port space whose verdict differs between two effective policies.
 * `cidrs` and `ports` describe exactly the changed region (their product), nothing more.
 */
export interface VerdictChange {
  /** Address family of the region. */
  family: Family;
  /** Canonical CIDR blocks (network address, no host bits) whose union is the changed addresses. */
  cidrs: string[];
  /** Inclusive, sorted, non-overlapping port ranges on which the verdict changed. */
  ports: Array<readonly [number, number]>;
  /** Verdict before the change. */
  before: PolicyAction;
  /** Verdict after the change. */
  after: PolicyAction;
}

/** The semantic difference between two effective policies (empty `changes` = same verdicts). */
export interface PolicyChange {
  /** Every changed region, IPv4 first, then by address. */
  changes: VerdictChange[];
}

/** A destination whose verdict a plan predicts, used as proof before and after applying. */
export interface PlanProbe {
  /** IPv4 or IPv6 address (no brackets). */
  address: string;
  /** Destination port. */
  port: number;
  /** Verdict of the policy in force when the plan was made. */
  before: PolicyAction;
  /** Verdict the planned policy gives. */
  after: PolicyAction;
}

/** A file a plan changes: the live path, the bytes expected there now, and the new bytes. */
export interface PlannedFileChange {
  /** Absolute path of the live file (a symlink is followed when writing, never replaced). */
  path: string;
  /** SHA-256 (hex) of the file when the plan was made; null when the plan creates the file. */
  beforeSha256: string | null;
  /** SHA-256 (hex) of `after`. */
  afterSha256: string;
  /** The complete new content. */
  after: string;
}

/** `plan.json`: everything `exitkit apply` needs, and the record of what the plan means. */
export interface PlanDocument {
  /** Format tag, bumped on incompatible changes. */
  format: 'exitkit-plan/1';
  /** Plan id (case id or timestamp), also the default folder name. */
  id: string;
  /** ISO-8601 UTC time the plan was made. */
  createdAt: string;
  /** The torrc tor is started with (`-f`). */
  torrc: string;
  /** The defaults file tor is started with (`--defaults-torrc`), or null for none. */
  defaultsTorrc: string | null;
  /** Working directory tor resolves relative `%include` paths against. */
  cwd: string;
  /** Every file read to make the plan, with its SHA-256 at that time. */
  readFiles: Array<{ path: string; sha256: string }>;
  /** The files the plan writes. Empty when the remedy is already in force. */
  changes: PlannedFileChange[];
  /** True when a reload is not enough for Tor to enforce the change (e.g. ReducedExitPolicy). */
  needsRestart: boolean;
  /** Why a restart is needed, when it is. */
  restartReason?: string | undefined;
  /** Predicted verdicts proving the change; checked against the running tor after apply. */
  probes: PlanProbe[];
  /** The semantic change between the effective policies before and after. */
  semanticChange: PolicyChange;
  /** The remedy and the operator's inputs, as given. */
  remedy: { kind: string; [key: string]: unknown };
  /** One-paragraph human summary of the change. */
  summary: string;
  /** What the reviewer should know (where lines were placed, what stays as it is); informational. */
  notes?: string[] | undefined;
  /** What may surprise (a lost Exit flag, the descriptor size limit); informational. */
  warnings?: string[] | undefined;
}
