/**
 * `exitkit policy`, `check` and `lint`: read-only views of the relay's effective exit policy.
 */
import { isAbsolute, relative } from 'node:path';
import { formatError, formatLocation, type ExitkitError } from '../../errors.js';
import { describeOrigin, lintPolicy } from '../../policy/lint.js';
import { formatRule } from '../../policy/format.js';
import { evaluatePolicy, parseProbeAddress, portVerdicts } from '../../policy/evaluate.js';
import { loadRelayPolicy, type RelayPolicyResult } from '../../relay/policy.js';
import type { EffectivePolicy, PolicyRule } from '../../types.js';
import { resolveConfigOptions } from '../config-options.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { CommandContext, ConfigOptions } from '../main.js';
import { UsageError } from '../usage-error.js';

async function loadFor(options: ConfigOptions, io: CliIO): Promise<RelayPolicyResult> {
  const resolved = resolveConfigOptions(options, io);
  return loadRelayPolicy({
    torrc: resolved.torrc,
    defaultsTorrc: resolved.defaultsTorrc,
    cwd: resolved.cwd,
    ownAddresses: resolved.ownAddresses,
  });
}

/** Prints errors (and warnings when asked) and says whether the configuration is usable. */
function reportDiagnostics(result: RelayPolicyResult, io: CliIO, showWarnings: boolean): boolean {
  for (const diagnostic of result.diagnostics) {
    if (diagnostic.severity === 'error' || showWarnings) io.stderr(`${formatError(diagnostic)}\n`);
  }
  return result.valid && result.policy !== undefined;
}

/** Where a rule comes from: `file:line` for torrc items (with the item when Tor rewrote it), else the feature. */
function originText(rule: PolicyRule, cwd: string): string {
  const origin = rule.origin;
  if (origin.kind !== 'config') return describeOrigin(origin);
  const where = formatLocation({ ...origin.location, file: displayPath(origin.location.file, cwd) });
  return formatRule(rule) === origin.item ? where : `${where}  (written as '${origin.item}')`;
}

/** A path relative to the working directory when it lies inside it, else absolute. */
function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function ruleJson(rule: PolicyRule): Record<string, unknown> {
  const origin = rule.origin;
  return {
    rule: formatRule(rule),
    action: rule.action,
    family: rule.family,
    portMin: rule.portMin,
    portMax: rule.portMax,
    origin: {
      kind: origin.kind,
      ...('location' in origin && origin.location ? { file: origin.location.file, line: origin.location.line } : {}),
      ...(origin.kind === 'config' ? { item: origin.item } : {}),
      description: describeOrigin(origin),
    },
  };
}

function diagnosticJson(error: ExitkitError): Record<string, unknown> {
  return {
    severity: error.severity,
    code: error.code,
    message: error.message,
    ...(error.location ? { file: error.location.file, line: error.location.line } : {}),
    ...(error.hint ? { hint: error.hint } : {}),
  };
}

function headline(policy: EffectivePolicy): string {
  if (policy.notExit === 'exit-relay-0') return 'Not an exit: ExitRelay is 0, so every exit connection is refused.';
  if (policy.notExit === 'bridge') return 'Not an exit: BridgeRelay is 1, so every exit connection is refused.';
  if (policy.notExit === 'not-configured') {
    return 'Not an exit: ExitRelay is auto and no ExitPolicy, ReducedExitPolicy or IPv6Exit is set.';
  }
  if (policy.rejectStar) return 'The policy rejects every destination: the relay exits nowhere.';
  return policy.ipv6Exit
    ? 'Exit relay for IPv4 and IPv6 (first matching rule wins):'
    : 'Exit relay for IPv4 only (IPv6Exit is 0; first matching rule wins):';
}

/** `exitkit policy`: the effective policy with provenance. */
export async function policyCommand(context: CommandContext<ConfigOptions & { format: 'text' | 'tor' | 'json' }>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const result = await loadFor(options, io);
  if (options.format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          valid: result.valid,
          exit: result.policy ? result.policy.notExit === undefined && !result.policy.rejectStar : false,
          notExit: result.policy?.notExit ?? null,
          ipv6Exit: result.policy?.ipv6Exit ?? null,
          rules: result.policy?.rules.map(ruleJson) ?? [],
          removed:
            result.policy?.removed.map((removed) => ({
              ...ruleJson(removed.rule),
              reason: removed.reason,
              by: formatRule(removed.by),
            })) ?? [],
          tor: result.torLines ?? null,
          diagnostics: result.diagnostics.map(diagnosticJson),
        },
        null,
        2,
      )}\n`,
    );
    return result.valid ? ExitCode.OK : ExitCode.INVALID_CONFIG;
  }
  if (!reportDiagnostics(result, io, false) || !result.policy || !result.torLines) return ExitCode.INVALID_CONFIG;
  if (options.format === 'tor') {
    io.stdout(result.torLines.map((line) => `${line}\n`).join(''));
    return ExitCode.OK;
  }
  const policy = result.policy;
  const width = Math.max(...policy.rules.map((rule) => formatRule(rule).length), 10);
  const lines = [headline(policy)];
  for (const rule of policy.rules) lines.push(`  ${formatRule(rule).padEnd(width)}  ${originText(rule, io.cwd)}`);
  const deadWritten = policy.removed.filter((removed) => removed.rule.origin.kind === 'config').length;
  if (deadWritten > 0) {
    lines.push(
      '',
      `${deadWritten} rule${deadWritten === 1 ? '' : 's'} written in the configuration ` +
        `${deadWritten === 1 ? 'is' : 'are'} deleted by Tor because ${deadWritten === 1 ? 'it' : 'they'} can never decide anything; ` +
        'run `exitkit lint` to see which and why.',
    );
  }
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}

/** A destination typed on the command line: an address and, optionally, a port. */
export interface Destination {
  /** The text as typed. */
  input: string;
  /** The address, without brackets. */
  address: string;
  /** The port, or undefined for "every port". */
  port: number | undefined;
}

/** Parses `ADDR`, `ADDR:PORT`, `[V6]` or `[V6]:PORT`. A bare IPv6 address has no port. */
export function parseDestination(input: string): Destination {
  const text = input.trim();
  let address = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    address = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const colon = text.indexOf(':');
    address = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  try {
    parseProbeAddress(address);
  } catch (error) {
    throw new UsageError('USAGE_BAD_ADDRESS', `'${address}' in '${input}' is not an IP address`, {
      input,
      pos: [input.indexOf(address), input.indexOf(address) + address.length],
      hint: 'write ADDR:PORT, [IPv6]:PORT, or the address alone for every port, e.g. 203.0.113.7:443',
      cause: error,
    });
  }
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^[1-9][0-9]{0,4}$/.test(portText) || Number(portText) > 65535) {
      throw new UsageError('USAGE_BAD_PORT', `'${portText}' in '${input}' is not a port`, {
        input,
        pos: [input.length - portText.length, input.length],
        hint: 'a port is a whole number from 1 to 65535; leave it out to see every port',
      });
    }
    port = Number(portText);
  }
  return { input, address, port };
}

function rangesText(ranges: Array<{ portMin: number; portMax: number }>): string {
  return ranges.map((range) => (range.portMin === range.portMax ? `${range.portMin}` : `${range.portMin}-${range.portMax}`)).join(', ');
}

function decidedBy(rule: PolicyRule | undefined, cwd: string): string {
  return rule ? `${formatRule(rule)}  (${originText(rule, cwd)})` : "no rule matched: Tor's fallback accepts";
}

/** `exitkit check`: the verdict for each destination and the rule that decides it. */
export async function checkCommand(context: CommandContext<ConfigOptions & { json?: boolean }>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const destinations = context.args.map(parseDestination);
  const result = await loadFor(options, io);
  if (!reportDiagnostics(result, io, false) || !result.policy) return ExitCode.INVALID_CONFIG;
  const policy = result.policy;
  const report = destinations.map((destination) => {
    if (destination.port !== undefined) {
      const verdict = evaluatePolicy(policy, destination.address, destination.port);
      return { destination, verdict: verdict.verdict, rule: verdict.rule, ports: undefined };
    }
    return { destination, verdict: undefined, rule: undefined, ports: portVerdicts(policy, destination.address) };
  });
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        report.map((entry) => ({
          destination: entry.destination.input,
          address: entry.destination.address,
          port: entry.destination.port ?? null,
          ...(entry.ports
            ? {
                ports: entry.ports.map((range) => ({
                  portMin: range.portMin,
                  portMax: range.portMax,
                  verdict: range.verdict,
                  rule: range.rule ? ruleJson(range.rule) : null,
                })),
              }
            : { verdict: entry.verdict, rule: entry.rule ? ruleJson(entry.rule) : null }),
        })),
        null,
        2,
      )}\n`,
    );
    return ExitCode.OK;
  }
  const lines: string[] = [];
  for (const entry of report) {
    if (entry.ports) {
      const accepted = entry.ports.filter((range) => range.verdict === 'accept');
      lines.push(
        accepted.length === 0
          ? `${entry.destination.input}: reject on every port`
          : `${entry.destination.input}: accept on ports ${rangesText(accepted)}; reject on all others`,
      );
      for (const range of entry.ports) {
        lines.push(`  ${rangesText([range]).padEnd(11)} ${range.verdict}  ${decidedBy(range.rule, io.cwd)}`);
      }
    } else {
      lines.push(`${entry.destination.input}: ${entry.verdict}  ${decidedBy(entry.rule, io.cwd)}`);
    }
  }
  io.stdout(`${lines.join('\n')}\n`);
  return ExitCode.OK;
}

/** `exitkit lint`: every warning, dead rule and mis-read item, at its file:line. */
export async function lintCommand(context: CommandContext<ConfigOptions & { json?: boolean }>): Promise<ExitCodeValue> {
  const { io, options } = context;
  const result = await loadFor(options, io);
  const findings = [...result.diagnostics.filter((d) => d.severity === 'warning')];
  if (result.inputs) {
    const seen = new Set(findings.map((finding) => `${finding.code} ${finding.location ? formatLocation(finding.location) : ''} ${finding.message}`));
    for (const finding of lintPolicy(result.inputs)) {
      const key = `${finding.code} ${finding.location ? formatLocation(finding.location) : ''} ${finding.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        findings.push(finding);
      }
    }
  }
  // In reading order: by file as tor reads them, then by line (a stable sort keeps the
  // order of several findings on one line).
  const fileOrder = new Map(result.config.files.map((loaded, index) => [loaded.path, index] as const));
  const position = (finding: ExitkitError): [number, number] =>
    finding.location ? [fileOrder.get(finding.location.file) ?? fileOrder.size, finding.location.line] : [-1, 0];
  findings.sort((a, b) => {
    const [fa, la] = position(a);
    const [fb, lb] = position(b);
    return fa - fb || la - lb;
  });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (options.json) {
    io.stdout(`${JSON.stringify({ valid: result.valid, errors: errors.map(diagnosticJson), warnings: findings.map(diagnosticJson) }, null, 2)}\n`);
  } else {
    for (const error of [...errors, ...findings]) io.stdout(`${formatError(error)}\n`);
    if (errors.length === 0 && findings.length === 0) io.stdout('No problems found: Tor reads every exit policy line as written.\n');
  }
  if (errors.length > 0) return ExitCode.INVALID_CONFIG;
  return findings.length > 0 ? ExitCode.CHECK_FAILED : ExitCode.OK;
}
