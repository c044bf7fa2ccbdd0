/**
 * `reduce-ports`: exit only to a list of ports (Tor's reduced exit policy, or the operator's).
 *
 * The policy is rewritten line by line, in Tor's order: every reject that is in force stays
 * where it is, ahead of the new accept list (rejects that protect complainants keep
 * protecting them); the operator's accepts and full `reject *:*` catch-alls are dropped
 * (family catch-alls like `reject6 *:*` stay: they close a family); a line mixing accepts and
 * rejects keeps only its rejects. Then come `accept *:PORTS` for each port range and a final
 * `reject *:*`. One exception keeps verdicts on the listed ports exactly as they are: an
 * accept that comes before a reject it overlaps on a listed port (an exception the operator
 * made) stays in place, limited to the listed ports.
 *
 * `--tor-reduced` writes Tor's reduced list out rather than setting `ReducedExitPolicy 1`:
 * tor does not apply a change of that option on reload (tor-semantics §6.2), while explicit
 * rules take effect on reload.
 *
 * The remedy never opens anything: ports the current policy accepts nowhere stay closed, and
 * the recomputed policy must equal "reject every other port, then the old policy".
 */
import { parsePortList } from '../net/input.js';
import type { PortRange } from '../net/merge.js';
import { REDUCED_EXIT_POLICY } from '../policy/effective.js';
import { diffPolicies } from '../policy/diff.js';
import { describePorts } from '../letters/describe.js';
import { formatPolicyItem } from '../policy/format.js';
import { parsePolicyValue, type PolicyItem } from '../policy/parse.js';
import { Rule, rulesIntersect } from '../policy/rule.js';
import { isGeneralExit } from '../policy/summary.js';
import type { LoadedEntry } from '../torrc/index.js';
import type { EffectivePolicy, PolicyRule, RemovedRule } from '../types.js';
import { evaluateCandidate, utcDate, type RemedyContext } from './context.js';
import { EditSet, type LineSpec, type Spot } from './edits.js';
import { RemedyInputError, RemedyRefusal } from './errors.js';
import { policyLayout } from './layout.js';
import { listBlocks, parseCaseId, sanitizeReason, spotOutsideBlocks } from './markers.js';
import { requireChange, requireValidCandidate } from './proof.js';
import { acceptedPorts, complementRanges, intersectRanges, mergeRanges, regionRules, subtractRanges, type TargetRegion } from './region.js';
import { finishRemedy, type RemedyResult } from './result.js';

/** Which ports stay open. Exactly one of `torReduced` and `ports`. */
export interface ReducePortsRequest {
  /** Tor's reduced exit policy (written out explicitly). */
  readonly torReduced?: boolean | undefined;
  /** A port list as typed (`80,443,6660-6669`). */
  readonly ports?: string | undefined;
  /** Case id for the marker comment. */
  readonly caseId?: string | undefined;
  /** Why, for the marker comment (made safe for one comment line). */
  readonly reason?: string | undefined;
}

/** The ports of Tor's reduced exit policy (from `REDUCED_EXIT_POLICY`). */
export function reducedPolicyPorts(): PortRange[] {
  const rules = parsePolicyValue(REDUCED_EXIT_POLICY).rules.filter((r) => r.family === 4 && r.action === 'accept');
  return mergeRanges(rules.map((r) => [r.portMin, r.portMax] as const));
}

/** Plans reducing the exit ports. */
export function planReducePorts(context: RemedyContext, request: ReducePortsRequest): RemedyResult {
  const torReduced = request.torReduced === true;
  if (torReduced === (request.ports !== undefined)) {
    throw new RemedyInputError('REMEDY_BAD_REQUEST', 'reduce-ports needs exactly one of --tor-reduced and --ports', {
      hint: 'e.g. exitkit plan reduce-ports --tor-reduced, or exitkit plan reduce-ports --ports 80,443',
    });
  }
  const requested = torReduced ? reducedPolicyPorts() : parsePortList(request.ports as string);
  const caseId = request.caseId === undefined ? undefined : parseCaseId(request.caseId);
  const reason = sanitizeReason(request.reason ?? '');
  const before = context.before;
  const policy = before.policy as EffectivePolicy;
  const what = torReduced ? "Tor's reduced exit policy" : describePorts(requested);
  const request_ = {
    kind: 'reduce-ports',
    torReduced,
    ports: request.ports ?? null,
    caseId: caseId ?? null,
    reason,
    portRanges: requested.map(([a, b]) => [a, b]),
  };
  const notes: string[] = [];
  if (torReduced) {
    notes.push(
      "Tor's reduced exit policy is written out as explicit rules, not by setting ReducedExitPolicy 1: tor does not apply a change of " +
        'ReducedExitPolicy on reload (it would need a restart), while explicit ExitPolicy lines take effect on reload.',
    );
  }

  if (policy.notExit !== undefined || policy.rejectStar) {
    return finishRemedy(context, {
      kind: 'reduce-ports', request: request_, caseId, after: before, changes: [],
      alreadyInForce: 'the relay exits to no port now, so there is nothing to reduce',
      targets: [], notes,
    });
  }

  const ipv6 = policy.ipv6Exit;
  const open4 = acceptedPorts(policy.rules, 4);
  const open6 = ipv6 ? acceptedPorts(policy.rules, 6) : open4;
  const list4 = intersectRanges(requested, open4);
  const list6 = ipv6 ? intersectRanges(requested, open6) : list4;
  const closed = subtractRanges(requested, mergeRanges([...open4, ...open6]));
  if (closed.length > 0) {
    notes.push(`${capital(describePorts(closed))} stay${closed.length === 1 && closed[0]?.[0] === closed[0]?.[1] ? 's' : ''} closed: the current policy accepts no address on ${closed.length === 1 && closed[0]?.[0] === closed[0]?.[1] ? 'it' : 'them'}, and reduce-ports never opens a port.`);
  }
  if (list4.length === 0 && list6.length === 0) {
    throw new RemedyRefusal('REMEDY_NOT_POSSIBLE', `the relay accepts none of ${what} now, so the reduced policy would reject everything`, {
      hint: 'to stop exiting altogether, plan middle instead (exitkit plan middle)',
    });
  }
  const closeRegions = ([
    { family: 4, cidrs: ['0.0.0.0/0'], ports: complementRanges(list4) },
    { family: 6, cidrs: ['::/0'], ports: complementRanges(list6) },
  ] satisfies TargetRegion[]).filter((r) => r.ports.length > 0);
  const expected = [...regionRules(closeRegions, 'reject'), ...policy.rules];
  const targets = closeRegions.map((r) => ({ ...r, verdict: 'reject' as const }));
  const expectedChange = diffPolicies(policy.rules, expected);
  if (expectedChange.changes.length === 0) {
    return finishRemedy(context, {
      kind: 'reduce-ports', request: request_, caseId, after: before, changes: [],
      alreadyInForce: `the relay already exits to no port outside ${what}`,
      targets, notes,
    });
  }

  // Rewrite the kept ExitPolicy lines.
  const parsed = before.build.parsed;
  if (!parsed) throw new Error('an exit policy in force was not parsed');
  const removedBy = new Map<PolicyRule, RemovedRule>(policy.removed.map((r) => [r.rule, r]));
  const layout = policyLayout(before.config, before.inputs.exitPolicy);
  const lists = { 4: list4, 6: list6 } as const;
  const rewrite = rewriteItems(layout.kept, parsed.items, removedBy, ipv6, lists);
  const lineValue = (entry: LoadedEntry): string | undefined => rewrite.lines.get(entry);
  const blocks = listBlocks(before, false);
  const outside = (spot: Spot): Spot => spotOutsideBlocks(spot, blocks);
  const edits = new EditSet();
  for (const entry of layout.kept) {
    if (entry.source !== 'torrc') continue;
    const value = lineValue(entry);
    if (value === entry.node.value) continue;
    if (value === undefined) edits.remove(entry.file, entry.node);
    else edits.replace(entry.file, entry.node, { key: 'ExitPolicy', value, prefix: entry.node.prefix === '+' ? '+' : '' });
  }
  if (rewrite.droppedAccepts > 0) {
    notes.push(`${rewrite.droppedAccepts} accept item${rewrite.droppedAccepts === 1 ? ' is' : 's are'} removed; every reject in force stays where it is, ahead of the new accept list.`);
  }
  if (rewrite.narrowedAccepts.length > 0) {
    notes.push(
      `Accepts that come before a reject they overlap stay in place, limited to the listed ports, so that the reject keeps its exception: ${rewrite.narrowedAccepts.join(', ')}.`,
    );
  }
  if (rewrite.droppedRejects.length > 0) {
    notes.push(`Rejects Tor deletes today (they never match) are removed rather than brought to life ahead of the accept list: ${rewrite.droppedRejects.join(', ')}.`);
  }

  const date = utcDate(context.now);
  const acceptLines: LineSpec[] = [
    { comment: `exitkit reduce-ports${caseId ? ` ${caseId}` : ''} ${date} UTC: exit only to ${torReduced ? "the ports of Tor's reduced exit policy" : describePorts(mergeRanges([...list4, ...list6]))}${reason ? ` (${reason})` : ''}` },
    ...acceptItems(list4, list6, ipv6).map((value) => ({ key: 'ExitPolicy', value })),
    { key: 'ExitPolicy', value: 'reject *:*' },
    { comment: 'exitkit end reduce-ports' },
  ];
  const lastTorrc = layout.torrc.at(-1);
  const firstTorrc = layout.torrc[0];
  if (layout.defaults.length > 0) {
    const defaultsFile = (layout.defaults[0] as LoadedEntry).location.file;
    const copies = layout.defaults.flatMap((entry) => {
      const value = lineValue(entry);
      return value === undefined ? [] : [{ key: 'ExitPolicy', value }];
    });
    const head: LineSpec[] = [
      { comment: `exitkit reduce-ports: clear the ExitPolicy of ${defaultsFile}; its rejects are repeated below` },
      { key: 'ExitPolicy', value: '', prefix: '/' },
      ...copies,
    ];
    const spot: Spot = outside(firstTorrc ? { file: firstTorrc.file, node: firstTorrc.node, where: 'before' } : layout.spot);
    edits.insert(spot, firstTorrc ? head : [...head, ...acceptLines]);
    notes.push(
      `The exit policy starts in the defaults file ${defaultsFile}, which exitkit does not edit: the torrc clears that list with /ExitPolicy ` +
        'and repeats its rejects. Later changes to the defaults file\'s ExitPolicy will no longer take effect.',
    );
  }
  if (lastTorrc) {
    edits.insert(outside({ file: lastTorrc.file, node: lastTorrc.node, where: 'after' }), acceptLines);
  } else if (layout.defaults.length === 0) {
    edits.insert(outside(layout.spot), acceptLines);
    notes.push("No ExitPolicy line is set (Tor's default exit policy is in force); the new list replaces it.");
  }
  if (before.inputs.reducedExitPolicy.value) {
    const at = before.inputs.reducedExitPolicy.location;
    notes.push(
      `ReducedExitPolicy 1${at ? ` (${at.file}:${at.line})` : ''} is left as it is; after the final reject *:* it decides nothing.`,
    );
  }

  const changes = edits.build();
  const after = evaluateCandidate(context, new Map(changes.map((c) => [c.path, c.after])), edits.parsed);
  const afterPolicy = requireValidCandidate(after, 'port reduction');
  const semanticChange = diffPolicies(policy, afterPolicy);
  requireChange(
    semanticChange,
    expectedChange,
    expected,
    afterPolicy,
    'port reduction',
    'in the recomputed policy every other port must be rejected and the listed ports must keep their verdicts',
    closeRegions,
  );
  const warnings: string[] = [];
  if (isGeneralExit(policy) && !isGeneralExit(afterPolicy)) {
    warnings.push('Directory authorities give the Exit flag only to relays that accept ports 80 and 443 to most addresses; with this policy the relay loses the Exit flag.');
  }
  return finishRemedy(context, { kind: 'reduce-ports', request: request_, caseId, after, changes, semanticChange, targets, notes, warnings });
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// `accept *:P` when both families get the same ports (or IPv6 is off anyway), else per family.
function acceptItems(list4: readonly PortRange[], list6: readonly PortRange[], ipv6: boolean): string[] {
  const port = ([a, b]: PortRange): string => (a === b ? `${a}` : `${a}-${b}`);
  const same = !ipv6 || (list4.length === list6.length && list4.every((r, i) => r[0] === list6[i]?.[0] && r[1] === list6[i]?.[1]));
  if (same) return list4.map((r) => `accept *:${port(r)}`);
  return [...list4.map((r) => `accept *4:${port(r)}`), ...list6.map((r) => `accept6 *:${port(r)}`)];
}

function isFullCatchAll(item: PolicyItem): boolean {
  return (
    item.rules.length === 2 &&
    item.rules.every((r) => r.action === 'reject' && r.maskBits === 0 && r.portMin <= 1 && r.portMax === 65535) &&
    new Set(item.rules.map((r) => r.family)).size === 2
  );
}

/** The new value of each kept line (undefined: the line goes), and what was dropped or narrowed. */
interface Rewrite {
  readonly lines: Map<LoadedEntry, string | undefined>;
  readonly droppedAccepts: number;
  readonly narrowedAccepts: string[];
  readonly droppedRejects: string[];
}

// Items are rewritten per line, in Tor's order. Rejects stay (unless they are full catch-alls
// or never match today). Accepts go, except where a later reject overlaps them on a listed
// port: moving that accept behind the reject would start rejecting what is accepted now, so it
// stays in place, limited to the listed ports.
function rewriteItems(
  kept: readonly LoadedEntry[],
  items: readonly PolicyItem[],
  removedBy: ReadonlyMap<PolicyRule, RemovedRule>,
  ipv6: boolean,
  lists: Readonly<Record<4 | 6, readonly PortRange[]>>,
): Rewrite {
  const perLine = kept.map((entry) => ({ entry, items: items.filter((i) => i.location === entry.location) }));
  const order = perLine.flatMap((l) => l.items);
  const keepReject = new Set(order.filter((i) => keepItem(i, removedBy, ipv6)));
  const laterRejects = (index: number): PolicyRule[] =>
    order.slice(index + 1).filter((i) => keepReject.has(i)).flatMap((i) => i.rules);
  const narrowed = new Map<PolicyItem, string>();
  order.forEach((item, index) => {
    if (item.keyword !== 'accept' && item.keyword !== 'accept6') return;
    const restricted = item.rules.flatMap((r) =>
      intersectRanges([[r.portMin, r.portMax]], lists[r.family === 6 && ipv6 ? 6 : 4]).map(([portMin, portMax]) =>
        Rule.from(r).with({ portMin, portMax }),
      ),
    );
    const rejects = laterRejects(index);
    if (restricted.some((r) => (r.family === 4 || ipv6) && rejects.some((j) => rulesIntersect(r, j)))) {
      narrowed.set(item, restrictedText(item, restricted));
    }
  });
  const lines = new Map<LoadedEntry, string | undefined>();
  let droppedAccepts = 0;
  const droppedRejects: string[] = [];
  for (const { entry, items: lineItems } of perLine) {
    const texts: string[] = [];
    for (const item of lineItems) {
      if (keepReject.has(item)) texts.push(item.text);
      else if (narrowed.has(item)) texts.push(narrowed.get(item) as string);
      else if (item.keyword === 'accept' || item.keyword === 'accept6') droppedAccepts++;
      else if (!isFullCatchAll(item)) droppedRejects.push(`'${item.text}' at ${entry.location.file}:${entry.location.line}`);
    }
    const unchanged = texts.length === lineItems.length && lineItems.every((i) => keepReject.has(i));
    lines.set(entry, unchanged ? entry.node.value : texts.length === 0 ? undefined : texts.join(', '));
  }
  return { lines, droppedAccepts, narrowedAccepts: [...narrowed.values()], droppedRejects };
}

// `accept *:P` when an item's two /0 halves keep the same ports, else one item per rule.
function restrictedText(item: PolicyItem, rules: readonly Rule[]): string {
  const v4 = rules.filter((r) => r.family === 4);
  const v6 = rules.filter((r) => r.family === 6);
  const ports = (list: readonly Rule[]): string => list.map((r) => `${r.portMin}-${r.portMax}`).join(',');
  const bothWild = item.rules.length === 2 && item.rules.every((r) => r.maskBits === 0);
  if (bothWild && v4.length > 0 && ports(v4) === ports(v6)) {
    return v4.map((r) => `accept *:${r.portMin === r.portMax ? r.portMin : `${r.portMin}-${r.portMax}`}`).join(', ');
  }
  return rules.map((r) => formatPolicyItem(r)).join(', ');
}

// A reject stays unless it is a full catch-all or never matches today: after a catch-all, or
// behind an accept that covers it. Keeping one of those ahead of the accept list would start
// rejecting traffic that is accepted now. IPv6 halves do not count while IPv6Exit is 0.
function keepItem(item: PolicyItem, removedBy: ReadonlyMap<PolicyRule, RemovedRule>, ipv6: boolean): boolean {
  if (item.keyword === 'accept' || item.keyword === 'accept6') return false;
  if (isFullCatchAll(item)) return false;
  const relevant = item.rules.filter((r) => r.family === 4 || ipv6);
  if (relevant.length === 0) return true;
  const dead = (rule: PolicyRule): boolean => {
    const removed = removedBy.get(rule);
    if (!removed) return false;
    if (removed.reason === 'after-catch-all') return removed.by.origin.kind !== 'ipv6-exit-off';
    return removed.reason === 'shadowed' && removed.by.action === 'accept';
  };
  return !relevant.every(dead);
}

