/**
 * `block`: reject traffic to some address ranges (on all ports or on some), and `unblock`:
 * lift a block exitkit wrote.
 *
 * The new `ExitPolicy reject` lines go where Tor's first match makes them decide: right
 * before the first ExitPolicy line Tor keeps, in the file that holds it (tor-semantics §1.5,
 * §1.6). When that list comes from the defaults file, a plain torrc line would replace it and
 * `+ExitPolicy` would append after it (too late after a catch-all), so the block is written
 * into the torrc followed by a copy of the defaults file's lines. With no ExitPolicy at all
 * (ExitRelay 1 and Tor's default policy), the block goes after the ExitRelay line.
 *
 * The candidate is then read back as Tor would read it, and its effective policy must equal
 * "reject the requested region, then the old policy" everywhere: the block is effective, and
 * nothing else changes.
 */
import { canonicalCidr, lastAddress } from '../net/cidr.js';
import { parseCidrArgument, parsePortList } from '../net/input.js';
import { mergeCidrs, type PortRange } from '../net/merge.js';
import { diffPolicies } from '../policy/diff.js';
import { firstMatch } from '../policy/evaluate.js';
import { formatPolicyItem, formatRule } from '../policy/format.js';
import { describeOrigin } from '../policy/lint.js';
import { parsePolicyItem } from '../policy/parse.js';
import type { EffectivePolicy, Family, PolicyRule } from '../types.js';
import { evaluateCandidate, utcDate, utcStamp, type RemedyContext } from './context.js';
import { EditSet, type LineSpec, type Spot } from './edits.js';
import { RemedyInputError, RemedyRefusal } from './errors.js';
import { policyLayout } from './layout.js';
import { blockBeginText, blockEndText, listBlocks, parseCaseId, sanitizeReason, spotOutsideBlocks } from './markers.js';
import { describeRegion, requireChange, requireDirection, requireValidCandidate, requireWithin } from './proof.js';
import { acceptedWithin, changeRegions, everything, parseCanonicalCidr, regionRules, type TargetRegion } from './region.js';
import { finishRemedy, type RemedyResult } from './result.js';

const DEFAULTS_COPY = 'exitkit: the ExitPolicy lines of';

/** What to block. */
export interface BlockRequest {
  /** CIDR blocks as typed (IPv4 or IPv6; a bare address is a /32 or /128). */
  readonly cidrs: readonly string[];
  /** Port list as typed (`80,443,6660-6669`); undefined for every port. */
  readonly ports?: string | undefined;
  /** Case id for the markers; default: the UTC time stamp. */
  readonly caseId?: string | undefined;
  /** Why, for the marker comment (made safe for one comment line). */
  readonly reason?: string | undefined;
  /** Accept `10.0.0.1/8` as `10.0.0.0/8`. */
  readonly allowHostBits?: boolean | undefined;
}

/** Plans a block. Throws `InputError`/`RemedyInputError` for bad input, `RemedyRefusal` when it cannot be made effective. */
export function planBlock(context: RemedyContext, request: BlockRequest): RemedyResult {
  if (request.cidrs.length === 0) {
    throw new RemedyInputError('REMEDY_BAD_REQUEST', 'block needs at least one address block', { hint: 'e.g. exitkit plan block 203.0.113.0/24' });
  }
  const typed = request.cidrs.map((text) => parseCidrArgument(text, { allowHostBits: request.allowHostBits === true }));
  const ports: PortRange[] = request.ports === undefined ? [[1, 65535]] : parsePortList(request.ports);
  const merged = mergeCidrs(typed);
  const caseId = request.caseId === undefined ? utcStamp(context.now) : parseCaseId(request.caseId);
  const reason = sanitizeReason(request.reason ?? '');
  const before = context.before;
  const policy = before.policy as EffectivePolicy;

  const blocks = listBlocks(before, false);
  const existing = blocks.find((b) => b.caseId === caseId);
  if (existing) {
    throw new RemedyRefusal('REMEDY_CASE_ID_IN_USE', `a block for case ${caseId} is already at ${existing.file}:${existing.line}`, {
      location: { file: existing.file, line: existing.line },
      hint: `use another --case, or lift that block first (exitkit plan unblock ${caseId})`,
    });
  }

  const targets: TargetRegion[] = ([4, 6] as const)
    .map((family) => ({ family, cidrs: merged.filter((b) => b.family === family).map((b) => b.cidr), ports }))
    .filter((t) => t.cidrs.length > 0);
  const needed = targets.filter((t) => acceptedWithin(policy.rules, [t]).changes.length > 0);
  const notes: string[] = [];
  for (const t of targets) {
    if (needed.includes(t)) continue;
    notes.push(`${describeRegion(t)} needs no rule: ${alreadyRejected(policy, t)}.`);
    if (t.family === 6 && !policy.ipv6Exit && policy.notExit === undefined) {
      notes.push('If IPv6Exit is set to 1 later, block the IPv6 range again.');
    }
  }
  const request_ = {
    kind: 'block',
    cidrs: [...request.cidrs],
    ports: request.ports ?? null,
    caseId,
    reason,
    allowHostBits: request.allowHostBits === true,
    blocks: merged.map((b) => b.cidr),
    portRanges: ports.map(([a, b]) => [a, b]),
  };
  const promised = targets.map((t) => ({ ...t, verdict: 'reject' as const }));
  if (needed.length === 0) {
    return finishRemedy(context, {
      kind: 'block',
      request: request_,
      caseId,
      after: before,
      changes: [],
      alreadyInForce: 'Tor already rejects every address and port asked for; no line is needed',
      targets: promised,
      notes,
    });
  }

  const rules = regionRules(needed, 'reject');
  const lines: LineSpec[] = [
    { comment: blockBeginText(caseId, utcDate(context.now), reason) },
    ...rules.map((rule) => ({ key: 'ExitPolicy', value: checkedItem(rule) })),
    { comment: blockEndText(caseId) },
  ];
  const layout = policyLayout(before.config, before.inputs.exitPolicy);
  const outside = (spot: Spot): Spot => spotOutsideBlocks(spot, blocks);
  const edits = new EditSet();
  const first = layout.kept[0];
  if (first === undefined) {
    edits.insert(outside(layout.spot), lines);
    notes.push(`No ExitPolicy line is set, so Tor uses its default exit policy; the block goes ${spotText(layout.spot)}, ahead of the default policy.`);
  } else if (first.source === 'torrc') {
    edits.insert(outside({ file: first.file, node: first.node, where: 'before' }), lines);
    notes.push(`The block goes right before the first ExitPolicy line Tor reads (${first.location.file}:${first.location.line}), so it decides before any accept.`);
  } else {
    const next = layout.torrc[0];
    const spot: Spot = outside(next ? { file: next.file, node: next.node, where: 'before' } : layout.spot);
    const defaultsFile = first.location.file;
    const copies: LineSpec[] = [
      { comment: `${DEFAULTS_COPY} ${defaultsFile}, repeated so that they stay in force behind the block` },
      ...layout.defaults.map((e) => ({ key: 'ExitPolicy', value: (e.line as { value: string }).value })),
    ];
    edits.insert(spot, [...lines, ...copies]);
    notes.push(
      `The exit policy comes from the defaults file ${defaultsFile}. A plain ExitPolicy line in the torrc replaces that list ` +
        'and +ExitPolicy would only append after it, so the block goes into the torrc ' +
        `${spotText(spot)} followed by a copy of the defaults file's ${layout.defaults.length} ExitPolicy line${layout.defaults.length === 1 ? '' : 's'}. ` +
        "Later changes to the defaults file's ExitPolicy will no longer take effect.",
    );
  }

  const changes = edits.build();
  const after = evaluateCandidate(context, new Map(changes.map((c) => [c.path, c.after])), edits.parsed);
  const afterPolicy = requireValidCandidate(after, 'block');
  const semanticChange = diffPolicies(policy, afterPolicy);
  requireChange(
    semanticChange,
    acceptedWithin(policy.rules, needed),
    [...rules, ...policy.rules],
    afterPolicy,
    'block',
    'in the recomputed policy the requested region must be rejected and every other verdict must stay as it is',
    needed,
  );
  return finishRemedy(context, { kind: 'block', request: request_, caseId, after, changes, semanticChange, targets: promised, notes });
}

/** What to unblock. */
export interface UnblockRequest {
  /** The case id of the marked block to remove. */
  readonly caseId: string;
}

/** Plans removing a marked block. Refuses when the block was edited by hand. */
export function planUnblock(context: RemedyContext, request: UnblockRequest): RemedyResult {
  const caseId = parseCaseId(request.caseId);
  const before = context.before;
  const all = listBlocks(before, false);
  const blocks = all.filter((b) => b.caseId === caseId);
  const block = blocks[0];
  if (!block) {
    const known = [...new Set(all.map((b) => b.caseId))];
    throw new RemedyRefusal('REMEDY_BLOCK_NOT_FOUND', `no block marked with case ${caseId} is in the configuration`, {
      input: caseId,
      hint: known.length > 0 ? `blocks found: ${known.join(', ')} (exitkit blocks lists them)` : 'exitkit blocks lists the marked blocks; there are none',
    });
  }
  if (blocks.length > 1) {
    throw new RemedyRefusal('REMEDY_BLOCK_AMBIGUOUS', `${blocks.length} blocks are marked with case ${caseId}: ${blocks.map((b) => `${b.file}:${b.line}`).join(', ')}`, {
      location: { file: block.file, line: block.line },
      hint: 'remove the extra copies by hand, then plan again',
    });
  }
  if (block.problems.length > 0) {
    throw new RemedyRefusal('REMEDY_BLOCK_EDITED', `the block for case ${caseId} at ${block.file}:${block.line} was edited since exitkit wrote it: ${block.problems.join('; ')}`, {
      location: { file: block.file, line: block.line, endLine: block.endLine },
      hint: 'remove it by hand (it no longer holds only what exitkit wrote), or restore its lines and plan again',
    });
  }
  const regions: TargetRegion[] = block.rules.map((r) => {
    const rule = parsePolicyItem(r.item).rules[0] as PolicyRule;
    return { family: rule.family, cidrs: [canonicalCidr(rule.family, rule.address, rule.maskBits)], ports: [[rule.portMin, rule.portMax] as const] };
  });
  const edits = new EditSet().removeRange(block.nodes.loaded, block.nodes.first, block.nodes.last);
  const changes = edits.build();
  const after = evaluateCandidate(context, new Map(changes.map((c) => [c.path, c.after])), edits.parsed);
  const afterPolicy = requireValidCandidate(after, 'unblock');
  const change = diffPolicies(before.policy as EffectivePolicy, afterPolicy);
  requireDirection(change, 'loosen', 'unblock');
  requireWithin(change, regions, 'unblock');

  const notes = [`Removes lines ${block.line}-${block.endLine} of ${block.file} (the block for case ${caseId}, dated ${block.date}).`];
  const stillRejected = diffPolicies(
    [...regionRules(changeRegions(change), 'reject'), ...everything('accept')],
    [...regionRules(regions, 'reject'), ...everything('accept')],
  );
  const nodes = block.nodes.loaded.file.nodes;
  const next = nodes[nodes.indexOf(block.nodes.last) + 1];
  if (next?.kind === 'comment' && next.raw.includes(DEFAULTS_COPY)) {
    notes.push(`The copy of the defaults file's ExitPolicy at ${block.file}:${next.firstLine} stays, so the policy stays as it was without the block.`);
  }
  if (change.changes.length === 0) {
    notes.push('The block changes no verdict now (see exitkit blocks): other rules give the same verdicts without it.');
  } else if (stillRejected.changes.length > 0) {
    notes.push(`Other rules keep rejecting part of it: ${stillRejected.changes.slice(0, 5).map(describeRegion).join('; ')}.`);
  }
  return finishRemedy(context, {
    kind: 'unblock',
    request: { kind: 'unblock', caseId, block: { file: block.file, line: block.line, date: block.date, reason: block.reason, rules: block.rules.map((r) => r.item) } },
    caseId,
    after,
    changes,
    semanticChange: change,
    targets: [],
    notes,
  });
}

// The item exitkit writes must read back as exactly the rule meant.
function checkedItem(rule: PolicyRule): string {
  const text = formatPolicyItem(rule);
  const back = parsePolicyItem(text);
  const got = back.rules[0];
  if (back.error || back.rules.length !== 1 || !got || got.family !== rule.family || got.maskBits !== rule.maskBits ||
      got.address !== rule.address || got.portMin !== rule.portMin || got.portMax !== rule.portMax || got.action !== rule.action) {
    throw new Error(`exitkit formatted ${JSON.stringify(text)}, which does not read back as the rule meant`);
  }
  return text;
}

function spotText(spot: Spot): string {
  if (spot.where === 'end') return `at the end of ${spot.file.path}`;
  const kind = spot.node.kind === 'entry' ? `the ${spot.node.rawKey} line` : 'line';
  return `${spot.where} ${kind} at ${spot.file.path}:${spot.node.firstLine}`;
}

function alreadyRejected(policy: EffectivePolicy, target: TargetRegion): string {
  if (policy.notExit === 'exit-relay-0') return 'ExitRelay is 0, so Tor refuses every exit connection';
  if (policy.notExit === 'bridge') return 'BridgeRelay is 1, so Tor refuses every exit connection';
  if (policy.notExit === 'not-configured') return 'the relay is not an exit (ExitRelay auto with no ExitPolicy, ReducedExitPolicy or IPv6Exit), so Tor refuses every exit connection';
  if (target.family === 6 && !policy.ipv6Exit) return 'IPv6Exit is 0, so Tor refuses every IPv6 exit connection';
  const deciding = new Map<PolicyRule, true>();
  for (const cidr of target.cidrs.slice(0, 8)) {
    const { family, address, bits } = parseCanonicalCidr(cidr);
    for (const a of [address, lastAddress(family as Family, address, bits)]) {
      for (const [min, max] of target.ports) {
        for (const port of [min, max]) {
          const rule = firstMatch(policy.rules, family, a, port).rule;
          if (rule) deciding.set(rule, true);
        }
      }
    }
  }
  const named = [...deciding.keys()].slice(0, 3).map((r) => `${formatRule(r)} (${describeOrigin(r.origin)})`);
  return named.length > 0 ? `the policy already rejects it, e.g. by ${named.join(', ')}` : 'the policy already rejects it';
}
