/**
 * The human summary of a plan, derived from its semantic change (the regions whose verdict
 * changes between the effective policies), never from the command line: e.g. "Traffic to
 * 203.0.113.0/24 on all ports is now rejected; before, ports 80 and 443 were accepted.
 * Nothing else changes."
 */
// The module itself, not the package index, which loads every jsdiff module at start-up.
import { diffLines } from 'diff/lib/diff/line.js';
import { describeAddresses, describePorts, englishList } from '../letters/describe.js';
import type { PortRange } from '../net/merge.js';
import { MAX_DESCRIPTOR_BYTES } from '../remedy/descriptor.js';
import type { RemedyResult } from '../remedy/result.js';
import { isGeneralExit } from '../policy/summary.js';
import type { EffectivePolicy, PlanDocument, PolicyChange, VerdictChange } from '../types.js';
import type { LabelledProbe } from './probes.js';

/** One paragraph saying what the plan changes, derived from the semantic change. */
export function summarizeRemedy(result: RemedyResult): string {
  const change = result.semanticChange;
  if (result.changes.length === 0) return `No change is needed: ${result.alreadyInForce ?? 'the remedy is in force already'}.`;
  const tightened = change.changes.filter((c) => c.before === 'accept');
  const loosened = change.changes.filter((c) => c.before === 'reject');
  const nothingElse = 'Nothing else changes.';
  switch (result.kind) {
    case 'block': {
      const addresses = englishList(result.targets.map((t) => describeAddresses(t.family, t.cidrs)));
      const ports = describePorts(result.targets[0]?.ports ?? [[1, 65535]]);
      return `Traffic to ${addresses} on ${ports} is now rejected; before, ${wasAccepted(tightened, result)}. ${nothingElse}`;
    }
    case 'unblock': {
      if (change.changes.length === 0) return `The block for case ${result.caseId ?? ''} is removed; no verdict changes, since other rules decided the same without it.`;
      return `The block for case ${result.caseId ?? ''} is removed: traffic to ${regionsText(loosened)} is accepted again; before, it was rejected. ${nothingElse}`;
    }
    case 'reduce-ports': {
      const closed = union(tightened.map((c) => c.ports));
      return `The relay now exits only to the listed ports: traffic on ${describePorts(closed)} is now rejected; before, it was accepted (to ${someOrAll(tightened)}). ${nothingElse}`;
    }
    case 'middle': {
      const open = union(tightened.map((c) => c.ports));
      return (
        `The relay stops exiting (ExitRelay 0): traffic to every destination is now rejected; before, ${describePorts(open)} ${open.length === 1 && open[0]?.[0] === open[0]?.[1] ? 'was' : 'were'} accepted. ` +
        `${isGeneralExit(result.before.policy as EffectivePolicy) ? 'The relay loses the Exit flag, and its' : 'Its'} port summary becomes "${result.portSummary.after.ipv4}" (was "${result.portSummary.before.ipv4}"). The exit policy stays in the torrc for a later switch back.`
      );
    }
    case 'exit': {
      const open = union(loosened.map((c) => c.ports));
      return `The relay exits again (ExitRelay 1): traffic on ${describePorts(open)} is now accepted (to ${someOrAll(loosened)}); before, every destination was rejected. Its port summary becomes "${result.portSummary.after.ipv4}".`;
    }
  }
}

function wasAccepted(changes: readonly VerdictChange[], result: RemedyResult): string {
  const targetCidrs = new Map(result.targets.map((t) => [t.family, t.cidrs.join(',')]));
  const portsOnly = changes.every((c) => targetCidrs.get(c.family) === c.cidrs.join(','));
  if (portsOnly && changes.length > 0) {
    const ports = union(changes.map((c) => c.ports));
    const single = ports.length === 1 && ports[0]?.[0] === ports[0]?.[1];
    const text = describePorts(ports);
    if (text === 'all ports') return 'all ports were accepted';
    return `${text} ${single ? 'was' : 'were'} accepted`;
  }
  return `traffic to ${regionsText(changes)} was accepted`;
}

function regionsText(changes: readonly VerdictChange[]): string {
  const parts = changes.slice(0, 6).map((c) => `${describeAddresses(c.family, c.cidrs)} on ${describePorts(c.ports)}`);
  if (changes.length > 6) parts.push(`${changes.length - 6} more regions (see plan.json)`);
  return englishList(parts);
}

function someOrAll(changes: readonly VerdictChange[]): string {
  const whole = changes.every((c) => c.cidrs.length === 1 && (c.cidrs[0] === '0.0.0.0/0' || c.cidrs[0] === '::/0'));
  return whole ? 'every address' : 'the addresses the policy allowed';
}

function union(lists: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): PortRange[] {
  const sorted = lists.flat().sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** A plan as the CLI shows it. */
export interface PlanView {
  /** The plan document. */
  readonly document: PlanDocument;
  /** Where it was written, when it was. */
  readonly dir?: string | undefined;
  /** Probes with their roles. */
  readonly probes: readonly LabelledProbe[];
  /** The remedy result. */
  readonly result: RemedyResult;
}

/** The text the CLI prints after making a plan. */
export function renderPlanSummary(plan: PlanView): string {
  const { document, result } = plan;
  const lines: string[] = [];
  lines.push(`Plan ${document.id}: ${result.kind}${plan.dir ? `, written to ${plan.dir}` : ''}`);
  lines.push('');
  lines.push(document.summary);
  if (document.changes.length > 0) {
    lines.push('', 'Files to change:');
    for (const change of result.changes) {
      const { added, removed } = lineCounts(change.before, change.after);
      lines.push(`  ${change.path}: ${added} line${added === 1 ? '' : 's'} added, ${removed} removed`);
    }
  }
  if (plan.probes.length > 0) {
    lines.push('', 'Proof (verdicts of the effective policy, before → after):');
    const shown = [...plan.probes.filter((p) => p.role !== 'control').slice(0, 6), ...plan.probes.filter((p) => p.role === 'control').slice(0, 3)];
    for (const p of shown) {
      const where = p.address.includes(':') ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
      lines.push(`  ${where.padEnd(30)} ${p.before} → ${p.after}${p.role === 'control' ? '   (control: must not change)' : ''}`);
    }
    if (plan.probes.length > shown.length) lines.push(`  … ${plan.probes.length - shown.length} more in plan.json`);
  }
  if (result.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of result.notes) lines.push(`  - ${note}`);
  }
  if (result.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of result.warnings) lines.push(`  - ${warning}`);
  }
  const d = result.descriptor;
  lines.push('', `Server descriptor: about ${d.after.bytes} bytes (now ${d.before.bytes}; authorities accept at most ${MAX_DESCRIPTOR_BYTES}).`);
  if (document.needsRestart) lines.push(`Needs a restart of tor: ${document.restartReason ?? ''}`);
  if (plan.dir && document.changes.length > 0) {
    lines.push('', `Review ${plan.dir}/torrc.diff, then apply it: exitkit apply ${plan.dir}`);
  }
  return `${lines.join('\n')}\n`;
}

function lineCounts(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count;
    else if (part.removed) removed += part.count;
  }
  return { added, removed };
}

/** The semantic change as sentences (for `--json` summaries and letters). */
export function changeSentences(change: PolicyChange): string[] {
  return change.changes.map((c) => `Traffic to ${describeAddresses(c.family, c.cidrs)} on ${describePorts(c.ports)}: ${c.before} → ${c.after}.`);
}
