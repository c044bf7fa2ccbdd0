/**
 * In-process measurements, each run in a child process of its own so its peak RSS (VmHWM)
 * belongs to that measurement alone. Prints one JSON object on stdout.
 *
 *     node worker.js verdicts JOB.json   verdict throughput on one policy
 *     node worker.js diff JOB.json       the semantic change between two policies
 *
 * It measures the compiled library (dist/), exactly what the installed CLI runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIpLiteral, prefixContains } from '../../dist/net/cidr.js';
import { diffPolicies } from '../../dist/policy/diff.js';
import { firstMatch, parseProbeAddress, PolicyIndex } from '../../dist/policy/evaluate.js';
import { loadRelayPolicySync } from '../../dist/relay/policy.js';
import type { EffectivePolicy, Family, PolicyChange } from '../../dist/types.js';
import { median, peakRssKb } from './stats.js';

/** Input of `verdicts`. */
export interface VerdictJob {
  /** The torrc (relative includes resolve against its folder). */
  readonly torrc: string;
  /** Probe file: one `address port` a line. */
  readonly probes: string;
  /** Untimed passes over all probes. */
  readonly warmup: number;
  /** Timed passes over all probes. */
  readonly runs: number;
  /** How many of the first probes to report verdicts for (the ones stem answers too). */
  readonly report: number;
  /** How many of the first probes to check against a linear first-match scan. */
  readonly crossCheck: number;
}

/** Output of `verdicts`. */
export interface VerdictReport {
  /** Rules of the effective policy. */
  readonly effectiveRules: number;
  /** Loading the configuration and building the effective policy, once. */
  readonly loadMs: number;
  /** Building the index, median. */
  readonly indexMs: number;
  /** Probes per pass. */
  readonly probes: number;
  /** Pass times with the address as text (parsed in every check, as stem gets it). */
  readonly textPassMs: number[];
  /** Pass times with the address already parsed. */
  readonly parsedPassMs: number[];
  /** Accepted probes in one pass (both paths must agree). */
  readonly accepted: number;
  /** Verdicts of the first `report` probes. */
  readonly verdicts: string[];
  /** Probes where the index disagreed with a linear first-match scan (must be 0). */
  readonly crossCheckMismatches: number;
  /** Probes cross-checked. */
  readonly crossChecked: number;
  /** Peak resident set of this process, KiB. */
  readonly maxRssKb: number;
}

/** Input of `diff`. */
export interface DiffJob {
  /** Torrc of the policy before. */
  readonly before: string;
  /** Torrc of the policy after. */
  readonly after: string;
  /** Probe file used to check the result. */
  readonly probes: string;
  /** Untimed computations. */
  readonly warmup: number;
  /** Timed computations. */
  readonly runs: number;
}

/** Output of `diff`. */
export interface DiffReport {
  /** Rules of both effective policies. */
  readonly effectiveRules: [number, number];
  /** Loading both configurations, once. */
  readonly loadMs: number;
  /** Times of `diffPolicies`. */
  readonly diffMs: number[];
  /** Changed regions and the CIDR blocks they list. */
  readonly changes: number;
  /** CIDR blocks over all changes. */
  readonly cidrs: number;
  /** Probes whose verdict flip disagreed with the reported regions (must be 0). */
  readonly probeMismatches: number;
  /** Probes checked against the reported regions. */
  readonly probesChecked: number;
  /** Peak resident set of this process, KiB. */
  readonly maxRssKb: number;
}

interface ParsedProbe {
  text: string;
  family: Family;
  address: bigint;
  port: number;
}

function readProbes(file: string): ParsedProbe[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [text = '', port = ''] = line.split(' ');
      const parsed = parseProbeAddress(text);
      return { text, family: parsed.family, address: parsed.address, port: Number(port) };
    });
}

function load(torrc: string): EffectivePolicy {
  const result = loadRelayPolicySync({ torrc, defaultsTorrc: undefined, cwd: path.dirname(torrc) });
  if (!result.valid || result.policy === undefined) {
    const first = result.diagnostics.find((d) => d.severity === 'error');
    throw new Error(`${torrc} does not load: ${first?.message ?? 'no effective policy'}`);
  }
  return result.policy;
}

function verdicts(job: VerdictJob): VerdictReport {
  let start = performance.now();
  const policy = load(job.torrc);
  const loadMs = performance.now() - start;
  const probes = readProbes(job.probes);
  const texts = probes.map((p) => p.text);
  const ports = probes.map((p) => p.port);

  const indexTimes: number[] = [];
  let index = new PolicyIndex(policy);
  for (let k = 0; k < job.warmup + job.runs; k++) {
    start = performance.now();
    index = new PolicyIndex(policy);
    if (k >= job.warmup) indexTimes.push(performance.now() - start);
  }

  const textPass = (): number => {
    let accepted = 0;
    for (let k = 0; k < texts.length; k++) {
      if (index.evaluate(texts[k] as string, ports[k] as number).verdict === 'accept') accepted++;
    }
    return accepted;
  };
  const parsedPass = (): number => {
    let accepted = 0;
    for (const p of probes) if (index.verdict(p.family, p.address, p.port).verdict === 'accept') accepted++;
    return accepted;
  };
  const textPassMs: number[] = [];
  const parsedPassMs: number[] = [];
  let acceptedText = 0;
  let acceptedParsed = 0;
  for (let k = 0; k < job.warmup + job.runs; k++) {
    start = performance.now();
    acceptedText = textPass();
    const t1 = performance.now();
    acceptedParsed = parsedPass();
    const t2 = performance.now();
    if (k >= job.warmup) {
      textPassMs.push(t1 - start);
      parsedPassMs.push(t2 - t1);
    }
  }
  if (acceptedText !== acceptedParsed) throw new Error(`text and parsed passes disagree: ${acceptedText} vs ${acceptedParsed} accepted`);

  let mismatches = 0;
  const checked = probes.slice(0, job.crossCheck);
  for (const p of checked) {
    if (firstMatch(policy.rules, p.family, p.address, p.port).index !== index.verdict(p.family, p.address, p.port).index) mismatches++;
  }
  return {
    effectiveRules: policy.rules.length,
    loadMs,
    indexMs: median(indexTimes),
    probes: probes.length,
    textPassMs,
    parsedPassMs,
    accepted: acceptedText,
    verdicts: probes.slice(0, job.report).map((p) => index.verdict(p.family, p.address, p.port).verdict),
    crossCheckMismatches: mismatches,
    crossChecked: checked.length,
    maxRssKb: peakRssKb(),
  };
}

function inChange(change: PolicyChange['changes'][number], probe: ParsedProbe): boolean {
  if (change.family !== probe.family) return false;
  if (!change.ports.some(([lo, hi]) => probe.port >= lo && probe.port <= hi)) return false;
  return change.cidrs.some((cidr) => {
    const [address = '', bits = ''] = cidr.split('/');
    const parsed = parseIpLiteral(address);
    return parsed !== undefined && prefixContains(probe.family, parsed.address, Number(bits), probe.address);
  });
}

function diff(job: DiffJob): DiffReport {
  let start = performance.now();
  const before = load(job.before);
  const after = load(job.after);
  const loadMs = performance.now() - start;
  const times: number[] = [];
  let change: PolicyChange = { changes: [] };
  for (let k = 0; k < job.warmup + job.runs; k++) {
    start = performance.now();
    change = diffPolicies(before, after);
    if (k >= job.warmup) times.push(performance.now() - start);
  }
  // A fast answer must also be right: every probe whose verdict flips lies in a reported
  // region with that direction, and no probe whose verdict stays does.
  const indexBefore = new PolicyIndex(before);
  const indexAfter = new PolicyIndex(after);
  let mismatches = 0;
  const probes = readProbes(job.probes);
  for (const p of probes) {
    const a = indexBefore.verdict(p.family, p.address, p.port).verdict;
    const b = indexAfter.verdict(p.family, p.address, p.port).verdict;
    const reported = change.changes.filter((c) => inChange(c, p));
    const ok = a === b ? reported.length === 0 : reported.length === 1 && reported[0]?.before === a && reported[0].after === b;
    if (!ok) mismatches++;
  }
  return {
    effectiveRules: [before.rules.length, after.rules.length],
    loadMs,
    diffMs: times,
    changes: change.changes.length,
    cidrs: change.changes.reduce((sum, c) => sum + c.cidrs.length, 0),
    probeMismatches: mismatches,
    probesChecked: probes.length,
    maxRssKb: peakRssKb(),
  };
}

const [mode, jobFile] = process.argv.slice(2);
const job: unknown = JSON.parse(readFileSync(jobFile ?? '', 'utf8'));
const report = mode === 'verdicts' ? verdicts(job as VerdictJob) : mode === 'diff' ? diff(job as DiffJob) : undefined;
if (report === undefined) throw new Error(`unknown mode '${String(mode)}': use verdicts or diff`);
process.stdout.write(`${JSON.stringify(report)}\n`);
