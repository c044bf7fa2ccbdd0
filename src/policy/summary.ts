/**
 * What clients and directory authorities make of a policy:
 * - the port summary (`policy_summarize` in src/core/or/policies.c), the "p" / "p6" line
 *   clients choose exits by;
 * - the Exit-flag test (`exit_policy_is_general_exit`).
 */
import { isInternal } from '../net/cidr.js';
import type { EffectivePolicy, Family, PolicyRule } from '../types.js';
import { isPrivateNet } from './rule.js';

/** MAX_EXITPOLICY_SUMMARY_LEN. */
const MAX_SUMMARY_LEN = 1000;
const UINT64_MAX = (1n << 64n) - 1n;
// A port is summarised as rejected once more than two IPv4 /8s, or more than one IPv6 /16
// (counted in /64s), reject it.
const CUTOFF: Record<Family, bigint> = { 4: 1n << 25n, 6: 1n << 48n };
const SCALE: Record<Family, number> = { 4: 0, 6: 64 };
const BITS: Record<Family, number> = { 4: 32, 6: 128 };

interface Item {
  min: number;
  max: number;
  rejectCount: bigint;
  accepted: boolean;
}

/**
 * Tor's port summary of a policy for one family: `accept LIST` or `reject LIST` (whichever
 * is shorter, accept on ties), `reject 1-65535` when nothing is accepted, `accept 1-65535`
 * when nothing is rejected. Accepts narrower than /0 and rejects of exactly a private
 * network are ignored.
 */
export function policySummary(policy: EffectivePolicy | readonly PolicyRule[], family: Family): string {
  const rules = 'rules' in policy ? policy.rules : policy;
  const items: Item[] = [{ min: 1, max: 65535, rejectCount: 0n, accepted: false }];

  const split = (min: number, max: number): number => {
    let i = 0;
    while ((items[i] as Item).max < min) i++;
    if ((items[i] as Item).min !== min) {
      const old = items[i] as Item;
      items.splice(i + 1, 0, { ...old, min });
      old.max = min - 1;
      i++;
    }
    const start = i;
    while ((items[i] as Item).max < max) i++;
    if ((items[i] as Item).max !== max) {
      const old = items[i] as Item;
      items.splice(i + 1, 0, { ...old, min: max + 1 });
      old.max = max;
    }
    return start;
  };

  for (const r of rules) {
    if (r.family !== family) continue;
    if (r.action === 'accept') {
      if (r.maskBits !== 0) continue;
      for (let i = split(r.portMin, r.portMax); i < items.length && (items[i] as Item).max <= r.portMax; i++) {
        const it = items[i] as Item;
        if (!it.accepted && it.rejectCount <= CUTOFF[family]) it.accepted = true;
      }
    } else {
      if (isPrivateNet(r)) continue;
      const i0 = split(r.portMin, r.portMax);
      if (r.maskBits > BITS[family] - SCALE[family]) continue;
      const exp = BITS[family] - SCALE[family] - r.maskBits;
      const count = exp >= 64 ? UINT64_MAX : 1n << BigInt(exp);
      for (let i = i0; i < items.length && (items[i] as Item).max <= r.portMax; i++) {
        const it = items[i] as Item;
        it.rejectCount = it.rejectCount <= UINT64_MAX - count ? it.rejectCount + count : UINT64_MAX;
      }
    }
  }

  const accepts: string[] = [];
  const rejects: string[] = [];
  let startPort = 1;
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as Item;
    const nextItem = items[i + 1];
    if (!nextItem || it.accepted !== nextItem.accepted) {
      const text = startPort === it.max ? String(startPort) : `${startPort}-${it.max}`;
      (it.accepted ? accepts : rejects).push(text);
      if (nextItem) startPort = nextItem.min;
    }
  }
  if (accepts.length === 0) return 'reject 1-65535';
  if (rejects.length === 0) return 'accept 1-65535';
  const acceptText = accepts.join(',');
  const rejectText = rejects.join(',');
  const limit = MAX_SUMMARY_LEN - 'accept'.length - 1;
  if (rejectText.length > limit && acceptText.length > limit) {
    // Cut the accept list at the last comma at or before the limit.
    const cut = acceptText.lastIndexOf(',', limit);
    return `accept ${acceptText.slice(0, cut)}`;
  }
  return rejectText.length < acceptText.length ? `reject ${rejectText}` : `accept ${acceptText}`;
}

/** Options of the Exit-flag test (the authority's own settings). */
export interface GeneralExitOptions {
  /** The authority's `DirAllowPrivateAddresses` (1 under `TestingTorNetwork 1`). */
  dirAllowPrivateAddresses?: boolean | undefined;
}

/**
 * Tor's `exit_policy_is_general_exit`: for both port 80 and port 443, some accept rule of
 * mask ≤ 8 reaches a public /8 that no earlier reject for that port has touched. Only IPv4
 * rules count. Authorities give the Exit flag only to such policies.
 */
export function isGeneralExit(
  policy: EffectivePolicy | readonly PolicyRule[],
  options: GeneralExitOptions = {},
): boolean {
  const rules = 'rules' in policy ? policy.rules : policy;
  return [80, 443].every((port) => allowsSomeSlash8(rules, port, options.dirAllowPrivateAddresses ?? false));
}

function allowsSomeSlash8(rules: readonly PolicyRule[], port: number, allowPrivate: boolean): boolean {
  const rejected = new Uint8Array(256);
  for (const r of rules) {
    if (r.family !== 4) continue;
    if (r.portMin > port || r.portMax < port) continue;
    const mask = r.maskBits === 0 ? 0 : (0xffffffff << (32 - r.maskBits)) >>> 0;
    const ip = Number(r.address) >>> 0;
    const first = ((mask & ip) >>> 0) >>> 24;
    const last = (~(((mask & ip) ^ mask) >>> 0) >>> 0) >>> 24;
    for (let i = first; i <= last; i++) {
      if (rejected[i]) continue;
      if (isInternal(4, BigInt(i) << 24n) && !allowPrivate) continue;
      if (r.action === 'accept') {
        if (r.maskBits > 8) continue;
        return true;
      }
      rejected[i] = 1;
    }
  }
  return false;
}
