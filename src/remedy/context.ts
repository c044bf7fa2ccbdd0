/**
 * What every remedy works from: the relay's configuration as it is now (already checked to
 * be valid), the facts about the machine the effective policy depends on, and the clock.
 * Also the one way a remedy looks at its own result: load the candidate file set through an
 * overlay (nothing is written) and recompute the effective policy from scratch.
 */
import { relayPolicyFromConfig, type RelayPolicyResult } from '../relay/policy.js';
import { loadConfigSync, overlayFs, type TorrcFile } from '../torrc/index.js';
import type { ConfigSource } from '../types.js';
import { InvalidConfigError } from './errors.js';

/** Facts about the machine that the effective policy depends on. */
export interface MachineFacts {
  /** Addresses on the machine's interfaces. */
  readonly interfaceAddresses?: readonly string[] | undefined;
  /** The relay's public addresses that Tor detects at run time. */
  readonly ownAddresses?: readonly string[] | undefined;
}

/** The input of every remedy. */
export interface RemedyContext {
  /** The configuration now, with its effective policy (valid). */
  readonly before: RelayPolicyResult;
  /** Machine facts, passed again when the candidate is evaluated. */
  readonly machine: MachineFacts;
  /** The time the plan is made (marker dates). */
  readonly now: Date;
}

/** One file a remedy changes. */
export interface FileChange {
  /** Absolute path, as tor opens it. */
  readonly path: string;
  /** The source the file belongs to. */
  readonly source: ConfigSource;
  /** The text now. */
  readonly before: string;
  /** The planned text. */
  readonly after: string;
  /** SHA-256 of the bytes read now. */
  readonly beforeSha256: string;
}

/**
 * Builds a remedy context. Throws `InvalidConfigError` when Tor would refuse the configuration
 * as it is: a remedy planned on top of it could not be verified (and tor would not run it).
 */
export function remedyContext(before: RelayPolicyResult, options: { machine?: MachineFacts | undefined; now: Date }): RemedyContext {
  if (!before.valid || before.policy === undefined) {
    const errors = before.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    throw new InvalidConfigError(
      `Tor refuses the configuration ${before.config.torrc} as it is (${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `, first: ${first.message}` : ''}); exitkit plans no change on top of it`,
      errors,
      { location: first?.location, hint: 'fix the errors (exitkit lint lists them), then plan again', cause: first },
    );
  }
  return Object.freeze({ before, machine: options.machine ?? {}, now: options.now });
}

/**
 * Loads the configuration with some files' text replaced and recomputes its effective policy.
 * `parsed`: the new files as the edit parsed them; a file whose text is read back unchanged
 * is not parsed again (nor is any file the remedy leaves alone).
 */
export function evaluateCandidate(context: RemedyContext, files: ReadonlyMap<string, string>, parsed: Iterable<TorrcFile> = []): RelayPolicyResult {
  const options = context.before.config.options;
  const config = loadConfigSync({
    torrc: options.torrc,
    defaultsTorrc: options.defaultsTorrc,
    cwd: options.cwd,
    fs: overlayFs(options.fs, files),
    parsed: [...context.before.config.files.map((f) => f.file), ...parsed],
  });
  return relayPolicyFromConfig(config, context.machine, context.before);
}

/** The date part of a marker comment: `YYYY-MM-DD` in UTC. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A compact UTC time stamp usable in ids and folder names: `20250131T120000Z`. */
export function utcStamp(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
