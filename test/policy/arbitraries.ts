/**
 * fast-check generators of policies and probes that overlap a lot (few distinct networks
 * and port boundaries), so that nesting, shadowing and redundancy actually occur.
 */
import fc from 'fast-check';
import { lastAddress, networkAddress } from '../../src/net/cidr.js';
import { Rule } from '../../src/policy/rule.js';
import type { Family, PolicyRule } from '../../src/types.js';

const ORIGIN = { kind: 'default-policy' } as const;
const PORTS = [1, 2, 21, 22, 23, 25, 79, 80, 81, 443, 444, 1024, 6667, 65534, 65535];
const BASES4 = [0x00000000n, 0x01020304n, 0x01020000n, 0x0a000000n, 0xc6336400n, 0xc6336480n, 0xffffffffn];
const BASES6 = [0n, 0x20010db8n << 96n, (0x20010db8n << 96n) | 1n, 0xfe80n << 112n, 0xffffn << 32n];

/** One rule over a small pool of networks and ports. */
export function ruleArb(families: readonly Family[] = [4, 4, 4, 6]): fc.Arbitrary<Rule> {
  return fc
    .record({
      family: fc.constantFrom(...families),
      base: fc.nat(),
      maskPick: fc.nat(),
      portA: fc.constantFrom(...PORTS),
      portB: fc.constantFrom(...PORTS),
      allPorts: fc.boolean(),
      accept: fc.boolean(),
      noise: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    })
    .map(({ family, base, maskPick, portA, portB, allPorts, accept, noise }) => {
      const bases = family === 4 ? BASES4 : BASES6;
      const full = family === 4 ? 32 : 128;
      const masks = family === 4 ? [0, 1, 8, 16, 24, 25, 31, 32] : [0, 8, 32, 64, 96, 127, 128];
      const maskBits = masks[maskPick % masks.length] as number;
      // Host bits are kept by Tor; sometimes keep some.
      const hostNoise = base % 3 === 0 ? noise & ((1n << BigInt(full - maskBits)) - 1n) : 0n;
      const address = ((bases[base % bases.length] as bigint) | hostNoise) & ((1n << BigInt(full)) - 1n);
      const [lo, hi] = portA <= portB ? [portA, portB] : [portB, portA];
      return Rule.create({
        action: accept ? 'accept' : 'reject',
        family,
        address,
        maskBits,
        portMin: allPorts ? 1 : lo,
        portMax: allPorts ? 65535 : hi,
        origin: ORIGIN,
      });
    });
}

/** A policy of up to `max` rules. */
export function policyArb(max = 25, families?: readonly Family[]): fc.Arbitrary<Rule[]> {
  return fc.array(ruleArb(families), { maxLength: max });
}

/** A probe: family, address, port. */
export interface Probe {
  family: Family;
  address: bigint;
  port: number;
}

/** Probes at every boundary of every rule (±1), plus random ones. */
export function boundaryProbes(rules: readonly PolicyRule[], random: readonly Probe[] = []): Probe[] {
  const probes: Probe[] = [...random];
  for (const r of rules) {
    const max = r.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    const lo = networkAddress(r.family, r.address, r.maskBits);
    const hi = lastAddress(r.family, r.address, r.maskBits);
    const addrs = [lo, hi, lo - 1n, hi + 1n].filter((a) => a >= 0n && a <= max);
    const ports = [r.portMin, r.portMax, r.portMin - 1, r.portMax + 1].filter((p) => p >= 1 && p <= 65535);
    for (const address of addrs) for (const port of ports) probes.push({ family: r.family, address, port });
  }
  return probes;
}

/** Random probes near the pools above. */
export const probeArb: fc.Arbitrary<Probe> = fc
  .record({
    family: fc.constantFrom<Family>(4, 4, 6),
    base: fc.nat(),
    low: fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }),
    port: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 1, max: 65535 })),
  })
  .map(({ family, base, low, port }) => {
    const bases = family === 4 ? BASES4 : BASES6;
    const max = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    const span = family === 4 ? 1n << 24n : 1n << 40n;
    return { family, address: ((bases[base % bases.length] as bigint) ^ (low % span)) & max, port };
  });
