/**
 * The comments exitkit writes around the lines it adds, and reading them back.
 *
 * A block remedy is written as
 *
 *     # exitkit block <case-id> <YYYY-MM-DD> UTC: <reason>
 *     ExitPolicy reject 203.0.113.0/24:*
 *     # exitkit end <case-id>
 *
 * Grammar of the markers (one comment line each):
 * ```
 * begin  ::= "#" WS* "exitkit block " case-id " " date [ " UTC" ] [ ":" [ " " reason ] ]
 * end    ::= "#" WS* "exitkit end " case-id WS*
 * case-id::= [A-Za-z0-9] [A-Za-z0-9._-]{0,63}
 * date   ::= YYYY "-" MM "-" DD          ; the UTC date the block was planned
 * ```
 * Between the markers exitkit writes only `ExitPolicy` lines with one canonical reject item
 * each; anything else there means the block was edited by hand. (A line added by hand in
 * exactly that form cannot be told apart: it counts as part of the block.)
 */
import { diffPolicies } from '../policy/diff.js';
import { formatPolicyItem, formatRule } from '../policy/format.js';
import { describeOrigin } from '../policy/lint.js';
import { parsePolicyItem, splitPolicyValue } from '../policy/parse.js';
import type { RelayPolicyResult } from '../relay/policy.js';
import type { EntryNode, LoadedEntry, LoadedFile, TorrcNode } from '../torrc/index.js';
import type { ConfigLine, ConfigSource, PolicyRule, RemovedRule } from '../types.js';
import type { Spot } from './edits.js';
import { RemedyInputError } from './errors.js';
import { ruleRegion, rulesWithin } from './region.js';

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BEGIN = /^[ \t]*#[ \t]*exitkit block ([A-Za-z0-9][A-Za-z0-9._-]{0,63}) (\d{4}-\d{2}-\d{2})(?: UTC)?(?::[ \t]?(.*))?$/;
const END = /^[ \t]*#[ \t]*exitkit end ([A-Za-z0-9][A-Za-z0-9._-]{0,63})[ \t]*$/;
const MAX_REASON = 200;

/** Checks a case id typed by the operator: letters, digits, `.`, `_`, `-`, at most 64, starting alphanumeric. */
export function parseCaseId(text: string): string {
  if (!CASE_ID.test(text)) {
    const bad = [...text].findIndex((c, i) => !(i === 0 ? /[A-Za-z0-9]/ : /[A-Za-z0-9._-]/).test(c));
    const at = bad < 0 ? Math.min(text.length, 64) : bad;
    throw new RemedyInputError(
      'REMEDY_BAD_CASE_ID',
      text === '' ? 'the case id is empty' : `the case id ${JSON.stringify(text)} ${text.length > 64 ? 'is longer than 64 characters' : 'has a character exitkit does not write into a torrc comment or a folder name'}`,
      { input: text, pos: [at, Math.min(text.length, at + 1) || at], hint: 'use letters, digits, ".", "_" and "-" (starting with a letter or digit), e.g. T-2025-0142' },
    );
  }
  return text;
}

/** Makes a free-text reason safe for one comment line: control and line-break characters become spaces, runs of spaces one, trimmed, at most 200 characters, no trailing backslash. */
export function sanitizeReason(text: string): string {
  let out = text.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (out.length > MAX_REASON) out = `${out.slice(0, MAX_REASON - 1).trimEnd()}…`;
  return out.replace(/\\+$/, '').trimEnd();
}

/** The text of a begin marker (without `# `). */
export function blockBeginText(caseId: string, date: string, reason: string): string {
  return reason === '' ? `exitkit block ${caseId} ${date} UTC` : `exitkit block ${caseId} ${date} UTC: ${reason}`;
}

/** The text of an end marker (without `# `). */
export function blockEndText(caseId: string): string {
  return `exitkit end ${caseId}`;
}

/** What a marked block's rule does in the effective policy now. */
export type BlockRuleStatus =
  /** Tor enforces it, and it decides some traffic. */
  | 'effective'
  /** Tor keeps it, but removing it would change no verdict. */
  | 'no-effect'
  /** Tor deletes it while building the policy (shadowed, redundant, after a catch-all, IPv6Exit 0). */
  | 'deleted'
  /** Tor does not use the line at all (relay not an exit, list replaced or cleared). */
  | 'inactive'
  /** Tor ignores the item with a warning (e.g. an IPv4 address under reject6). */
  | 'ignored';

/** One item of a marked block. */
export interface BlockRule {
  /** The item text. */
  readonly item: string;
  /** Line of the entry holding it. */
  readonly line: number;
  /** What it does now. */
  readonly status: BlockRuleStatus;
  /** Why, in a sentence. */
  readonly explanation: string;
}

/** A block exitkit wrote, as found in a file. */
export interface MarkedBlock {
  /** The file holding it. */
  readonly file: string;
  /** Which source the file belongs to. */
  readonly source: ConfigSource;
  /** Line of the begin marker. */
  readonly line: number;
  /** Line of the end marker (or of the last line read, when it is missing). */
  readonly endLine: number;
  /** The case id. */
  readonly caseId: string;
  /** The UTC date written in the marker. */
  readonly date: string;
  /** The reason written in the marker. */
  readonly reason: string;
  /** Every item between the markers. */
  readonly rules: readonly BlockRule[];
  /** How the block no longer matches what exitkit writes (empty when intact). */
  readonly problems: readonly string[];
  /** The file and nodes, for removing the block. */
  readonly nodes: { readonly loaded: LoadedFile; readonly first: TorrcNode; readonly last: TorrcNode };
}

function commentText(node: TorrcNode): string {
  return node.raw.replace(/\r?\n$/, '').replace(/\r/g, '');
}

/**
 * Every marked block of every file a configuration reads, in reading order of the files.
 * `exact` (default) tells rules Tor keeps but that decide nothing (`no-effect`) from
 * `effective` ones, which costs one policy comparison per rule.
 */
export function listBlocks(result: RelayPolicyResult, exact = true): MarkedBlock[] {
  const blocks: MarkedBlock[] = [];
  let index: StatusIndex | undefined;
  const statusIndex = (): StatusIndex => (index ??= indexStatus(result));
  for (const loaded of result.config.files) {
    const nodes = loaded.file.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as TorrcNode;
      if (node.kind !== 'comment') continue;
      const begin = BEGIN.exec(commentText(node));
      if (!begin) continue;
      const caseId = begin[1] as string;
      const problems: string[] = [];
      const inner: TorrcNode[] = [];
      let last: TorrcNode = node;
      let j = i + 1;
      let closed = false;
      for (; j < nodes.length; j++) {
        const next = nodes[j] as TorrcNode;
        if (next.kind === 'comment') {
          const end = END.exec(commentText(next));
          if (end) {
            if (end[1] !== caseId) problems.push(`its end marker on line ${next.firstLine} names case ${end[1] as string}`);
            last = next;
            closed = true;
            break;
          }
          if (BEGIN.test(commentText(next))) break;
        }
        inner.push(next);
        last = next;
      }
      if (!closed) problems.push(`no "# exitkit end ${caseId}" line follows it`);
      problems.push(...innerProblems(inner));
      const rules = inner
        .filter((n): n is EntryNode => n.kind === 'entry')
        .flatMap((entry) => splitPolicyValue(entry.value).map((piece) => ruleStatus(result, statusIndex(), loaded, entry, piece.text, exact)));
      if (rules.length === 0) problems.push('it holds no ExitPolicy item');
      blocks.push(
        Object.freeze({
          file: loaded.path,
          source: loaded.source,
          line: node.firstLine,
          endLine: last.lastLine,
          caseId,
          date: begin[2] as string,
          reason: begin[3] ?? '',
          rules: Object.freeze(rules),
          problems: Object.freeze(problems),
          nodes: { loaded, first: node, last },
        }),
      );
      if (closed) i = j;
    }
  }
  return blocks;
}

// exitkit writes `ExitPolicy reject[6] ITEM` lines only, one canonical item each.
function innerProblems(inner: readonly TorrcNode[]): string[] {
  const problems: string[] = [];
  for (const node of inner) {
    if (node.kind !== 'entry') {
      problems.push(`line ${node.firstLine} is a ${node.kind === 'blank' ? 'blank line' : 'comment'} exitkit did not write`);
      continue;
    }
    const where = `line ${node.firstLine}`;
    if (node.rawKey !== 'ExitPolicy') {
      problems.push(`${where} is ${JSON.stringify(node.rawKey)}, not an ExitPolicy line exitkit wrote`);
      continue;
    }
    if (node.continued || node.firstLine !== node.lastLine) problems.push(`${where} was continued over several lines`);
    const items = splitPolicyValue(node.value);
    const item = items[0];
    if (items.length !== 1 || !item) {
      problems.push(`${where} holds ${items.length} items; exitkit writes one per line`);
      continue;
    }
    const parsed = parsePolicyItem(item.text);
    const rule = parsed.rules[0];
    if (parsed.error || parsed.rules.length !== 1 || !rule || rule.action !== 'reject' || formatPolicyItem(rule) !== item.text) {
      problems.push(`${where} holds ${JSON.stringify(item.text)}, not a reject item as exitkit writes it`);
    }
  }
  return problems;
}

// What ruleStatus looks up, indexed once per listBlocks: a configuration with many blocks
// would otherwise scan every entry and every rule for each item.
interface StatusIndex {
  /** The entries of each node (a file included twice has its nodes read twice). */
  readonly entries: ReadonlyMap<TorrcNode, readonly LoadedEntry[]>;
  /** The ExitPolicy lines Tor keeps. */
  readonly kept: ReadonlySet<ConfigLine>;
  /** The rules in force, by the item that wrote them. */
  readonly live: ReadonlyMap<string, readonly PolicyRule[]>;
  /** The first deletion of a rule written by each item. */
  readonly removed: ReadonlyMap<string, RemovedRule>;
}

function itemKey(file: string, line: number, item: string): string {
  return `${file}\n${line}\n${item}`;
}

function originKey(rule: PolicyRule): string | undefined {
  return rule.origin.kind === 'config' ? itemKey(rule.origin.location.file, rule.origin.location.line, rule.origin.item) : undefined;
}

function indexStatus(result: RelayPolicyResult): StatusIndex {
  const entries = new Map<TorrcNode, LoadedEntry[]>();
  for (const entry of result.config.entries) {
    const list = entries.get(entry.node);
    if (list) list.push(entry);
    else entries.set(entry.node, [entry]);
  }
  const live = new Map<string, PolicyRule[]>();
  const removed = new Map<string, RemovedRule>();
  for (const rule of result.policy?.rules ?? []) {
    const key = originKey(rule);
    if (key === undefined) continue;
    const list = live.get(key);
    if (list) list.push(rule);
    else live.set(key, [rule]);
  }
  for (const r of result.policy?.removed ?? []) {
    const key = originKey(r.rule);
    if (key !== undefined && !removed.has(key)) removed.set(key, r);
  }
  return { entries, kept: new Set(result.inputs.exitPolicy), live, removed };
}

function ruleStatus(result: RelayPolicyResult, index: StatusIndex, loaded: LoadedFile, node: EntryNode, item: string, exact: boolean): BlockRule {
  const line = node.firstLine;
  const make = (status: BlockRuleStatus, explanation: string): BlockRule => Object.freeze({ item, line, status, explanation });
  const entries = (index.entries.get(node) ?? []).filter((e) => e.file === loaded);
  const kept = entries.filter((e) => e.line !== undefined && index.kept.has(e.line));
  const policy = result.policy;
  if (kept.length === 0) return make('inactive', notKeptReason(result, entries));
  if (!policy) return make('inactive', 'the effective policy cannot be built');
  if (policy.notExit !== undefined) {
    return make('inactive', policy.notExit === 'exit-relay-0'
      ? 'ExitRelay is 0: Tor does not read the ExitPolicy and refuses every exit connection'
      : policy.notExit === 'bridge'
        ? 'BridgeRelay is 1: a bridge refuses every exit connection'
        : 'the relay is not an exit');
  }
  const key = itemKey(loaded.path, line, item);
  const live = index.live.get(key) ?? [];
  if (live.length > 0) {
    if (!exact) return make('effective', 'Tor enforces it');
    // Taking the item's rules out can change verdicts only where they match.
    const within = rulesWithin(policy.rules, live.map(ruleRegion));
    const without = within.filter((r) => !live.includes(r));
    return diffPolicies(within, without).changes.length > 0
      ? make('effective', 'Tor enforces it')
      : make('no-effect', 'Tor keeps it, but other rules give the same verdicts without it');
  }
  const removed = index.removed.get(key);
  if (removed) {
    const by = `${formatRule(removed.by)} (${describeOrigin(removed.by.origin)})`;
    const why =
      removed.by.origin.kind === 'ipv6-exit-off'
        ? 'IPv6Exit is 0, so Tor deletes every IPv6 rule'
        : removed.reason === 'after-catch-all'
          ? `it comes after ${by}, which decides everything first`
          : removed.reason === 'shadowed'
            ? `${by} comes first and covers it`
            : `${by} gives the same verdict later`;
    return make('deleted', `Tor deletes it: ${why}`);
  }
  return make('ignored', 'Tor ignores this item (see exitkit lint)');
}

function notKeptReason(result: RelayPolicyResult, entries: readonly LoadedEntry[]): string {
  if (entries.length === 0) return 'Tor does not read this line (it stops reading the file earlier)';
  const source = entries[0]?.source;
  if (source === 'defaults' && result.inputs.exitPolicy.some((l) => l.source === 'torrc')) {
    return "the torrc's own ExitPolicy lines replace the defaults file's list";
  }
  return 'a later /ExitPolicy line clears it';
}

/** `exitkit blocks` as text: each block with where it is, its case, date, reason, and each rule's status. */
export function renderBlocks(blocks: readonly MarkedBlock[]): string {
  if (blocks.length === 0) return 'No blocks marked by exitkit were found in the configuration.\n';
  const lines: string[] = [];
  for (const block of blocks) {
    lines.push(`${block.file}:${block.line}  case ${block.caseId}  ${block.date}${block.reason ? `  ${block.reason}` : ''}`);
    for (const rule of block.rules) lines.push(`  ${rule.item.padEnd(40)} ${rule.status}: ${rule.explanation}`);
    for (const problem of block.problems) lines.push(`  edited by hand: ${problem}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `exitkit blocks --json`: the blocks as plain data. */
export function blocksJson(blocks: readonly MarkedBlock[]): Array<Record<string, unknown>> {
  return blocks.map((b) => ({
    file: b.file,
    line: b.line,
    endLine: b.endLine,
    source: b.source,
    caseId: b.caseId,
    date: b.date,
    reason: b.reason,
    rules: b.rules.map((r) => ({ item: r.item, line: r.line, status: r.status, explanation: r.explanation })),
    intact: b.problems.length === 0,
    problems: [...b.problems],
  }));
}

/**
 * Moves a spot that falls inside a marked block to just outside it (before its begin marker,
 * or after its end marker), so that new lines never split a block. Tor reads nothing between
 * a marker and the block's lines, so the verdicts are the same.
 */
export function spotOutsideBlocks(spot: Spot, blocks: readonly MarkedBlock[]): Spot {
  if (spot.where === 'end') return spot;
  const node = spot.node;
  const block = blocks.find(
    (b) => b.nodes.loaded.path === spot.file.path && b.nodes.first.offset <= node.offset && node.offset <= b.nodes.last.offset,
  );
  if (!block) return spot;
  return spot.where === 'before'
    ? { file: spot.file, node: block.nodes.first, where: 'before' }
    : { file: spot.file, node: block.nodes.last, where: 'after' };
}
