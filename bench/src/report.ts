/**
 * The benchmark's results (the shape of bench/results.json), the targets they are held to,
 * and the Markdown table printed at the end. Pure: no I/O.
 */
import { median } from './stats.js';

/** Timings and peak memory of one thing measured several times. */
export interface Sample {
  /** Every timed run, milliseconds. */
  readonly runsMs: number[];
  /** Median of `runsMs`. */
  readonly medianMs: number;
  /** Highest peak RSS over the runs, KiB. */
  readonly maxRssKb: number;
}

/** A measurement that did not happen, and why. */
export interface Skipped {
  /** Why it was not measured (missing program, failed command, ...). */
  readonly skipped: string;
}

/** Verdict throughput of one engine. */
export interface Throughput {
  /** Probes per timed pass. */
  readonly probes: number;
  /** Pass times, milliseconds. */
  readonly runsMs: number[];
  /** Median checks per second. */
  readonly perSecond: number;
  /** Peak RSS of the process, KiB. */
  readonly maxRssKb: number;
}

/** Everything one run of the benchmark found. */
export interface BenchResults {
  /** When it ran (UTC, ISO 8601). */
  readonly date: string;
  /** How it ran. */
  readonly settings: {
    readonly sizes: number[];
    readonly runs: number;
    readonly warmup: number;
    readonly seed: number;
    readonly smoke: boolean;
  };
  /** The machine and program versions. */
  readonly machine: Record<string, string | number>;
  /** What was measured how, and anything unusual. */
  readonly notes: string[];
  /** The generated inputs, by rule count. */
  readonly inputs: Array<{ rules: number; files: number; bytes: number; lines: number; effectiveRules: number }>;
  /** Wall time and peak RSS of the commands, by rule count. */
  readonly commands: Array<{
    rules: number;
    tor: Sample | Skipped;
    policy: Sample | Skipped;
    plan: Sample | Skipped;
  }>;
  /** Start-up: `node -e ''` and `exitkit --help`. */
  readonly startup: { node: Sample | Skipped; help: Sample | Skipped };
  /** Verdict throughput on one policy. */
  readonly verdicts: {
    rules: number;
    effectiveRules: number;
    indexMs: number;
    text: Throughput;
    parsed: Throughput;
    stem: Throughput | Skipped;
    /** Probes where stem and exitkit disagreed, of those both answered. */
    stemMismatches: number | undefined;
    /** Probes where the index and a linear first-match scan disagreed. */
    scanMismatches: number;
    scanChecked: number;
  };
  /** The semantic change between two policies of each size. */
  readonly semanticChange: Array<{
    rules: number;
    effectiveRules: [number, number];
    loadMs: number;
    sample: Sample;
    changes: number;
    cidrs: number;
    probeMismatches: number;
    probesChecked: number;
  }>;
  /** The targets of the issue, judged. */
  readonly targets: Target[];
}

/** One target of the issue. */
export interface Target {
  /** What is held to it. */
  readonly description: string;
  /** The measured value, in the unit of `limit`. */
  readonly value: number | undefined;
  /** `<=`, `<` or `>=` the limit. */
  readonly relation: '<=' | '<' | '>=';
  /** The limit. */
  readonly limit: number;
  /** How the value reads (`×`, ` ms`, `/s`). */
  readonly unit: string;
  /** Met, missed, or not measured in this run. */
  readonly status: 'met' | 'missed' | 'not measured';
}

/** A Sample from run times and peak RSS values. */
export function sample(runsMs: number[], rssKb: number[]): Sample {
  return { runsMs, medianMs: median(runsMs), maxRssKb: Math.max(0, ...rssKb) };
}

/** True for a measurement that was skipped. */
export function isSkipped(value: unknown): value is Skipped {
  return typeof value === 'object' && value !== null && 'skipped' in value;
}

function medianOf(value: Sample | Skipped | undefined): number | undefined {
  return value === undefined || isSkipped(value) ? undefined : value.medianMs;
}

function judge(description: string, value: number | undefined, relation: Target['relation'], limit: number, unit: string): Target {
  if (value === undefined || Number.isNaN(value)) return { description, value: undefined, relation, limit, unit, status: 'not measured' };
  const ok = relation === '<=' ? value <= limit : relation === '<' ? value < limit : value >= limit;
  return { description, value, relation, limit, unit, status: ok ? 'met' : 'missed' };
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** The five targets, judged on `results` (sizes not measured are "not measured"). */
export function judgeTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const at = (rules: number) => results.commands.find((c) => c.rules === rules);
  const diffAt = (rules: number) => results.semanticChange.find((d) => d.rules === rules)?.sample.medianMs;
  const verdictRate = results.verdicts.rules === 10_000 ? results.verdicts.text.perSecond : undefined;
  return [
    judge('plan block ÷ tor --verify-config, 10,000 rules', ratio(medianOf(at(10_000)?.plan), medianOf(at(10_000)?.tor)), '<=', 0.5, '×'),
    judge("exitkit --help ÷ node -e ''", ratio(medianOf(results.startup.help), medianOf(results.startup.node)), '<=', 2, '×'),
    judge('verdicts per second, 10,000 rules (address as text)', verdictRate, '>=', 1_000_000, '/s'),
    judge('semantic change, two 10,000-rule policies', diffAt(10_000), '<', 1000, ' ms'),
    judge('semantic change growth, 50,000 ÷ 10,000 rules', ratio(diffAt(50_000), diffAt(10_000)), '<=', 6, '×'),
  ];
}

/** `1.23 s`, `45.6 ms`, `0.120 ms`. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** `68 MiB`. */
export function formatRss(kb: number | undefined): string {
  return kb === undefined || kb <= 0 ? '–' : `${Math.round(kb / 1024)} MiB`;
}

/** `1.23 M/s`, `45.6 k/s`, `3.4 /s`. */
export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || Number.isNaN(perSecond)) return '–';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(1)} /s`;
}

/** `0.42×`, `1,234×`. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (value >= 100) return `${Math.round(value).toLocaleString('en-US')}×`;
  return `${value.toFixed(2)}×`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function targetText(target: Target | undefined): string {
  if (target === undefined) return '';
  const limit = target.unit === '/s' ? formatRate(target.limit) : target.unit === ' ms' ? formatMs(target.limit) : `${target.limit}×`;
  const mark = target.status === 'met' ? 'met' : target.status === 'missed' ? '**missed**' : 'not measured';
  return `${target.relation.replace('<=', '≤').replace('>=', '≥')} ${limit}: ${mark}`;
}

function timeCell(value: Sample | Skipped | undefined): [string, string] {
  if (value === undefined) return ['–', '–'];
  if (isSkipped(value)) return ['not run', '–'];
  return [formatMs(value.medianMs), formatRss(value.maxRssKb)];
}

/** The results as a Markdown table (what the README's Performance section shows). */
export function formatTable(results: BenchResults): string {
  const [planTarget, startupTarget, verdictTarget, diffTarget, growthTarget] = results.targets;
  const rows: string[][] = [];
  for (const c of results.commands) {
    const [torTime, torRss] = timeCell(c.tor);
    for (const [label, value, target] of [
      ['`exitkit policy --format tor`', c.policy, undefined],
      ['`exitkit plan block` (3 ranges)', c.plan, c.rules === 10_000 ? planTarget : undefined],
    ] as const) {
      const [time, rss] = timeCell(value);
      rows.push([label, formatCount(c.rules), time, rss, '`tor --verify-config`', torTime, torRss, formatRatio(ratio(medianOf(value), medianOf(c.tor))), targetText(target)]);
    }
  }
  const [nodeTime, nodeRss] = timeCell(results.startup.node);
  const [helpTime, helpRss] = timeCell(results.startup.help);
  rows.push(['`exitkit --help` (start-up)', '–', helpTime, helpRss, "`node -e ''`", nodeTime, nodeRss, formatRatio(ratio(medianOf(results.startup.help), medianOf(results.startup.node))), targetText(startupTarget)]);
  const v = results.verdicts;
  const stem = isSkipped(v.stem) ? undefined : v.stem;
  for (const [label, t, target] of [
    ['verdicts, address as text', v.text, verdictTarget],
    ['verdicts, address parsed', v.parsed, undefined],
  ] as const) {
    rows.push([
      label,
      formatCount(v.rules),
      formatRate(t.perSecond),
      formatRss(t.maxRssKb),
      '`stem can_exit_to`',
      stem ? formatRate(stem.perSecond) : 'not run',
      stem ? formatRss(stem.maxRssKb) : '–',
      formatRatio(ratio(t.perSecond, stem?.perSecond)),
      targetText(target),
    ]);
  }
  const tenK = results.semanticChange.find((d) => d.rules === 10_000);
  for (const d of results.semanticChange) {
    const growth = d.rules === 50_000 && tenK ? ratio(d.sample.medianMs, tenK.sample.medianMs) : undefined;
    rows.push([
      'semantic change (diff of two policies)',
      formatCount(d.rules),
      formatMs(d.sample.medianMs),
      formatRss(d.sample.maxRssKb),
      d.rules === 50_000 && tenK ? 'the same at 10,000' : '',
      d.rules === 50_000 && tenK ? formatMs(tenK.sample.medianMs) : '',
      '',
      formatRatio(growth),
      targetText(d.rules === 10_000 ? diffTarget : d.rules === 50_000 ? growthTarget : undefined),
    ]);
  }
  const header = ['Measurement', 'Rules', 'exitkit', 'Peak RSS', 'Compared with', 'Its result', 'Its peak RSS', 'Ratio', 'Target'];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}
