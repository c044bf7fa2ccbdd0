/**
 * Printing rules: Tor's descriptor format (`policy_write_item(..., format_for_desc=1)` and
 * `router_dump_exit_policy_to_string` in src/core/or/policies.c and router.c), which is what
 * `GETINFO exit-policy/full` prints, and the canonical item text exitkit writes into a torrc.
 */
import { formatAddress, networkAddress } from '../net/cidr.js';
import type { EffectivePolicy, PolicyRule } from '../types.js';
import { isRejectStar } from './effective.js';

function formatPorts(rule: PolicyRule): string {
  if (rule.portMin <= 1 && rule.portMax === 65535) return '*';
  if (rule.portMin === rule.portMax) return String(rule.portMin);
  return `${rule.portMin}-${rule.portMax}`;
}

/**
 * One rule in descriptor format: `accept`/`reject` for IPv4, `accept6`/`reject6` for IPv6;
 * `*` for a /0 of either family; IPv6 in brackets, lowercase and compressed; no `/32` or
 * `/128`; host bits printed as stored; ports `*`, `N` or `N-M`.
 */
export function formatRule(rule: PolicyRule): string {
  const six = rule.family === 6;
  const full = six ? 128 : 32;
  const addr = rule.maskBits === 0 ? '*' : formatAddress(rule.family, rule.address, true);
  const mask = rule.maskBits > 0 && rule.maskBits < full ? `/${rule.maskBits}` : '';
  return `${rule.action}${six ? '6' : ''} ${addr}${mask}:${formatPorts(rule)}`;
}

/**
 * The lines of `GETINFO exit-policy/full` for a policy: one rule a line, or the single
 * line `reject *:*` when both families reject everything.
 */
export function formatTorPolicy(policy: EffectivePolicy | readonly PolicyRule[]): string[] {
  const rules = 'rules' in policy ? policy.rules : policy;
  const rejectStar = 'rules' in policy
    ? policy.rejectStar
    : isRejectStar(rules, 4) && isRejectStar(rules, 6);
  if (rejectStar) return ['reject *:*'];
  return rules.map(formatRule);
}

/**
 * Canonical torrc item for a rule exitkit inserts: `reject 192.0.2.0/24:*`,
 * `reject6 [2001:db8::]/32:80`, `reject *4:25`, `reject6 *:*`. Host bits are cleared, so
 * the text reads back (through `parsePolicyItem`) as exactly the rule's network.
 */
export function formatPolicyItem(rule: PolicyRule): string {
  const full = rule.family === 6 ? 128 : 32;
  const keyword = rule.family === 6 ? `${rule.action}6` : rule.action;
  let addr: string;
  if (rule.maskBits === 0) {
    addr = rule.family === 6 ? '*' : '*4';
  } else {
    const network = networkAddress(rule.family, rule.address, rule.maskBits);
    addr = formatAddress(rule.family, network, true) + (rule.maskBits < full ? `/${rule.maskBits}` : '');
  }
  return `${keyword} ${addr}:${formatPorts(rule)}`;
}
