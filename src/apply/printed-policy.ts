/**
 * First-match verdicts from the policy lines a running tor prints for
 * `GETINFO exit-policy/full` (tor's "descriptor format", `policy_write_item`). This is the
 * only form apply reads back from tor, so it is parsed strictly: a line that does not fit
 * the grammar is an error, never skipped.
 *
 *   line   = action SP addr ":" ports
 *   action = "accept" | "reject"          ; IPv4 rules ("*" means every IPv4 address)
 *          | "accept6" | "reject6"        ; IPv6 rules ("*" means every IPv6 address)
 *   addr   = "*" | IPV4 ["/" BITS] | "[" IPV6 "]" ["/" BITS]   ; host bits are kept as written
 *   ports  = "*" | PORT | PORT "-" PORT
 *
 * When both families reject everything tor prints the single line `reject *:*`, which then
 * covers IPv6 too.
 */
import { parseIPv4, parseIPv6, parseIpLiteral, prefixContains } from '../net/cidr.js';
import type { Family, PolicyAction } from '../types.js';
import { ApplyError } from './errors.js';

/** One printed rule. */
export interface PrintedRule {
  /** accept or reject. */
  action: PolicyAction;
  /** 4 for accept/reject lines, 6 for accept6/reject6. */
  family: Family;
  /** Address as written (0 for `*`). */
  address: bigint;
  /** Prefix length (0 for `*`). */
  bits: number;
  /** Lowest port. */
  portMin: number;
  /** Highest port. */
  portMax: number;
}

const LINE = /^(accept|reject)(6?) (\*|\[[0-9A-Fa-f:.]+\]|[0-9.]+)(?:\/(\d{1,3}))?:(\*|\d{1,5}(?:-\d{1,5})?)$/;

/** Parses tor's printed policy lines. */
export function parsePrintedPolicy(lines: readonly string[]): PrintedRule[] {
  const wholeReject = lines.length === 1 && lines[0]?.trim() === 'reject *:*';
  const rules: PrintedRule[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) throw unreadable(line);
    const [, action, six, addr, bitsText, ports] = m as unknown as [string, PolicyAction, string, string, string | undefined, string];
    const family: Family = six === '6' ? 6 : 4;
    let address = 0n;
    let bits = 0;
    if (addr !== '*') {
      const parsed = family === 6 ? parseBracketed(addr) : parseIPv4(addr);
      if (parsed === undefined) throw unreadable(line);
      address = parsed;
      bits = bitsText === undefined ? (family === 6 ? 128 : 32) : Number(bitsText);
      if (bits > (family === 6 ? 128 : 32)) throw unreadable(line);
    } else if (bitsText !== undefined) {
      throw unreadable(line);
    }
    const [portMin, portMax] = parsePorts(ports, line);
    rules.push({ action, family, address, bits, portMin, portMax });
  }
  if (wholeReject) rules.push({ action: 'reject', family: 6, address: 0n, bits: 0, portMin: 1, portMax: 65535 });
  return rules;
}

/**
 * The verdict of tor's printed policy for `address:port`: the first rule of the address's
 * family that matches it decides; tor accepts what no rule matches.
 */
export function evaluatePrintedPolicy(lines: readonly string[], address: string, port: number): PolicyAction {
  const probe = parseIpLiteral(address);
  if (probe === undefined) {
    throw new ApplyError('APPLY_PLAN_INVALID', `probe address ${JSON.stringify(address)} is not an IP address`, {
      input: address,
      hint: 'plan probes must be plain IPv4 or IPv6 addresses',
    });
  }
  for (const rule of parsePrintedPolicy(lines)) {
    if (rule.family !== probe.family) continue;
    if (port < rule.portMin || port > rule.portMax) continue;
    if (rule.bits === 0 || prefixContains(rule.family, rule.address, rule.bits, probe.address)) return rule.action;
  }
  return 'accept';
}

function parseBracketed(text: string): bigint | undefined {
  return text.startsWith('[') && text.endsWith(']') ? parseIPv6(text.slice(1, -1)) : undefined;
}

function parsePorts(text: string, line: string): [number, number] {
  if (text === '*') return [1, 65535];
  const [low, high = low] = text.split('-').map(Number) as [number, number?];
  if (!(low >= 1 && high >= low && high <= 65535)) throw unreadable(line);
  return [low, high];
}

function unreadable(line: string): ApplyError {
  return new ApplyError('APPLY_CONFIG_UNREADABLE', `tor printed a policy line exitkit cannot read: ${JSON.stringify(line)}`, {
    input: line,
    hint: 'this tor prints its policy differently from tor 0.4.9; the change could not be confirmed',
  });
}
