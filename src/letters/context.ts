/**
 * What a letter is written from: plain, typed values gathered from the relay's configuration,
 * the operator's profile, the complaint and the plan. Builders for them live beside this file
 * (`relay.ts`, `profile.ts`, `facts.ts`, `followup.ts`); the renderer turns a `LetterContext`
 * into the view its templates see (`view.ts`).
 */
import type { ComplaintCategory } from '../complaint/types.js';
import type { ConfigLine, PolicyChange } from '../types.js';

/** The categories the complaint intake assigns (defined there, re-exported for letter callers). */
export type { ComplaintCategory } from '../complaint/types.js';

/** The remedy a plan carries out (`remedy.kind` of a plan document). */
export type RemedyKind = 'block' | 'reduce-ports' | 'middle' | 'exit';

/** Every remedy kind, in the order the CLI lists them. */
export const REMEDY_KINDS: readonly RemedyKind[] = ['block', 'reduce-ports', 'middle', 'exit'];

/** Who the relay is, as the Tor network knows it. */
export interface RelayIdentity {
  /** The `Nickname` option, or `Unnamed` (what Tor uses when it is unset). */
  nickname: string;
  /** Identity fingerprint: 40 uppercase hexadecimal characters, no spaces. */
  fingerprint: string;
  /** Addresses the relay publishes, IPv4 first; canonical text, no brackets, no ports. */
  addresses: readonly string[];
  /** The `ContactInfo` option, when set. */
  contactInfo?: string | undefined;
}

/** The person who runs the relay and signs the letters (stored in the profile file). */
export interface OperatorProfile {
  /** Full name as it should appear under a letter. */
  name: string;
  /** Address replies should go to (also the `From:` of `.eml` output). */
  email: string;
  /** Organisation the operator writes for, when there is one. */
  organisation?: string | undefined;
  /** Further signature lines (phone, web page, PGP fingerprint), printed one per line. */
  signature: readonly string[];
  /** Directory of the operator's own templates, which override built-ins by name. */
  templates?: string | undefined;
}

/** Who the letter is addressed to. */
export interface Recipient {
  /** Name for the greeting (`Dear …`) and the `To:` header; a neutral greeting without it. */
  name?: string | undefined;
  /** E-mail address for the `To:` header. */
  email?: string | undefined;
}

/** The sender of the complaint. */
export interface Complainant {
  /** Person or organisation that filed the complaint. */
  name?: string | undefined;
  /** Their e-mail address. */
  email?: string | undefined;
}

/** The complaint being answered. */
export interface ComplaintInfo {
  /** The complainant's reference or case id (ticket number, ACNS case id, X-ARF Report-ID). */
  reference?: string | undefined;
  /** When the complaint reached the operator: `YYYY-MM-DD` or an ISO 8601 UTC date-time. */
  receivedAt: string;
  /** Who filed it. */
  complainant: Complainant;
  /** The complaint's Message-ID, with or without angle brackets; replies thread to it. */
  messageId?: string | undefined;
  /** The complaint's subject line; the reply's subject is `Re: ` + this. */
  subject?: string | undefined;
  /** Category assigned at intake. */
  category?: ComplaintCategory | undefined;
  /** The address of ours the complaint names (IPv4 or IPv6, no brackets, no port). */
  relayAddress?: string | undefined;
  /** When the reported event happened, ISO 8601 UTC (`…Z`). */
  eventTime?: string | undefined;
}

/** A remedy carried out (or proposed) in answer to the complaint. */
export interface FollowUpInfo {
  /** Which remedy. */
  remedy: RemedyKind;
  /** The plan's semantic change: what the exit policy now treats differently. */
  change: PolicyChange;
  /**
   * When the change took effect, ISO 8601 UTC (`…Z`), as recorded by apply; `null` when the
   * plan has not been applied yet, and the letter then presents the change as a proposal.
   */
  appliedAt: string | null;
  /**
   * True when tor closed the connections that were open when the change took effect and that
   * it now refuses (restarted, or `ReevaluateExitPolicy 1`); otherwise those may carry on
   * until they end, and the letter says so.
   */
  openConnectionsClosed?: boolean | undefined;
  /**
   * The later check that found the change still in force (`exitkit followup`); absent until
   * that check has run. The letter then reports the check instead of announcing it.
   */
  verification?: FollowUpVerification | undefined;
}

/** What a follow-up check confirmed about an applied change, and when. */
export interface FollowUpVerification {
  /** When the check ran, ISO 8601 UTC (`…Z`); not before the change took effect. */
  verifiedAt: string;
  /** The running tor's policy was read too and keeps the change (else only the configuration files were checked). */
  runningTor: boolean;
  /** Destinations named in the complaint that the check found refused, as written (`198.51.100.23:22`). */
  destinations: readonly string[];
}

/** What the relay's logging configuration says, for claims about logs. */
export interface LoggingFacts {
  /** `Log` lines that send info or debug messages anywhere (these can include addresses). */
  verboseLogs: readonly ConfigLine[];
  /** The `SafeLogging` line in force, or undefined when Tor's default (1, scrub all) applies. */
  safeLogging: ConfigLine | undefined;
}

/** Facts from the configuration and the effective policy that letters may rely on. */
export interface ConfigFacts {
  /** Logging configuration. */
  logging: LoggingFacts;
  /**
   * Whether the effective exit policy rejects port 25 for every address of both families;
   * undefined when not computed (then no letter may claim it).
   */
  smtpRejected?: boolean | undefined;
}

/** Everything a letter can be written from. */
export interface LetterContext {
  /** The relay the complaint is about. */
  relay: RelayIdentity;
  /** The operator signing the letter. */
  operator: OperatorProfile;
  /** Who the letter is addressed to. */
  recipient?: Recipient | undefined;
  /** The complaint being answered. */
  complaint?: ComplaintInfo | undefined;
  /** The remedy carried out or proposed (needed by the follow-up letters). */
  followup?: FollowUpInfo | undefined;
  /** Configuration facts; letters that make claims about the relay need them. */
  facts?: ConfigFacts | undefined;
}
