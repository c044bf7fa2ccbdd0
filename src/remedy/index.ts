/**
 * Remedies: pure functions from a relay's configuration to planned file contents, each
 * proven by recomputing the effective policy of the candidate files.
 */
import { planBlock, planUnblock, type BlockRequest, type UnblockRequest } from './block.js';
import type { RemedyContext } from './context.js';
import { planExit, planMiddle, type ExitRelayRequest } from './exit-relay.js';
import { planReducePorts, type ReducePortsRequest } from './reduce-ports.js';
import type { RemedyResult } from './result.js';

/** Any remedy request, tagged by kind. */
export type RemedyRequest =
  | ({ readonly kind: 'block' } & BlockRequest)
  | ({ readonly kind: 'unblock' } & UnblockRequest)
  | ({ readonly kind: 'reduce-ports' } & ReducePortsRequest)
  | ({ readonly kind: 'middle' } & ExitRelayRequest)
  | ({ readonly kind: 'exit' } & ExitRelayRequest);

/** Plans any remedy. */
export function planRemedy(context: RemedyContext, request: RemedyRequest): RemedyResult {
  switch (request.kind) {
    case 'block':
      return planBlock(context, request);
    case 'unblock':
      return planUnblock(context, request);
    case 'reduce-ports':
      return planReducePorts(context, request);
    case 'middle':
      return planMiddle(context, request);
    case 'exit':
      return planExit(context, request);
  }
}

export { planBlock, planUnblock, planReducePorts, planMiddle, planExit };
export { reducedPolicyPorts } from './reduce-ports.js';
export { remedyContext, evaluateCandidate } from './context.js';
export { listBlocks, parseCaseId, sanitizeReason, renderBlocks, blocksJson } from './markers.js';
export { estimateDescriptor, MAX_DESCRIPTOR_BYTES } from './descriptor.js';
export { RemedyRefusal, RemedyInputError, InvalidConfigError } from './errors.js';
export type { BlockRequest, UnblockRequest, ReducePortsRequest, ExitRelayRequest, RemedyResult, RemedyContext };
export type { FileChange, MachineFacts } from './context.js';
export type { RemedyKind, PortSummaries } from './result.js';
export type { MarkedBlock, BlockRule, BlockRuleStatus } from './markers.js';
export type { DescriptorEstimate } from './descriptor.js';
export type { RemedyRefusalCode, RemedyInputCode } from './errors.js';
export type { TargetRegion } from './region.js';
