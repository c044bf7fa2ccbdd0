/**
 * `npm run bench`: exitkit against Debian's tor and stem on policies of 1,000, 10,000 and
 * 50,000 ExitPolicy rules, side by side in one run. Prints a Markdown table and writes
 * bench/results.json.
 *
 *     node bench/build/main.js [--smoke] [--runs N] [--warmup N] [--sizes 1000,10000]
 *                              [--out FILE] [--keep] [--no-install] [--profile DIR]
 *
 * `--smoke` is the test suite's check that the benchmark still runs: 100 rules, one run, no
 * warm-up, nothing installed, missing programs reported as skipped, nothing written unless
 * `--out` is given.
 *
 * `--profile DIR` measures nothing: it runs `exitkit policy`, `plan block`, the verdict loop
 * and the semantic change once each under `node --cpu-prof` (on 10,000 rules unless
 * `--sizes` says otherwise), keeps the profiles in DIR and prints where the time went.
 *
 * Every external command runs through bench/py/runner.py, which takes each child's wall
 * time and peak RSS from wait4(2). The whole measurement runs in a network namespace of its
 * own, so the tor it starts can reach nothing; exitkit, node and stem run in the same one, so
 * nobody pays the namespace's cost in a timed run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BLOCK_TARGETS, generateItems, generateProbes, mutateItems, torrcFiles, type GeneratedItem, type GeneratedTorrc } from './generate.js';
import { formatHotSpots, hotSpots, type CpuProfile } from './profile.js';
import { formatTable, judgeTargets, sample, type BenchResults, type Sample, type Skipped, type Throughput } from './report.js';
import { median } from './stats.js';
import { findTools, installCommand, installTools, missingTools, networkIsolation, type Tools } from './tools.js';
import type { DiffReport, VerdictReport } from './worker.js';

interface Options {
  smoke: boolean;
  sizes: number[];
  runs: number;
  warmup: number;
  out: string | undefined;
  keep: boolean;
  install: boolean;
  profile: string | undefined;
}

const SEED = 20_250_601;
const ISOLATED_ENV = 'EXITKIT_BENCH_ISOLATED';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const benchDir = path.join(repo, 'bench');
const exitkitBin = path.join(repo, 'bin/exitkit');
const node = process.execPath;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { smoke: false, sizes: [1000, 10_000, 50_000], runs: 5, warmup: 1, out: path.join(benchDir, 'results.json'), keep: false, install: true, profile: undefined };
  let outGiven = false;
  let sizesGiven = false;
  const count = (flag: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) fail(`${flag} needs a whole number ≥ ${min}, not '${String(text)}'`);
    return n;
  };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--runs') options.runs = count(arg, argv[++k], 1);
    else if (arg === '--warmup') options.warmup = count(arg, argv[++k], 0);
    else if (arg === '--sizes') {
      options.sizes = (argv[++k] ?? '').split(',').map((s) => count('--sizes', s, 10));
      sizesGiven = true;
    } else if (arg === '--profile') options.profile = path.resolve(argv[++k] ?? fail('--profile needs a folder'));
    else if (arg === '--out') {
      options.out = path.resolve(argv[++k] ?? fail('--out needs a file'));
      outGiven = true;
    } else if (arg === '--keep') options.keep = true;
    else if (arg === '--no-install') options.install = false;
    else fail(`unknown argument '${String(arg)}' (see the comment at the top of bench/src/main.ts)`);
  }
  if (options.profile !== undefined && !sizesGiven) options.sizes = [10_000];
  if (options.smoke) {
    options.sizes = [100];
    options.runs = 1;
    options.warmup = 0;
    options.install = false;
    if (!outGiven) options.out = undefined;
  }
  return options;
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Phase one, with the network: install what is missing, then re-run this script isolated. */
function prepare(options: Options, argv: readonly string[]): never {
  let tools = findTools();
  const missing = missingTools(tools);
  if (missing.length > 0 && options.install) {
    const { installed, reason } = installTools(missing);
    if (!installed) {
      fail(`missing ${missing.map((t) => t.apt).join(', ')} and cannot install (${String(reason)}). Install with:\n  ${installCommand(missing)}`);
    }
    tools = findTools();
  }
  const still = missingTools(tools);
  if (still.length > 0 && !options.smoke) fail(`missing ${still.map((t) => t.apt).join(', ')}. Install with:\n  ${installCommand(still)}`);
  if (tools.python.path === undefined) fail(`python3 runs the timing harness and is missing. Install with:\n  ${installCommand([tools.python])}`);
  const isolation = networkIsolation(tools);
  const script = fileURLToPath(import.meta.url);
  if (isolation.prefix === undefined) {
    if (!options.smoke) fail(`tor is only run where it can reach nothing, and ${String(isolation.reason)}`);
    progress(`bench: ${String(isolation.reason)}; tor is skipped`);
    const child = spawnSync(node, [script, ...argv], { stdio: 'inherit', env: { ...process.env, [ISOLATED_ENV]: 'no-namespace' } });
    process.exit(child.status ?? 1);
  }
  const [program, ...prefixArgs] = isolation.prefix;
  const child = spawnSync(program as string, [...prefixArgs, node, script, ...argv], { stdio: 'inherit', env: { ...process.env, [ISOLATED_ENV]: 'namespace' } });
  process.exit(child.status ?? 1);
}

function writeFiles(dir: string, generated: GeneratedTorrc): { bytes: number; lines: number } {
  let bytes = 0;
  let lines = 0;
  for (const file of generated.files) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    bytes += Buffer.byteLength(file.content);
    lines += file.content.split('\n').length - 1;
  }
  return { bytes, lines };
}

function writeProbes(file: string, probes: ReadonlyArray<{ address: string; port: number }>): void {
  writeFileSync(file, probes.map((p) => `${p.address} ${p.port}\n`).join(''));
}

interface Case {
  rules: number;
  before: string;
  after: string;
  probes: string;
  diffProbes: string;
  policyFile: string;
  effectiveRules: number;
  files: number;
  bytes: number;
  lines: number;
}

function makeCase(tmp: string, rules: number, probeCount: number): Case {
  const dir = path.join(tmp, `rules-${rules}`);
  const itemsBefore = generateItems(rules, SEED + rules);
  const itemsAfter = mutateItems(itemsBefore, SEED + rules + 1);
  const before = torrcFiles(itemsBefore, SEED);
  const after = torrcFiles(itemsAfter, SEED);
  const written = writeFiles(path.join(dir, 'before'), before);
  writeFiles(path.join(dir, 'after'), after);
  const probes = path.join(dir, 'probes.txt');
  writeProbes(probes, generateProbes(itemsBefore, probeCount, SEED + 2));
  // Half of the diff's check probes aim at the rules that changed, where verdicts flip.
  const old = new Set(itemsBefore.map((item) => item.text));
  const changed: GeneratedItem[] = itemsAfter.filter((item) => !old.has(item.text));
  const diffProbes = path.join(dir, 'diff-probes.txt');
  writeProbes(diffProbes, [...generateProbes(changed.length > 0 ? changed : itemsBefore, 500, SEED + 3), ...generateProbes(itemsBefore, 500, SEED + 4)]);
  return {
    rules,
    before: path.join(dir, 'before/torrc'),
    after: path.join(dir, 'after/torrc'),
    probes,
    diffProbes,
    policyFile: path.join(dir, 'policy.txt'),
    effectiveRules: 0,
    files: before.files.length,
    ...written,
  };
}

interface RunnerCommand {
  id: string;
  argv: string[];
  cwd: string;
}

type RunnerReport = Record<string, { wallMs: number[]; maxRssKb: number[]; failed: { exitCode: number; stderr: string } | null }>;

function runTimed(python: string, tmp: string, commands: RunnerCommand[], options: Options): Record<string, Sample | Skipped> {
  const scratch = mkdtempSync(path.join(tmp, 'runner-'));
  const job = path.join(scratch, 'job.json');
  writeFileSync(job, JSON.stringify({ warmup: options.warmup, runs: options.runs, scratch, commands }));
  const child = spawnSync(python, [path.join(benchDir, 'py/runner.py'), job], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) fail(`the timing runner failed:\n${child.stderr}`);
  const report = JSON.parse(child.stdout) as RunnerReport;
  const out: Record<string, Sample | Skipped> = {};
  for (const command of commands) {
    const entry = report[command.id];
    if (entry === undefined) continue;
    if (entry.failed) {
      const stderr = entry.failed.stderr.trim().split('\n').slice(-3).join(' / ');
      progress(`bench: ${command.id} exited with ${entry.failed.exitCode}: ${stderr}`);
      out[command.id] = { skipped: `exited with ${entry.failed.exitCode}: ${stderr}` };
    } else {
      out[command.id] = sample(entry.wallMs, entry.maxRssKb);
    }
  }
  return out;
}

function runJson<T>(program: string, args: string[], what: string): T {
  const child = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) fail(`${what} failed (exit ${String(child.status)}):\n${child.stderr}`);
  return JSON.parse(child.stdout) as T;
}

/** How `plan block` is run: the CLI when it has the command, else the library stand-in. */
function planRoute(tmp: string, first: Case): { argv: (out: string) => string[]; note: string } {
  const cliArgv = (out: string): string[] => [node, exitkitBin, 'plan', 'block', ...BLOCK_TARGETS, '--torrc', 'torrc', '--no-defaults-torrc', '--out', out];
  const out = path.join(tmp, 'plan-route-check');
  const cwd = path.dirname(first.before);
  const tryCli = spawnSync(cliArgv(out)[0] as string, cliArgv(out).slice(1), { cwd, encoding: 'utf8' });
  if (tryCli.status === 0 && existsSync(path.join(out, 'plan.json'))) {
    return { argv: cliArgv, note: `plan block: \`exitkit plan block ${BLOCK_TARGETS.join(' ')} --torrc torrc --no-defaults-torrc --out DIR\`.` };
  }
  const why = (tryCli.stderr.trim().split('\n').find((line) => line.trim() !== '') ?? `exit ${String(tryCli.status)}`).slice(0, 200);
  const script = path.join(here, 'plan-block.js');
  return {
    argv: (o) => [node, script, ...BLOCK_TARGETS, '--torrc', 'torrc', '--no-defaults-torrc', '--out', o],
    note: `plan block: the CLI could not run it (${why}), so bench/src/plan-block.ts made the same createPlan call in a fresh Node process.`,
  };
}

function throughput(probes: number, runsMs: number[], maxRssKb: number): Throughput {
  return { probes, runsMs, perSecond: probes / (median(runsMs) / 1000), maxRssKb };
}

function machine(tools: Tools): Record<string, string | number> {
  const release = existsSync('/etc/os-release') ? /PRETTY_NAME="?([^"\n]*)/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : undefined;
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    os: release ?? `${os.type()} ${os.release()}`,
    node: process.version,
    tor: tools.tor.version ?? 'missing',
    stem: tools.stem.version ?? 'missing',
    python: tools.python.version ?? 'missing',
  };
}

function measure(options: Options): void {
  const tools = findTools();
  const python = tools.python.path ?? fail('python3 is missing');
  const torAllowed = process.env[ISOLATED_ENV] === 'namespace';
  const torSkip = tools.tor.path === undefined ? `tor is missing (${installCommand([tools.tor])})` : torAllowed ? undefined : 'no network namespace could be made for tor';
  const stemSkip = tools.stem.path === undefined ? `stem is missing (${installCommand([tools.stem])})` : undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'exitkit-bench-'));
  const notes: string[] = [];
  try {
    const verdictRules = options.sizes.includes(10_000) ? 10_000 : (options.sizes[0] as number);
    const probeCount = options.smoke ? 2000 : 200_000;
    const stemProbes = options.smoke ? 3 : 10;
    const cases = options.sizes.map((rules) => {
      progress(`bench: generating ${rules.toLocaleString('en-US')} rules`);
      return makeCase(tmp, rules, rules === verdictRules ? probeCount : 10);
    });
    const emptyDefaults = path.join(tmp, 'empty-defaults');
    writeFileSync(emptyDefaults, '');
    const dataDir = path.join(tmp, 'tor-data');
    mkdirSync(dataDir, { mode: 0o700 });

    // Untimed: the policy each case yields (also stem's input) and how plan block runs.
    for (const c of cases) {
      const printed = spawnSync(node, [exitkitBin, 'policy', '--format', 'tor', '--torrc', 'torrc', '--no-defaults-torrc'], { cwd: path.dirname(c.before), encoding: 'utf8', maxBuffer: 1 << 28 });
      if (printed.status !== 0) fail(`exitkit policy failed on the generated ${c.rules}-rule torrc:\n${printed.stderr}`);
      writeFileSync(c.policyFile, printed.stdout);
      c.effectiveRules = printed.stdout.split('\n').filter((line) => line !== '').length;
    }
    const route = planRoute(tmp, cases[0] as Case);
    notes.push(
      `tor: \`tor --verify-config -f torrc --defaults-torrc EMPTY --DataDirectory TMP\` in the torrc's folder (tor resolves relative %include paths against its working directory); EMPTY is an empty file, matching exitkit's --no-defaults-torrc.`,
      'exitkit: `node bin/exitkit …` with the node that runs the benchmark, on the compiled dist/.',
      route.note,
      `Wall time from spawn to exit, median of ${options.runs} run(s) after ${options.warmup} warm-up round(s); commands interleaved, order rotating each round. Peak RSS: the child's ru_maxrss (wait4), highest over the runs.`,
    );

    const commands: BenchResults['commands'] = [];
    for (const c of cases) {
      progress(`bench: timing tor, exitkit policy and plan block on ${c.rules.toLocaleString('en-US')} rules (${options.warmup + options.runs} rounds)`);
      const cwd = path.dirname(c.before);
      const list: RunnerCommand[] = [
        { id: 'policy', argv: [node, exitkitBin, 'policy', '--format', 'tor', '--torrc', 'torrc', '--no-defaults-torrc'], cwd },
        { id: 'plan', argv: route.argv(path.join(tmp, `plan-${c.rules}-{run}`)), cwd },
      ];
      if (torSkip === undefined) {
        list.unshift({ id: 'tor', argv: [tools.tor.path as string, '--verify-config', '-f', 'torrc', '--defaults-torrc', emptyDefaults, '--DataDirectory', dataDir], cwd });
      }
      const timed = runTimed(python, tmp, list, options);
      commands.push({
        rules: c.rules,
        tor: timed['tor'] ?? { skipped: torSkip ?? 'not run' },
        policy: timed['policy'] ?? { skipped: 'not run' },
        plan: timed['plan'] ?? { skipped: 'not run' },
      });
    }

    progress('bench: timing start-up');
    const startupTimed = runTimed(python, tmp, [
      { id: 'node', argv: [node, '-e', ''], cwd: tmp },
      { id: 'help', argv: [node, exitkitBin, '--help'], cwd: tmp },
    ], { ...options, runs: Math.max(options.runs, options.smoke ? 1 : 20), warmup: Math.max(options.warmup, options.smoke ? 0 : 3) });
    if (!options.smoke) notes.push('Start-up: median of 20 runs after 3 warm-up rounds (a run is tens of milliseconds).');

    progress(`bench: verdict throughput on ${verdictRules.toLocaleString('en-US')} rules`);
    const vc = cases.find((c) => c.rules === verdictRules) as Case;
    const verdictJob = path.join(tmp, 'verdict-job.json');
    writeFileSync(verdictJob, JSON.stringify({ torrc: vc.before, probes: vc.probes, warmup: Math.max(1, options.warmup), runs: options.runs, report: stemProbes, crossCheck: options.smoke ? 2000 : 5000 }));
    const ek = runJson<VerdictReport>(node, [path.join(here, 'worker.js'), 'verdicts', verdictJob], 'the verdict worker');
    let stem: Throughput | Skipped = { skipped: stemSkip ?? 'not run' };
    let stemMismatches: number | undefined;
    if (stemSkip === undefined) {
      progress(`bench: stem can_exit_to on the same policy (${stemProbes} probes a pass; stem is slow)`);
      const st = runJson<{ passMs: number[]; probes: number; verdicts: string[]; maxRssKb: number }>(
        tools.stem.path as string,
        [path.join(benchDir, 'py/stem_verdicts.py'), vc.policyFile, vc.probes, String(stemProbes), String(Math.max(1, options.warmup)), String(options.runs)],
        'stem',
      );
      stem = throughput(st.probes, st.passMs, st.maxRssKb);
      stemMismatches = st.verdicts.filter((v, k) => v !== ek.verdicts[k]).length;
    }
    notes.push(
      `Verdicts: ${ek.probes.toLocaleString('en-US')} probes a pass (60% inside a rule's prefix, 40% IPv6), median of ${options.runs} passes after a warm-up, in one process (PolicyIndex.evaluate with the address as text; PolicyIndex.verdict with it parsed). stem answers the first ${stemProbes} of the same probes with ExitPolicy.can_exit_to on the policy exitkit prints (tor's exit-policy/full format). Index built in ${ek.indexMs.toFixed(1)} ms.`,
    );

    const semanticChange: BenchResults['semanticChange'] = [];
    for (const c of cases) {
      progress(`bench: semantic change between two ${c.rules.toLocaleString('en-US')}-rule policies`);
      const job = path.join(tmp, `diff-job-${c.rules}.json`);
      writeFileSync(job, JSON.stringify({ before: c.before, after: c.after, probes: c.diffProbes, warmup: Math.max(1, options.warmup), runs: options.runs }));
      const d = runJson<DiffReport>(node, [path.join(here, 'worker.js'), 'diff', job], 'the diff worker');
      semanticChange.push({
        rules: c.rules,
        effectiveRules: d.effectiveRules,
        loadMs: d.loadMs,
        sample: sample(d.diffMs, [d.maxRssKb]),
        changes: d.changes,
        cidrs: d.cidrs,
        probeMismatches: d.probeMismatches,
        probesChecked: d.probesChecked,
      });
    }
    notes.push(
      'Semantic change: diffPolicies on the two effective policies (the second has about 1% of the items deleted, inserted or flipped), in one process after loading both; peak RSS is that process\'s.',
    );

    const partial: Omit<BenchResults, 'targets'> = {
      date: new Date().toISOString(),
      settings: { sizes: options.sizes, runs: options.runs, warmup: options.warmup, seed: SEED, smoke: options.smoke },
      machine: machine(tools),
      notes,
      inputs: cases.map((c) => ({ rules: c.rules, files: c.files, bytes: c.bytes, lines: c.lines, effectiveRules: c.effectiveRules })),
      commands,
      startup: { node: startupTimed['node'] ?? { skipped: 'not run' }, help: startupTimed['help'] ?? { skipped: 'not run' } },
      verdicts: {
        rules: verdictRules,
        effectiveRules: ek.effectiveRules,
        indexMs: ek.indexMs,
        text: throughput(ek.probes, ek.textPassMs, ek.maxRssKb),
        parsed: throughput(ek.probes, ek.parsedPassMs, ek.maxRssKb),
        stem,
        stemMismatches,
        scanMismatches: ek.crossCheckMismatches,
        scanChecked: ek.crossChecked,
      },
      semanticChange,
    };
    const results: BenchResults = { ...partial, targets: judgeTargets(partial) };
    report(results, options);
  } finally {
    if (options.keep) progress(`bench: inputs kept in ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

function report(results: BenchResults, options: Options): void {
  const problems: string[] = [];
  if (results.verdicts.scanMismatches > 0) problems.push(`the index disagreed with a linear scan on ${results.verdicts.scanMismatches} probes`);
  if ((results.verdicts.stemMismatches ?? 0) > 0) problems.push(`exitkit and stem disagreed on ${String(results.verdicts.stemMismatches)} probes`);
  for (const d of results.semanticChange) {
    if (d.probeMismatches > 0) problems.push(`the ${d.rules}-rule semantic change contradicts ${d.probeMismatches} probes`);
  }
  const lines = [
    `exitkit benchmark, ${results.date.slice(0, 10)}: ${String(results.machine['cpu'])} (${String(results.machine['cores'])} cores), ${String(results.machine['os'])}, node ${String(results.machine['node'])}, ${String(results.machine['tor'])}, ${String(results.machine['stem'])}`,
    '',
    formatTable(results),
    '',
    'Ratio: exitkit time ÷ the other time (lower is faster); for verdicts, exitkit rate ÷ stem rate (higher is faster); for the 50,000-rule semantic change, its time ÷ the 10,000-rule time.',
    `Checks: index = linear first match on ${results.verdicts.scanChecked} probes (${results.verdicts.scanMismatches} differ); stem and exitkit ${results.verdicts.stemMismatches === undefined ? 'not compared' : `differ on ${results.verdicts.stemMismatches} probes`}; semantic changes ${results.semanticChange.map((d) => `${d.rules}: ${d.changes} regions, ${d.probeMismatches}/${d.probesChecked} probes contradict`).join('; ')}.`,
    ...results.notes.map((note) => `- ${note}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.out !== undefined) {
    writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
    progress(`bench: wrote ${path.relative(process.cwd(), options.out) || options.out}`);
  }
  if (problems.length > 0) fail(`wrong answers, so the timings above mean nothing: ${problems.join('; ')}`);
}

/** `--profile DIR`: one run of each exitkit measurement under the V8 profiler, summarised. */
function profile(options: Options, out: string): void {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'exitkit-bench-'));
  try {
    for (const rules of options.sizes) {
      progress(`bench: profiling on ${rules.toLocaleString('en-US')} rules`);
      const c = makeCase(tmp, rules, 50_000);
      const cwd = path.dirname(c.before);
      const route = planRoute(tmp, c);
      const verdictJob = path.join(tmp, `verdict-job-${rules}.json`);
      writeFileSync(verdictJob, JSON.stringify({ torrc: c.before, probes: c.probes, warmup: 0, runs: 1, report: 0, crossCheck: 0 }));
      const diffJob = path.join(tmp, `diff-job-${rules}.json`);
      writeFileSync(diffJob, JSON.stringify({ before: c.before, after: c.after, probes: c.diffProbes, warmup: 0, runs: 1 }));
      const runs: Array<[string, string, string[]]> = [
        ['policy', 'exitkit policy --format tor', [exitkitBin, 'policy', '--format', 'tor', '--torrc', 'torrc', '--no-defaults-torrc']],
        ['plan', 'plan block', route.argv(path.join(tmp, `plan-profile-${rules}`)).slice(1)],
        ['verdicts', 'verdicts (worker)', [path.join(here, 'worker.js'), 'verdicts', verdictJob]],
        ['diff', 'semantic change (worker)', [path.join(here, 'worker.js'), 'diff', diffJob]],
      ];
      for (const [slug, title, args] of runs) {
        const dir = path.join(out, `${rules}-${slug}`);
        rmSync(dir, { recursive: true, force: true });
        const child = spawnSync(node, ['--cpu-prof', '--cpu-prof-dir', dir, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
        if (child.status !== 0) fail(`${title} failed under the profiler:\n${child.stderr}`);
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
        const file = files[0];
        if (file === undefined) fail(`${title} left no profile in ${dir}`);
        const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
        process.stdout.write(`\n${formatHotSpots(`${title}, ${rules.toLocaleString('en-US')} rules (${path.join(dir, file)})`, hotSpots(parsed, repo))}\n`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
const options = parseArgs(argv);
if (!existsSync(path.join(repo, 'dist/cli/main.js'))) fail('dist/ is missing: run `npm run build` first (npm run bench does)');
if (options.profile !== undefined) {
  profile(options, options.profile);
} else {
  if (process.env[ISOLATED_ENV] === undefined) prepare(options, argv);
  measure(options);
}
