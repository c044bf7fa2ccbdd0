/**
 * Small in-memory relays for remedy and plan tests: a file tree, the configuration loaded
 * from it, and the same tree with a remedy's planned contents written in, read back
 * independently of the remedy.
 */
import { evaluatePolicy } from '../../src/policy/evaluate.js';
import { loadRelayPolicySync, type RelayPolicyResult } from '../../src/relay/policy.js';
import { remedyContext, type RemedyContext } from '../../src/remedy/context.js';
import type { RemedyResult } from '../../src/remedy/result.js';
import { memoryFs } from '../../src/torrc/index.js';

/** The clock every test plans with. */
export const NOW = new Date('2025-01-31T12:00:00Z');

/** A relay's files: the torrc is `/etc/tor/torrc`, the defaults file `/usr/share/tor/defaults` when given. */
export interface Tree {
  torrc: string;
  defaults?: string | undefined;
  files?: Record<string, string> | undefined;
}

export const TORRC = '/etc/tor/torrc';
export const DEFAULTS = '/usr/share/tor/defaults';

/** Loads a tree as tor would (cwd `/`). */
export function load(tree: Tree, overrides: ReadonlyMap<string, string> = new Map()): RelayPolicyResult {
  const files: Record<string, string> = { [TORRC]: tree.torrc, ...(tree.files ?? {}) };
  if (tree.defaults !== undefined) files[DEFAULTS] = tree.defaults;
  for (const [p, text] of overrides) files[p] = text;
  return loadRelayPolicySync({ torrc: TORRC, defaultsTorrc: tree.defaults === undefined ? undefined : DEFAULTS, cwd: '/', fs: memoryFs(files) });
}

/** A remedy context for a tree. */
export function contextOf(tree: Tree): RemedyContext {
  return remedyContext(load(tree), { now: NOW });
}

/** Loads the tree again with the remedy's planned contents in place (independently of the remedy's own check). */
export function applied(tree: Tree, result: RemedyResult): RelayPolicyResult {
  return load(tree, new Map(result.changes.map((c) => [c.path, c.after])));
}

/** The verdict of a loaded relay for `address:port`. */
export function verdict(relay: RelayPolicyResult, address: string, port: number): 'accept' | 'reject' {
  if (!relay.valid || !relay.policy) throw new Error(`invalid configuration: ${relay.diagnostics.map((d) => d.message).join('; ')}`);
  return evaluatePolicy(relay.policy, address, port).verdict;
}

/** The planned text of one file. */
export function planned(result: RemedyResult, path: string = TORRC): string | undefined {
  return result.changes.find((c) => c.path === path)?.after;
}
