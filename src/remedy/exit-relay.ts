/**
 * `middle`: stop exiting (`ExitRelay 0`), keeping the exit policy for a later switch back;
 * `exit`: switch back (`ExitRelay 1`).
 *
 * The effective `ExitRelay` line (the last one Tor reads) gets the new value when it is in
 * the torrc; otherwise a line is added at the end of the main torrc, where it wins over the
 * defaults file. With `ExitRelay 0` Tor does not even parse the ExitPolicy (tor-semantics
 * §3.1), so switching back re-validates it: a latent error there refuses the plan.
 */
import { isGeneralExit } from '../policy/summary.js';
import type { TorrcNode } from '../torrc/index.js';
import type { EffectivePolicy } from '../types.js';
import { evaluateCandidate, utcDate, type RemedyContext } from './context.js';
import { EditSet } from './edits.js';
import { RemedyRefusal } from './errors.js';
import { entryOf, mainTorrc } from './layout.js';
import { parseCaseId, sanitizeReason } from './markers.js';
import { requireDirection, requireValidCandidate, requireVerdicts } from './proof.js';
import { everything } from './region.js';
import { finishRemedy, portSummaries, type RemedyResult } from './result.js';
import { diffPolicies } from '../policy/diff.js';

/** Options of `middle` and `exit`. */
export interface ExitRelayRequest {
  /** Case id for the marker comment. */
  readonly caseId?: string | undefined;
  /** Why, for the marker comment (made safe for one comment line). */
  readonly reason?: string | undefined;
}

const MIDDLE_MARKER = /^[ \t]*#[ \t]*exitkit middle\b/;

const NOT_EXIT_REASON = {
  'exit-relay-0': 'ExitRelay is 0 already',
  bridge: 'the relay is a bridge (BridgeRelay 1), which never exits',
  'not-configured': 'the relay is not an exit already (ExitRelay auto with no ExitPolicy, ReducedExitPolicy or IPv6Exit)',
} as const;

/** Plans switching the relay to a middle relay (`ExitRelay 0`). */
export function planMiddle(context: RemedyContext, request: ExitRelayRequest = {}): RemedyResult {
  const caseId = request.caseId === undefined ? undefined : parseCaseId(request.caseId);
  const before = context.before;
  const policy = before.policy as EffectivePolicy;
  const reason = sanitizeReason(request.reason ?? '');
  const request_ = { kind: 'middle', caseId: caseId ?? null, reason };
  const targets = [
    { family: 4 as const, cidrs: ['0.0.0.0/0'], ports: [[1, 65535] as const], verdict: 'reject' as const },
    { family: 6 as const, cidrs: ['::/0'], ports: [[1, 65535] as const], verdict: 'reject' as const },
  ];
  if (policy.notExit !== undefined) {
    return finishRemedy(context, { kind: 'middle', request: request_, caseId, after: before, changes: [], alreadyInForce: NOT_EXIT_REASON[policy.notExit], targets });
  }
  const line = before.config.value('ExitRelay');
  const entry = line ? entryOf(before.config, line) : undefined;
  const was = line ? `was "ExitRelay ${line.value}"` : 'ExitRelay was not set';
  const marker = { comment: `exitkit middle${caseId ? ` ${caseId}` : ''} ${utcDate(context.now)} UTC: ${was}; the ExitPolicy stays for exitkit plan exit${reason ? ` (${reason})` : ''}` };
  const edits = new EditSet();
  const notes: string[] = [];
  if (entry && entry.source === 'torrc') {
    edits.insert({ file: entry.file, node: entry.node, where: 'before' }, [marker]);
    edits.replace(entry.file, entry.node, { key: 'ExitRelay', value: '0' });
    notes.push(`ExitRelay at ${entry.location.file}:${entry.location.line} becomes 0; the ExitPolicy lines stay for a later switch back (exitkit plan exit).`);
  } else {
    edits.insert({ file: mainTorrc(before.config), where: 'end' }, [marker, { key: 'ExitRelay', value: '0' }]);
    notes.push(`ExitRelay 0 is added at the end of ${before.config.torrc}; the ExitPolicy lines stay for a later switch back (exitkit plan exit).`);
  }
  const changes = edits.build();
  const after = evaluateCandidate(context, new Map(changes.map((c) => [c.path, c.after])), edits.parsed);
  const afterPolicy = requireValidCandidate(after, 'switch to a middle relay');
  if (afterPolicy.notExit !== 'exit-relay-0') {
    throw new RemedyRefusal('REMEDY_NOT_EFFECTIVE', 'the switch to a middle relay would not take effect: Tor would not read ExitRelay as 0', {
      hint: 'check for ExitRelay lines exitkit cannot see (e.g. on the command line of the tor service)',
    });
  }
  requireVerdicts(everything('reject'), afterPolicy, 'switch to a middle relay', 'a middle relay must reject every exit connection', targets);
  const summary = portSummaries(afterPolicy);
  const warnings: string[] = [];
  if (isGeneralExit(policy)) warnings.push('The relay loses the Exit flag: directory authorities give it only to relays that exit to ports 80 and 443.');
  notes.push(
    `The port summary clients choose exits by becomes "${summary.ipv4}" (was "${portSummaries(policy).ipv4}"), so clients stop choosing the relay as an exit.`,
  );
  return finishRemedy(context, { kind: 'middle', request: request_, caseId, after, changes, targets, notes, warnings });
}

/** Plans switching a middle relay back to an exit (`ExitRelay 1`). */
export function planExit(context: RemedyContext, request: ExitRelayRequest = {}): RemedyResult {
  const caseId = request.caseId === undefined ? undefined : parseCaseId(request.caseId);
  const before = context.before;
  const policy = before.policy as EffectivePolicy;
  const reason = sanitizeReason(request.reason ?? '');
  const request_ = { kind: 'exit', caseId: caseId ?? null, reason };
  if (policy.notExit === undefined) {
    return finishRemedy(context, { kind: 'exit', request: request_, caseId, after: before, changes: [], alreadyInForce: 'the relay is an exit already', targets: [] });
  }
  if (policy.notExit === 'bridge' || before.inputs.bridgeRelay.value) {
    throw new RemedyRefusal('REMEDY_NOT_POSSIBLE', 'a bridge (BridgeRelay 1) never exits', {
      location: before.inputs.bridgeRelay.location,
      hint: 'run a public relay (BridgeRelay 0) to exit',
    });
  }
  const line = before.config.value('ExitRelay');
  const entry = line ? entryOf(before.config, line) : undefined;
  const edits = new EditSet();
  const notes: string[] = [];
  if (entry && entry.source === 'torrc') {
    edits.replace(entry.file, entry.node, { key: 'ExitRelay', value: '1' });
    const nodes = entry.file.file.nodes;
    const previous: TorrcNode | undefined = nodes[nodes.indexOf(entry.node) - 1];
    if (previous && previous.kind === 'comment' && MIDDLE_MARKER.test(previous.raw)) {
      edits.removeRange(entry.file, previous, previous);
      notes.push(`The "exitkit middle" marker at ${entry.location.file}:${previous.firstLine} is removed with it.`);
    }
    notes.push(`ExitRelay at ${entry.location.file}:${entry.location.line} becomes 1.`);
  } else {
    edits.insert({ file: mainTorrc(before.config), where: 'end' }, [
      { comment: `exitkit exit${caseId ? ` ${caseId}` : ''} ${utcDate(context.now)} UTC: the relay exits again${reason ? ` (${reason})` : ''}` },
      { key: 'ExitRelay', value: '1' },
    ]);
    notes.push(`ExitRelay 1 is added at the end of ${before.config.torrc}.`);
  }
  const changes = edits.build();
  const after = evaluateCandidate(context, new Map(changes.map((c) => [c.path, c.after])), edits.parsed);
  const afterPolicy = requireValidCandidate(after, 'switch back to an exit');
  if (afterPolicy.notExit !== undefined || afterPolicy.rejectStar) {
    throw new RemedyRefusal('REMEDY_NOT_EFFECTIVE', 'the switch back to an exit would not take effect: the resulting exit policy rejects every destination', {
      hint: 'give the relay an ExitPolicy that accepts something (e.g. exitkit plan reduce-ports after switching), or edit it by hand',
    });
  }
  const semanticChange = diffPolicies(policy, afterPolicy);
  requireDirection(semanticChange, 'loosen', 'switch back to an exit');
  const warnings: string[] = [];
  if (!isGeneralExit(afterPolicy)) {
    warnings.push('The resulting policy does not accept ports 80 and 443 to most addresses: directory authorities will not give the relay the Exit flag.');
  }
  if (after.inputs.exitPolicy.length === 0 && !after.inputs.reducedExitPolicy.value) {
    warnings.push(
      "No ExitPolicy is set, so Tor's default exit policy comes into force: every port except 25, 119, 135-139, 445, 563, 1214, 4661-4666, " +
        '6346-6429, 6699 and 6881-6999. Consider exitkit plan reduce-ports.',
    );
  }
  const summary = portSummaries(afterPolicy);
  notes.push(`The port summary clients choose exits by becomes "${summary.ipv4}"${afterPolicy.ipv6Exit ? ` (IPv6: "${summary.ipv6}")` : ''}.`);
  const targets: RemedyResult['targets'] = [];
  return finishRemedy(context, { kind: 'exit', request: request_, caseId, after, changes, semanticChange, targets, notes, warnings });
}
