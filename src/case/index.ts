/**
 * The case ledger: from a complaint to a case, its plans, letters and the follow-up check.
 */
export {
  openCase,
  listCases,
  showCase,
  closeCase,
  recordPlan,
  recordApply,
  recordLetter,
  recordFollowUp,
  checkCaseOwnership,
  summarise,
  formatDestination,
  eventDate,
} from './ledger.js';
export type {
  LedgerOptions,
  OpenCaseOptions,
  OpenedCase,
  FollowUpState,
  CaseSummary,
  CaseList,
  ShownCase,
  LetterToFile,
  RecordLetterOptions,
  RecordApplyOptions,
} from './ledger.js';
export {
  caseDir,
  casePlanDir,
  caseLettersDir,
  casesDirectory,
  stateDirectory,
  checkCaseId,
  checkPlanId,
  isCaseId,
  DEFAULT_STATE_DIR,
  STATE_DIR_ENV,
  CASE_ID_GRAMMAR,
} from './paths.js';
export type { LedgerLocation } from './paths.js';
export { candidateIds, idFromReference } from './id.js';
export { CASE_FORMAT, FOLLOW_UP_DAYS, parseCaseRecord, formatCaseRecord, followUpDueAfter } from './record.js';
export type { CaseRecord, CaseDates, CaseStatus, CasePlanLink, CaseLetterLink, CaseFollowUpLink, CaseDestination, CaseSuggestion, CaseComplaintFile } from './record.js';
export { ownAddressesFromConfig, checkOwnership } from './ownership.js';
export type { OwnAddress, OwnAddresses, OwnershipVerdict, OwnershipReason, SourceOwnership, OwnershipReport, OwnershipOptions } from './ownership.js';
export { shortfall, regionRules, rulesFromTorLines } from './region.js';
export { followUp, controlPortReader, complaintInfo, describeRegion } from './followup.js';
export { restoreCommands, restoreRequest, planRestorer } from './restore.js';
export type { RestoreRequest, RestorePlanner } from './restore.js';
export type {
  FollowUpStatus,
  FollowUpOptions,
  FollowUpLetterOptions,
  FollowUpResult,
  PlanCheck,
  PlaceCheck,
  ProbeResult,
  DestinationCheck,
  RestoreOffer,
  RunningPolicy,
  RunningPolicyReader,
} from './followup.js';
export { CaseError } from './errors.js';
export type { CaseErrorCode } from './errors.js';
