import { describe, expect, test } from 'vitest';
import { mergePortRanges } from '../../src/net/merge.js';
import { listBlocks } from '../../src/remedy/markers.js';
import { planReducePorts, reducedPolicyPorts } from '../../src/remedy/reduce-ports.js';
import { source } from '../helpers/source.js';
import { applied, contextOf, DEFAULTS, load, planned, verdict, type Tree } from './helpers.js';

function reduce(tree: Tree, request: Parameters<typeof planReducePorts>[1]) {
  return planReducePorts(contextOf(tree), request);
}

const OPEN: Tree = {
  torrc: source`
    ExitRelay 1
    # A complaint from 2024.
    ExitPolicy reject 203.0.113.0/24:*
    ExitPolicy accept *:22, accept *:80, reject 198.51.100.0/24:*, accept *:443, accept *:8080
    ExitPolicy reject *:*
  `,
};

describe('remedy/reduce-ports', () => {
  describe('#reducedPolicyPorts', () => {
    test("lists Tor 0.4.9.11's reduced ports, Monero ports included", () => {
      const ports = reducedPolicyPorts();
      expect(ports).toContainEqual([18080, 18081]);
      expect(ports).toContainEqual([464, 465]);
      expect(ports).toContainEqual([18089, 18089]);
      expect(ports.reduce((n, [a, b]) => n + b - a + 1, 0)).toBe(104);
    });
  });

  describe('#planReducePorts', () => {
    test('keeps every reject in force where it is and writes the accept list before a final reject', () => {
      const result = reduce(OPEN, { ports: '80,443' });
      expect(planned(result)).toBe(source`
        ExitRelay 1
        # A complaint from 2024.
        ExitPolicy reject 203.0.113.0/24:*
        ExitPolicy accept *:80, reject 198.51.100.0/24:*
        # exitkit reduce-ports 2025-01-31 UTC: exit only to ports 80 and 443
        ExitPolicy accept *:80
        ExitPolicy accept *:443
        ExitPolicy reject *:*
        # exitkit end reduce-ports
      `);
    });

    test('rejects every other port and changes nothing on the listed ones', () => {
      const result = reduce(OPEN, { ports: '80,443' });
      const before = load(OPEN);
      const after = applied(OPEN, result);
      for (const [address, port] of [['8.8.8.8', 80], ['8.8.8.8', 443], ['203.0.113.5', 443], ['198.51.100.5', 80], ['198.51.100.5', 443], ['10.0.0.1', 80]] as const) {
        expect(verdict(after, address, port)).toBe(verdict(before, address, port));
      }
      expect([verdict(before, '8.8.8.8', 22), verdict(after, '8.8.8.8', 22)]).toEqual(['accept', 'reject']);
      expect([verdict(before, '8.8.8.8', 8080), verdict(after, '8.8.8.8', 8080)]).toEqual(['accept', 'reject']);
      expect(result.semanticChange.changes.every((c) => c.before === 'accept' && c.after === 'reject')).toBe(true);
      expect(mergePortRanges(result.semanticChange.changes.flatMap((c) => c.ports))).toEqual([[22, 22], [8080, 8080]]);
    });

    test('never opens a port the policy rejects today (Tor\'s default rejects 25)', () => {
      const tree = { torrc: 'ExitRelay 1\n' };
      const result = reduce(tree, { ports: '22,25,80,443' });
      const after = applied(tree, result);
      expect(verdict(after, '8.8.8.8', 25)).toBe('reject');
      expect(verdict(after, '8.8.8.8', 22)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 8080)).toBe('reject');
      expect(result.notes.join(' ')).toMatch(/Port 25 stays closed/);
      expect(planned(result)).toContain('ExitRelay 1\n# exitkit reduce-ports 2025-01-31 UTC: exit only to ports 22, 80 and 443\n');
    });

    test("writes Tor's reduced list out instead of setting ReducedExitPolicy, and says why", () => {
      const tree = { torrc: 'ExitRelay 1\n' };
      const result = reduce(tree, { torReduced: true });
      const after = applied(tree, result);
      expect(after.inputs.reducedExitPolicy.value).toBe(false);
      expect(result.needsRestart).toBe(false);
      expect(verdict(after, '8.8.8.8', 443)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 18081)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 6667)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 3000)).toBe('reject');
      // 563 is in the reduced list but Tor's default policy rejects it today.
      expect(verdict(after, '8.8.8.8', 563)).toBe('reject');
      expect(result.notes.join(' ')).toMatch(/does not apply a change of ReducedExitPolicy on reload/);
    });

    test('keeps family catch-alls and drops full ones', () => {
      const tree = { torrc: 'IPv6Exit 1\nExitPolicy reject6 *:*\nExitPolicy accept *:*\n' };
      const result = reduce(tree, { ports: '443' });
      expect(planned(result)).toContain('ExitPolicy reject6 *:*\n# exitkit reduce-ports');
      expect(verdict(applied(tree, result), '2001:db8::1', 443)).toBe('reject');
      expect(verdict(applied(tree, result), '8.8.8.8', 443)).toBe('accept');
    });

    test('removes rejects Tor deletes today instead of bringing them to life', () => {
      const tree = { torrc: 'ExitPolicy accept *:*, reject 192.0.2.1:*\n' };
      const result = reduce(tree, { ports: '443' });
      expect(verdict(applied(tree, result), '192.0.2.1', 443)).toBe('accept');
      expect(result.notes.join(' ')).toContain("'reject 192.0.2.1:*'");
    });

    test('gives each family its own accept list when they differ', () => {
      const tree = { torrc: 'IPv6Exit 1\nExitPolicy accept *:443, accept6 *:8443, accept *:80, reject *:*\n' };
      const result = reduce(tree, { ports: '443,8443' });
      expect(planned(result)).toContain('ExitPolicy accept *4:443\nExitPolicy accept6 *:443\nExitPolicy accept6 *:8443\nExitPolicy reject *:*\n');
      const after = applied(tree, result);
      expect(verdict(after, '8.8.8.8', 8443)).toBe('reject');
      expect(verdict(after, '2001:db8::1', 8443)).toBe('accept');
      expect(verdict(after, '2001:db8::1', 80)).toBe('reject');
    });

    test('plans no change when the policy already exits only to the listed ports, per family', () => {
      const result = reduce({ torrc: 'IPv6Exit 1\nExitPolicy accept *:443, accept6 *:8443, reject *:*\n' }, { ports: '443,8443' });
      expect(result.changes).toEqual([]);
    });

    test('keeps an accept that makes an exception ahead of a reject, limited to the listed ports', () => {
      const tree = { torrc: 'ExitPolicy accept 192.0.2.1:*, reject 192.0.2.0/24:*, accept *:*\n' };
      const result = reduce(tree, { ports: '443' });
      expect(planned(result)).toContain('ExitPolicy accept 192.0.2.1:443, reject 192.0.2.0/24:*\n');
      const after = applied(tree, result);
      expect(verdict(after, '192.0.2.1', 443)).toBe('accept');
      expect(verdict(after, '192.0.2.1', 80)).toBe('reject');
      expect(verdict(after, '192.0.2.2', 443)).toBe('reject');
    });

    test('repeats the defaults file\'s rejects after clearing its list', () => {
      const tree: Tree = { defaults: 'ExitPolicy reject 203.0.113.0/24:*\nExitPolicy accept *:*\n', torrc: 'Nickname Relay\nExitRelay 1\n' };
      const result = reduce(tree, { ports: '443' });
      expect(result.changes.map((c) => c.path)).not.toContain(DEFAULTS);
      expect(planned(result)).toContain('/ExitPolicy\nExitPolicy reject 203.0.113.0/24:*\n# exitkit reduce-ports');
      const after = applied(tree, result);
      expect(verdict(after, '203.0.113.1', 443)).toBe('reject');
      expect(verdict(after, '8.8.8.8', 443)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 80)).toBe('reject');
    });

    test('writes the accept list after a marked block, never inside it', () => {
      const tree = { torrc: 'ExitRelay 1\n# exitkit block T-1 2025-01-02 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\n' };
      const result = reduce(tree, { ports: '443' });
      expect(planned(result)).toContain('# exitkit end T-1\n# exitkit reduce-ports 2025-01-31 UTC: exit only to port 443\nExitPolicy accept *:443\n');
      expect(listBlocks(applied(tree, result))[0]?.problems).toEqual([]);
      expect(verdict(applied(tree, result), '203.0.113.1', 443)).toBe('reject');
    });

    test('notes that ReducedExitPolicy 1 decides nothing after the final catch-all', () => {
      const tree = { torrc: 'ReducedExitPolicy 1\nExitPolicy accept *:443\n' };
      const result = reduce(tree, { ports: '443' });
      expect(result.notes.join(' ')).toMatch(/ReducedExitPolicy 1 \(\/etc\/tor\/torrc:1\) is left as it is/);
    });

    test.each([
      ['the relay is not an exit', { torrc: 'ExitRelay 0\nExitPolicy accept *:*\n' }, '80'],
      ['the policy already accepts only those ports', { torrc: 'ExitPolicy accept *:80, reject *:*\n' }, '80,443'],
    ])('plans no change when %s', (_name, tree, ports) => {
      const result = reduce(tree, { ports });
      expect(result.changes).toEqual([]);
      expect(result.alreadyInForce).toBeDefined();
    });

    test('refuses what it cannot write without opening a port (an accept of a port the default policy rejects)', () => {
      const tree = { torrc: 'ExitPolicy accept 192.0.2.1:25\n' };
      expect(() => reduce(tree, { ports: '25,443' })).toThrow(expect.objectContaining({ code: 'REMEDY_UNINTENDED_CHANGE' }));
    });

    test('refuses when no listed port is open today', () => {
      expect(() => reduce({ torrc: 'ExitPolicy accept *:80, reject *:*\n' }, { ports: '443' })).toThrow(expect.objectContaining({ code: 'REMEDY_NOT_POSSIBLE' }));
    });

    test.each([
      ['neither option', {}, 'REMEDY_BAD_REQUEST'],
      ['both options', { torReduced: true, ports: '80' }, 'REMEDY_BAD_REQUEST'],
      ['a bad port list', { ports: '80,,443' }, 'PORTS_EMPTY_ITEM'],
      ['a wildcard port list', { ports: '*' }, 'PORTS_WILDCARD'],
    ])('refuses %s', (_name, request, code) => {
      expect(() => reduce(OPEN, request)).toThrow(expect.objectContaining({ code }));
    });
  });
});
