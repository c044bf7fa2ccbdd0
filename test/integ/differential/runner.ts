/**
 * Runs one configuration through tor and through an engine (exitkit) and compares:
 *   1. valid/invalid: the engine against `tor --verify-config` (same files, same defaults file);
 *   2. for valid ones, the engine's printed policy against tor's `GETINFO exit-policy/full`;
 *   3. for valid ones, ≥ N probes: the engine's verdicts against the reference evaluator's
 *      reading of tor's printed lines;
 * and records whether LOADCONF's verdict matched verify-config's. `Tally` keeps the counts per
 * feature; `minimiseCase` shrinks a mismatching case for the report.
 */
import { type OracleAnswer, type TorOracle } from '../../helpers/tor-oracle.js';
import { type TorrcCase, Random, makeCase, writeTorrcCase } from '../../helpers/generate-torrc.js';
import {
  type Probe,
  formatProbeAddress,
  parsePrintedPolicy,
  probesFor,
  referenceVerdict,
} from '../../helpers/reference-policy.js';
import { type VerifyResult, verifyTorConfig } from '../../../src/tor/verify.js';

/** What an engine says about a configuration. */
export interface EngineResult {
  /** The engine's valid/invalid verdict. */
  valid: boolean;
  /** The policy in tor's printed format, when valid. */
  lines: string[] | undefined;
  /** First-match verdict of the engine's own evaluator (only called when valid). */
  verdict: (address: string, port: number) => 'accept' | 'reject';
  /** Diagnostics, for failure messages. */
  diagnostics: string;
}

/** The code under test, seen through the same files tor reads. */
export interface Engine {
  /** Name for messages. */
  name: string;
  /** Loads a configuration. */
  load(input: { torrc: string; defaultsTorrc: string | undefined; cwd: string }): Promise<EngineResult>;
}

/** Everything learned about one case. */
export interface CaseOutcome {
  /** The case. */
  case: TorrcCase;
  /** Where its files were written. */
  torrcPath: string;
  /** tor --verify-config. */
  verify: VerifyResult;
  /** The oracle's answer (absent for configurations that make tor abort). */
  oracle: OracleAnswer | undefined;
  /** The engine's answer, or the error it threw. */
  engine: EngineResult | { error: unknown };
  /** Engine verdict equals verify-config's. */
  verdictAgrees: boolean;
  /** The policy lines were compared (tor said valid and printed a policy). */
  linesCompared: boolean;
  /** The policy lines are equal. */
  linesAgree: boolean;
  /** Probes run. */
  probes: number;
  /** Probes on which the engine agreed with the reference evaluator. */
  probesAgree: number;
  /** The first disagreeing probe. */
  probeMismatch: { address: string; port: number; tor: string; engine: string; rule: string } | undefined;
  /** LOADCONF's verdict equals verify-config's (undefined when not asked). */
  loadconfAgrees: boolean | undefined;
  /** The oracle could not answer for a configuration tor said was valid. */
  oracleFailed: boolean;
  /** Wall time of each step, in milliseconds. */
  ms: { verify: number; engine: number; oracle: number; probes: number };
}

/** Options for one run. */
export interface RunOptions {
  /** Probes per valid policy (at least). */
  probes: number;
  /** Seed for probe generation. */
  seed: number;
  /** Also send configurations verify-config refuses to LOADCONF, to compare verdicts. */
  askLoadConfForInvalid: boolean;
}

/** True when the outcome counts as full agreement. */
export function agrees(outcome: CaseOutcome): boolean {
  return (
    outcome.verdictAgrees &&
    !outcome.oracleFailed &&
    (!outcome.linesCompared || outcome.linesAgree) &&
    outcome.probesAgree === outcome.probes
  );
}

/** Runs one case through tor and the engine. */
export async function runCase(oracle: TorOracle, engine: Engine, c: TorrcCase, options: RunOptions): Promise<CaseOutcome> {
  const written = await writeTorrcCase(c, oracle.casesDir);
  const input = { torrc: written.torrc, defaultsTorrc: written.defaultsTorrc, cwd: written.cwd };
  const ms = { verify: 0, engine: 0, oracle: 0, probes: 0 };
  const timed = async <T>(step: keyof typeof ms, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      ms[step] += performance.now() - started;
    }
  };
  const [verify, engineResult] = await Promise.all([
    timed('verify', () =>
      verifyTorConfig({ torrc: input.torrc, defaultsTorrc: input.defaultsTorrc, cwd: input.cwd, torBinary: oracle.torCommand }),
    ),
    timed('engine', () => engine.load(input).catch((error: unknown) => ({ error }))),
  ]);
  const crashes = verify.signal !== undefined;
  const askOracle = !crashes && (verify.valid || (options.askLoadConfForInvalid && input.defaultsTorrc === undefined));
  const oracleAnswer = askOracle
    ? await timed('oracle', () =>
        oracle.evaluate({ torrc: input.torrc, defaultsTorrc: input.defaultsTorrc }, { knownValid: verify.valid }),
      )
    : undefined;

  const outcome: CaseOutcome = {
    case: c,
    torrcPath: input.torrc,
    verify,
    oracle: oracleAnswer,
    engine: engineResult,
    verdictAgrees: !('error' in engineResult) && engineResult.valid === verify.valid,
    linesCompared: false,
    linesAgree: false,
    probes: 0,
    probesAgree: 0,
    probeMismatch: undefined,
    loadconfAgrees:
      oracleAnswer?.via === 'loadconf' && (oracleAnswer.outcome === 'policy' || oracleAnswer.outcome === 'refused')
        ? (oracleAnswer.outcome === 'policy') === verify.valid
        : undefined,
    oracleFailed: verify.valid && oracleAnswer?.outcome !== 'policy',
    ms,
  };
  if (!verify.valid || oracleAnswer?.outcome !== 'policy' || oracleAnswer.lines === undefined) return outcome;

  outcome.linesCompared = true;
  const torLines = oracleAnswer.lines;
  if ('error' in engineResult || !engineResult.valid) return outcome;
  outcome.linesAgree = sameLines(engineResult.lines, torLines);

  const probeStart = performance.now();
  const rules = parsePrintedPolicy(torLines);
  const probes = probesFor(rules, new Random(options.seed ^ hash(c.name)), options.probes);
  outcome.probes = probes.length;
  for (const probe of probes) {
    const address = formatProbeAddress(probe);
    const expected = referenceVerdict(rules, probe);
    let actual: string;
    try {
      actual = engineResult.verdict(address, probe.port);
    } catch (error) {
      actual = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (actual === expected.verdict) {
      outcome.probesAgree += 1;
    } else if (!outcome.probeMismatch) {
      outcome.probeMismatch = {
        address,
        port: probe.port,
        tor: expected.verdict,
        engine: actual,
        rule: expected.index < 0 ? '(no rule: accept)' : (rules[expected.index]?.text ?? '?'),
      };
    }
  }
  ms.probes = performance.now() - probeStart;
  return outcome;
}

function sameLines(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((line, i) => line === b[i]);
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Human-readable account of a disagreement. */
export function explainOutcome(outcome: CaseOutcome): string {
  const parts = [outcome.case.describe()];
  parts.push(
    `tor --verify-config: ${outcome.verify.valid ? 'valid' : 'INVALID'}${outcome.verify.signal ? ` (${outcome.verify.signal})` : ''}`,
  );
  const torProblems = outcome.verify.messages.filter((m) => !/running Tor as root|ContactInfo config option is not set/.test(m));
  if (torProblems.length > 0) parts.push(`  ${torProblems.join('\n  ')}`);
  if ('error' in outcome.engine) {
    parts.push(`engine threw: ${outcome.engine.error instanceof Error ? (outcome.engine.error.stack ?? outcome.engine.error.message) : String(outcome.engine.error)}`);
  } else {
    parts.push(`engine: ${outcome.engine.valid ? 'valid' : 'INVALID'}`);
    if (outcome.engine.diagnostics) parts.push(`  ${outcome.engine.diagnostics.split('\n').join('\n  ')}`);
  }
  if (outcome.oracle) {
    parts.push(`oracle (${outcome.oracle.via}): ${outcome.oracle.outcome}${outcome.oracle.message ? ` — ${outcome.oracle.message.split('\n')[0]}` : ''}`);
  }
  if (outcome.linesCompared && !outcome.linesAgree && !('error' in outcome.engine)) {
    parts.push(lineDiff(outcome.oracle?.lines ?? [], outcome.engine.lines ?? []));
  }
  if (outcome.probeMismatch) {
    const m = outcome.probeMismatch;
    parts.push(
      `probe ${m.address}:${m.port}: tor's printed policy says ${m.tor} (${m.rule}), engine says ${m.engine}; ${outcome.probesAgree}/${outcome.probes} probes agree`,
    );
  }
  return parts.join('\n');
}

function lineDiff(tor: readonly string[], engine: readonly string[]): string {
  const out = ['policy lines (- tor, + engine):'];
  const max = Math.max(tor.length, engine.length);
  for (let i = 0; i < max; i += 1) {
    const t = tor[i];
    const e = engine[i];
    if (t === e) out.push(`   ${t}`);
    else {
      if (t !== undefined) out.push(` - ${t}`);
      if (e !== undefined) out.push(` + ${e}`);
    }
  }
  return out.join('\n');
}

/** Counts per feature tag and overall. */
export class Tally {
  readonly outcomes: CaseOutcome[] = [];
  private readonly started = performance.now();

  /** Records an outcome. */
  add(outcome: CaseOutcome): void {
    this.outcomes.push(outcome);
  }

  /** Outcomes that disagree somewhere. */
  get mismatches(): CaseOutcome[] {
    return this.outcomes.filter((o) => !agrees(o));
  }

  /** A report for the console. */
  report(title: string): string {
    const all = this.outcomes;
    const count = (f: (o: CaseOutcome) => boolean): number => all.filter(f).length;
    const seconds = (performance.now() - this.started) / 1000;
    const lines = [
      `${title}: ${all.length} cases in ${seconds.toFixed(1)} s (${(all.length / seconds).toFixed(1)} cases/s)`,
      `  tor --verify-config: ${count((o) => o.verify.valid)} valid, ${count((o) => !o.verify.valid)} invalid (${count((o) => o.verify.signal !== undefined)} abort)`,
      `  valid/invalid verdict agreed: ${count((o) => o.verdictAgrees)}/${all.length}`,
      `  policy lines agreed: ${count((o) => o.linesCompared && o.linesAgree)}/${count((o) => o.linesCompared)}`,
      `  probes agreed: ${sum(all, (o) => o.probesAgree)}/${sum(all, (o) => o.probes)} (in ${count((o) => o.probes > 0)} policies, min ${Math.min(...all.filter((o) => o.probes > 0).map((o) => o.probes))} per policy)`,
      `  oracle failures on valid configurations: ${count((o) => o.oracleFailed)}`,
      `  LOADCONF verdict = verify-config verdict: ${count((o) => o.loadconfAgrees === true)}/${count((o) => o.loadconfAgrees !== undefined)}`,
      `  cases fully agreed: ${count(agrees)}/${all.length}`,
      ...(count((o) => o.loadconfAgrees === false) > 0
        ? [
            `  LOADCONF and verify-config differ on: ${all
              .filter((o) => o.loadconfAgrees === false)
              .slice(0, 10)
              .map((o) => `${o.case.name} (${(o.verify.messages.find((m) => m.includes('Failed to parse')) ?? o.oracle?.message ?? '').slice(0, 90)})`)
              .join('; ')}`,
          ]
        : []),
      `  mean ms per case: verify-config ${mean(all, (o) => o.ms.verify)}, ${'engine'} ${mean(all, (o) => o.ms.engine)}, oracle ${mean(all, (o) => o.ms.oracle)} (includes queueing), probes ${mean(all, (o) => o.ms.probes)}`,
    ];
    const tags = new Map<string, { total: number; agreed: number }>();
    for (const outcome of all) {
      for (const tag of outcome.case.features) {
        const entry = tags.get(tag) ?? { total: 0, agreed: 0 };
        entry.total += 1;
        if (agrees(outcome)) entry.agreed += 1;
        tags.set(tag, entry);
      }
    }
    if (tags.size > 0) {
      lines.push('  per feature (agreed/cases):');
      const sorted = [...tags].sort(([a], [b]) => (a < b ? -1 : 1));
      for (let i = 0; i < sorted.length; i += 4) {
        lines.push(`    ${sorted.slice(i, i + 4).map(([tag, t]) => `${tag} ${t.agreed}/${t.total}`).join(' · ')}`);
      }
    }
    return lines.join('\n');
  }
}

function mean(items: readonly CaseOutcome[], f: (o: CaseOutcome) => number): string {
  return items.length === 0 ? '0' : (sum(items, f) / items.length).toFixed(1);
}

function sum(items: readonly CaseOutcome[], f: (o: CaseOutcome) => number): number {
  return items.reduce((acc, o) => acc + f(o), 0);
}

/** Runs cases with the tor-side work serialised and verify/engine work overlapped. */
export async function runCases(
  oracle: TorOracle,
  engine: Engine,
  cases: readonly TorrcCase[],
  options: RunOptions,
  onOutcome: (outcome: CaseOutcome) => void,
  concurrency = 3,
): Promise<void> {
  // Switching tor between relay and bridge costs it a key rotation (100-300 ms); running the
  // likely bridges together saves all but one switch. Order does not change any answer.
  const bridgeLike = (c: TorrcCase): boolean => c.files.some((f) => /^[ \t]*[+/]?bridgerelay[ \t]+1/im.test(f.content));
  const ordered = [...cases.filter((c) => !bridgeLike(c)), ...cases.filter(bridgeLike)];
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    for (;;) {
      const index = next;
      next += 1;
      const c = ordered[index];
      if (c === undefined) return;
      onOutcome(await runCase(oracle, engine, c, options));
    }
  });
  await Promise.all(workers);
}

/**
 * Shrinks a mismatching case: drops files, lines and ExitPolicy items one at a time while
 * `stillFails` holds, until nothing more can go. Returns the smallest case found.
 */
export async function minimiseCase(
  c: TorrcCase,
  stillFails: (candidate: TorrcCase) => Promise<boolean>,
  budget = 300,
): Promise<TorrcCase> {
  let best = c;
  let tries = 0;
  let attempt = 0;
  const candidate = (files: TorrcCase['files'], defaults: string | undefined): TorrcCase =>
    makeCase({
      name: `${c.name}-min${(attempt += 1)}`,
      files,
      torrc: best.torrc,
      defaults,
      intent: c.intent,
      features: c.features,
      seed: c.seed,
    });
  let progress = true;
  while (progress && tries < budget) {
    progress = false;
    const variants: TorrcCase[] = [];
    if (best.defaults !== undefined) {
      variants.push(candidate(best.files.filter((f) => f.path !== best.defaults), undefined));
    }
    for (const file of best.files) {
      if (file.path === best.torrc || file.path === best.defaults) continue;
      variants.push(candidate(best.files.filter((f) => f !== file), best.defaults));
    }
    for (const file of best.files) {
      const lines = file.content.split(/(?<=\n)/);
      const replace = (content: string): TorrcCase =>
        candidate(best.files.map((f) => (f === file ? { ...f, content } : f)), best.defaults);
      // Comment and blank lines all at once, then chunks of lines, halving (delta debugging).
      const code = lines.filter((line) => !/^\s*(#.*)?\r?\n?$/.test(line));
      if (code.length < lines.length) variants.push(replace(code.join('')));
      for (let size = Math.floor(lines.length / 2); size >= 1; size = Math.floor(size / 2)) {
        for (let start = 0; start < lines.length; start += size) {
          variants.push(replace([...lines.slice(0, start), ...lines.slice(start + size)].join('')));
        }
      }
      for (let i = 0; i < lines.length; i += 1) {
        const entry = /^(\s*[^\s#]+[ \t]+)([^\n]*)(\n?)$/.exec(lines[i] ?? '');
        const items = entry?.[2]?.split(',') ?? [];
        if (entry && items.length > 1) {
          for (let j = 0; j < items.length; j += 1) {
            const value = [...items.slice(0, j), ...items.slice(j + 1)].join(",").replace(/^\s+/, "");
            const content = [...lines.slice(0, i), `${entry[1]}${value}${entry[3]}`, ...lines.slice(i + 1)].join('');
            variants.push(replace(content));
          }
        }
      }
    }
    for (const variant of variants) {
      if (tries >= budget) break;
      tries += 1;
      if (await stillFails(variant)) {
        best = variant;
        progress = true;
        break;
      }
    }
  }
  return best;
}

/** Probes re-exported for tests that build their own. */
export type { Probe };
