/**
 * One exit-policy rule as Tor stores it (`addr_policy_t` after `private` and `*` expansion),
 * as an immutable value object with the predicates Tor's algorithms use.
 */
import {
  addressBits,
  lastAddress,
  maxAddress,
  networkAddress,
  parseIPv4,
  parseIPv6,
  prefixContains,
} from '../net/cidr.js';
import type { Family, PolicyAction, PolicyRule, RuleOrigin } from '../types.js';

/** The fields of a rule. */
export interface RuleFields {
  /** accept or reject. */
  action: PolicyAction;
  /** 4 or 6. */
  family: Family;
  /** Address as written (host bits kept). */
  address: bigint;
  /** Prefix length. */
  maskBits: number;
  /** Lowest port, 1..65535. */
  portMin: number;
  /** Highest port, portMin..65535. */
  portMax: number;
  /** Where the rule came from. */
  origin: RuleOrigin;
}

/** An immutable policy rule. */
export class Rule implements PolicyRule {
  readonly action: PolicyAction;
  readonly family: Family;
  readonly address: bigint;
  readonly maskBits: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly origin: RuleOrigin;

  private constructor(fields: RuleFields) {
    this.action = fields.action;
    this.family = fields.family;
    this.address = fields.address;
    this.maskBits = fields.maskBits;
    this.portMin = fields.portMin;
    this.portMax = fields.portMax;
    this.origin = fields.origin;
    Object.freeze(this);
  }

  /** Makes a rule, checking every field's range (a programming error throws RangeError). */
  static create(fields: RuleFields): Rule {
    const bits = addressBits(fields.family);
    if (fields.family !== 4 && fields.family !== 6) throw new RangeError(`family ${String(fields.family)}`);
    if (fields.address < 0n || fields.address > maxAddress(fields.family)) {
      throw new RangeError(`address out of range for IPv${fields.family}`);
    }
    if (!Number.isInteger(fields.maskBits) || fields.maskBits < 0 || fields.maskBits > bits) {
      throw new RangeError(`mask /${fields.maskBits} out of range for IPv${fields.family}`);
    }
    if (
      !Number.isInteger(fields.portMin) || !Number.isInteger(fields.portMax) ||
      fields.portMin < 1 || fields.portMax > 65535 || fields.portMin > fields.portMax
    ) {
      throw new RangeError(`port range ${fields.portMin}-${fields.portMax}`);
    }
    return new Rule(fields);
  }

  /** Copies any PolicyRule-shaped object into a Rule. */
  static from(rule: PolicyRule): Rule {
    return rule instanceof Rule ? rule : Rule.create(rule);
  }

  /** A copy with other fields replaced. */
  with(changes: Partial<RuleFields>): Rule {
    return Rule.create({ ...this.fields(), ...changes });
  }

  /** The plain fields. */
  fields(): RuleFields {
    return {
      action: this.action,
      family: this.family,
      address: this.address,
      maskBits: this.maskBits,
      portMin: this.portMin,
      portMax: this.portMax,
      origin: this.origin,
    };
  }

  /** Mask 0: matches every address of its family. */
  isAddressWildcard(): boolean {
    return this.maskBits === 0;
  }

  /** Ports 1-65535. */
  isPortWildcard(): boolean {
    return isPortWildcard(this);
  }

  /** Mask 0 and all ports: every later rule of this family is unreachable. */
  isCatchAll(): boolean {
    return isCatchAll(this);
  }

  /** A single address (/32 or /128). */
  isHost(): boolean {
    return this.maskBits === addressBits(this.family);
  }

  /** Exactly one of the twelve networks of Tor's `private` keyword (same address and mask). */
  isPrivateNet(): boolean {
    return isPrivateNet(this);
  }

  /** The first address the rule matches. */
  network(): bigint {
    return networkAddress(this.family, this.address, this.maskBits);
  }

  /** The last address the rule matches. */
  last(): bigint {
    return lastAddress(this.family, this.address, this.maskBits);
  }

  /** True when the rule matches a known address and port (first-match semantics). */
  matches(family: Family, address: bigint, port: number): boolean {
    return ruleMatches(this, family, address, port);
  }

  /** Tor's `addr_policy_covers(this, other)`: this matches everything `other` matches. */
  covers(other: PolicyRule): boolean {
    return ruleCovers(this, other);
  }

  /** Tor's `addr_policy_intersects`: some address and port match both. */
  intersects(other: PolicyRule): boolean {
    return rulesIntersect(this, other);
  }
}

/** Ports 1-65535. */
export function isPortWildcard(rule: PolicyRule): boolean {
  return rule.portMin <= 1 && rule.portMax >= 65535;
}

/** Mask 0 and all ports. */
export function isCatchAll(rule: PolicyRule): boolean {
  return rule.maskBits === 0 && isPortWildcard(rule);
}

/** True when `rule` matches a known address and port. */
export function ruleMatches(rule: PolicyRule, family: Family, address: bigint, port: number): boolean {
  return (
    rule.family === family &&
    port >= rule.portMin &&
    port <= rule.portMax &&
    prefixContains(family, rule.address, rule.maskBits, address)
  );
}

/** Tor's `addr_policy_covers(a, b)`, regardless of action. */
export function ruleCovers(a: PolicyRule, b: PolicyRule): boolean {
  return (
    a.family === b.family &&
    a.maskBits <= b.maskBits &&
    prefixContains(a.family, a.address, a.maskBits, b.address) &&
    a.portMin <= b.portMin &&
    a.portMax >= b.portMax
  );
}

/** Tor's `addr_policy_intersects(a, b)`. */
export function rulesIntersect(a: PolicyRule, b: PolicyRule): boolean {
  if (a.family !== b.family) return false;
  const bits = Math.min(a.maskBits, b.maskBits);
  if (!prefixContains(a.family, a.address, bits, b.address)) return false;
  return !(a.portMax < b.portMin || b.portMax < a.portMin);
}

/**
 * The twelve networks `private` expands to, in Tor's order (`private_nets[]` in
 * src/core/or/policies.c). Not included: 100.64.0.0/10, multicast, documentation ranges.
 */
export const PRIVATE_NETS: ReadonlyArray<{ family: Family; address: bigint; maskBits: number; text: string }> = [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['127.0.0.0', 8],
  ['192.168.0.0', 16],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['::', 8],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['::', 127],
].map(([text, maskBits]) => {
  const t = text as string;
  const v4 = parseIPv4(t);
  const family: Family = v4 === undefined ? 6 : 4;
  const address = v4 ?? (parseIPv6(t) as bigint);
  return Object.freeze({
    family,
    address,
    maskBits: maskBits as number,
    text: family === 4 ? `${t}/${String(maskBits)}` : `[${t}]/${String(maskBits)}`,
  });
});

/** Exactly one of the private networks (Tor compares address and mask exactly). */
export function isPrivateNet(rule: PolicyRule): boolean {
  return PRIVATE_NETS.some(
    (p) => p.family === rule.family && p.address === rule.address && p.maskBits === rule.maskBits,
  );
}
