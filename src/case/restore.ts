/**
 * Restoring a change the follow-up found missing: the exact command to plan it again, and a
 * planner (the plan layer's `createPlan`) that writes that plan into the case. Both only
 * plan; applying stays the operator's decision after review.
 *
 * A lost block is planned again with its own inputs (ranges, ports, reason); when those are
 * not recorded, exactly the missing region is blocked. Other remedies are planned again with
 * their own inputs.
 */
import { formatCommand } from '../complaint/remedy.js';
import { createPlan } from '../plan/create.js';
import type { MachineFacts } from '../remedy/context.js';
import type { RemedyRequest } from '../remedy/index.js';
import type { PlanDocument, VerdictChange } from '../types.js';
import { CaseError } from './errors.js';

/** What a restoring plan is made from: the lost plan's remedy, on the files as they are now. */
export interface RestoreRequest {
  /** The case. */
  caseId: string;
  /** Id (and folder name) for the new plan. */
  planId: string;
  /** Folder to write the plan into (inside the case). */
  out: string;
  /** The plan whose change was lost. */
  lost: PlanDocument;
  /** Its remedy and inputs, to plan again. */
  remedy: PlanDocument['remedy'];
  /** The torrc tor is started with. */
  torrc: string;
  /** The defaults file, or null. */
  defaultsTorrc: string | null;
  /** tor's working directory. */
  cwd: string;
  /** The time of the check. */
  now: Date;
}

/** Makes (writes, never applies) the plan that restores a lost change; the plan layer's `createPlan` behind it. */
export type RestorePlanner = (request: RestoreRequest) => Promise<void>;

/**
 * The commands that plan the lost change again, for `caseId`. `lost` is what the follow-up
 * found missing (used for a block whose inputs are not recorded).
 */
export function restoreCommands(caseId: string, document: PlanDocument, lost: readonly VerdictChange[]): string[] {
  const request = restoreRequest(caseId, document);
  if (request !== undefined) return [formatCommand(argvOf(request))];
  if (document.remedy.kind === 'block' && lost.length > 0 && lost.every((part) => part.after === 'reject')) {
    const tail = ['--case', caseId, '--reason', `restore the change of plan ${document.id}`];
    const byPorts = new Map<string, string[]>();
    for (const part of lost) {
      const key = part.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      byPorts.set(key, [...(byPorts.get(key) ?? []), ...part.cidrs]);
    }
    return [...byPorts].map(([ports, cidrs]) => formatCommand(['plan', 'block', ...cidrs, ...(ports === '1-65535' ? [] : ['--ports', ports]), ...tail]));
  }
  return [];
}

/** The remedy request of a plan, as recorded in plan.json, for `caseId`; undefined when its inputs are not all there. */
export function restoreRequest(caseId: string, document: PlanDocument): RemedyRequest | undefined {
  const remedy = document.remedy as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof remedy[key] === 'string' ? (remedy[key] as string) : undefined);
  switch (remedy['kind']) {
    case 'block': {
      const cidrs = remedy['cidrs'];
      if (!Array.isArray(cidrs) || cidrs.length === 0 || !cidrs.every((c) => typeof c === 'string')) return undefined;
      return {
        kind: 'block',
        cidrs: cidrs as string[],
        ports: text('ports'),
        caseId,
        reason: text('reason') ?? `restore the change of plan ${document.id}`,
        allowHostBits: remedy['allowHostBits'] === true,
      };
    }
    case 'reduce-ports':
      if (remedy['torReduced'] === true) return { kind: 'reduce-ports', torReduced: true, caseId };
      if (text('ports') !== undefined) return { kind: 'reduce-ports', ports: text('ports'), caseId };
      return undefined;
    case 'middle':
      return { kind: 'middle', caseId };
    case 'exit':
      return { kind: 'exit', caseId };
    default:
      return undefined;
  }
}

/** The `exitkit` arguments for a request. */
function argvOf(request: RemedyRequest): string[] {
  const caseArgs = request.caseId === undefined ? [] : ['--case', request.caseId];
  switch (request.kind) {
    case 'block':
      return [
        'plan', 'block', ...request.cidrs,
        ...(request.ports === undefined ? [] : ['--ports', request.ports]),
        ...caseArgs,
        ...(request.reason === undefined ? [] : ['--reason', request.reason]),
        ...(request.allowHostBits === true ? ['--allow-host-bits'] : []),
      ];
    case 'reduce-ports':
      return ['plan', 'reduce-ports', ...(request.torReduced === true ? ['--tor-reduced'] : ['--ports', request.ports ?? '']), ...caseArgs];
    case 'unblock':
      return ['plan', 'unblock', request.caseId];
    default:
      return ['plan', request.kind, ...caseArgs];
  }
}

/** A planner that writes the restoring plan with the plan layer (`createPlan`), never applying it. */
export function planRestorer(machine: MachineFacts = {}): RestorePlanner {
  return async (request) => {
    const remedy = restoreRequest(request.caseId, request.lost);
    if (remedy === undefined) {
      throw new CaseError('CASE_PLAN_INVALID', `plan ${request.lost.id} does not record the inputs of its ${request.lost.remedy.kind} remedy`, {
        input: request.lost.id,
        hint: 'plan the change again by hand',
      });
    }
    await createPlan(remedy, {
      torrc: request.torrc,
      defaultsTorrc: request.defaultsTorrc,
      cwd: request.cwd,
      now: request.now,
      caseId: request.caseId,
      out: request.out,
      interfaceAddresses: machine.interfaceAddresses,
      ownAddresses: machine.ownAddresses,
    });
  };
}
