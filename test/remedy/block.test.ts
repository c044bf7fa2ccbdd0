import { describe, expect, test } from 'vitest';
import { planBlock, planUnblock } from '../../src/remedy/block.js';
import { listBlocks } from '../../src/remedy/markers.js';
import { loadRelayPolicySync } from '../../src/relay/policy.js';
import { remedyContext } from '../../src/remedy/context.js';
import { memoryFs } from '../../src/torrc/index.js';
import { source } from '../helpers/source.js';
import { applied, contextOf, DEFAULTS, load, NOW, planned, TORRC, verdict, type Tree } from './helpers.js';

const WEB: Tree = {
  torrc: source`
    Nickname Relay
    ExitPolicy accept *:80
    ExitPolicy accept *:443
    ExitPolicy reject *:*
  `,
};

function block(tree: Tree, request: Parameters<typeof planBlock>[1]) {
  return planBlock(contextOf(tree), request);
}

describe('remedy/block', () => {
  describe('#planBlock', () => {
    test('puts a marked block right before the first ExitPolicy line Tor reads', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-1', reason: 'port scan' });
      expect(planned(result)).toBe(source`
        Nickname Relay
        # exitkit block T-1 2025-01-31 UTC: port scan
        ExitPolicy reject 203.0.113.0/24:*
        # exitkit end T-1
        ExitPolicy accept *:80
        ExitPolicy accept *:443
        ExitPolicy reject *:*
      `);
    });

    test('rejects the region in the recomputed policy and keeps every other verdict', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-1' });
      const before = load(WEB);
      const after = applied(WEB, result);
      expect([verdict(before, '203.0.113.7', 443), verdict(after, '203.0.113.7', 443)]).toEqual(['accept', 'reject']);
      expect(verdict(after, '203.0.113.0', 80)).toBe('reject');
      expect(verdict(after, '203.0.113.255', 80)).toBe('reject');
      expect(verdict(after, '203.0.112.255', 80)).toBe('accept');
      expect(verdict(after, '203.0.114.0', 443)).toBe('accept');
      expect(result.semanticChange.changes).toEqual([
        { family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]], before: 'accept', after: 'reject' },
      ]);
    });

    test('writes one item per line, each port range as its own item', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24'], ports: '443,80,6660-6669', caseId: 'T-2' });
      expect(planned(result)).toContain(source`
        ExitPolicy reject 203.0.113.0/24:80
        ExitPolicy reject 203.0.113.0/24:443
        ExitPolicy reject 203.0.113.0/24:6660-6669
      `);
      const after = applied(WEB, result);
      expect(verdict(after, '203.0.113.9', 443)).toBe('reject');
      expect(verdict(after, '203.0.113.9', 22)).toBe('reject');
      expect(result.semanticChange.changes).toHaveLength(1);
      expect(result.semanticChange.changes[0]?.ports).toEqual([[80, 80], [443, 443]]);
    });

    test('merges overlapping and adjacent ranges before writing them', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/25', '203.0.113.128/25', '203.0.113.5'], caseId: 'T-3' });
      const lines = (planned(result) ?? '').split('\n').filter((l) => l.startsWith('ExitPolicy reject 203'));
      expect(lines).toEqual(['ExitPolicy reject 203.0.113.0/24:*']);
    });

    test('writes IPv6 ranges as reject6 with brackets when IPv6Exit is 1', () => {
      const tree = { torrc: 'IPv6Exit 1\nExitPolicy accept *:*\n' };
      const result = block(tree, { cidrs: ['2001:db8::/32', '198.51.100.7'], caseId: 'T-4' });
      expect(planned(result)).toBe(source`
        IPv6Exit 1
        # exitkit block T-4 2025-01-31 UTC
        ExitPolicy reject 198.51.100.7:*
        ExitPolicy reject6 [2001:db8::]/32:*
        # exitkit end T-4
        ExitPolicy accept *:*
      `);
      const after = applied(tree, result);
      expect(verdict(after, '2001:db8:1::1', 443)).toBe('reject');
      expect(verdict(after, '2001:db9::1', 443)).toBe('accept');
    });

    test.each([
      ['a private range (rejected by ExitPolicyRejectPrivate)', WEB, ['10.1.0.0/16'], 'ExitPolicyRejectPrivate'],
      ['a range the policy already rejects', { torrc: 'ExitPolicy reject 192.0.2.0/24:*, accept *:*\n' }, ['192.0.2.128/25'], "reject 192.0.2.0/24:*"],
      ['any range on a relay with ExitRelay 0', { torrc: 'ExitRelay 0\nExitPolicy accept *:*\n' }, ['203.0.113.0/24'], 'ExitRelay is 0'],
      ['any range on a relay that is no exit', { torrc: 'Nickname Relay\n' }, ['203.0.113.0/24'], 'not an exit'],
      ['an IPv6 range while IPv6Exit is 0', WEB, ['2001:db8::/32'], 'IPv6Exit is 0'],
    ])('plans no change for %s, and says why', (_name, tree, cidrs, why) => {
      const result = block(tree, { cidrs, caseId: 'T-5' });
      expect(result.changes).toEqual([]);
      expect(result.alreadyInForce).toBeDefined();
      expect(result.semanticChange.changes).toEqual([]);
      expect(result.notes.join(' ')).toContain(why);
    });

    test('writes only the family that needs it, and says why the other needs nothing', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24', '2001:db8::/32'], caseId: 'T-6' });
      expect(planned(result)).toContain('ExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-6');
      expect(planned(result)).not.toContain('reject6');
      expect(result.notes.join(' ')).toMatch(/2001:db8::\/32 on all ports needs no rule: IPv6Exit is 0/);
    });

    test('goes into the included file that holds the policy, leaving the main torrc alone', () => {
      const tree: Tree = {
        torrc: 'Nickname Relay\n%include /etc/tor/torrc.d\n',
        files: { '/etc/tor/torrc.d/10-other.conf': 'ContactInfo ops@example.org\n', '/etc/tor/torrc.d/50-exit.conf': 'ExitPolicy accept *:*\n' },
      };
      const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-7' });
      expect(result.changes.map((c) => c.path)).toEqual(['/etc/tor/torrc.d/50-exit.conf']);
      expect(verdict(applied(tree, result), '203.0.113.1', 80)).toBe('reject');
    });

    test('goes before a catch-all accept, where appending would do nothing', () => {
      const tree = { torrc: 'ExitPolicy accept *:*\nExitPolicy reject 198.51.100.0/24:*\n' };
      const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-8' });
      expect(planned(result)?.startsWith('# exitkit block T-8')).toBe(true);
      expect(verdict(applied(tree, result), '203.0.113.1', 80)).toBe('reject');
      // The dead line after the catch-all stays dead: nothing else changes.
      expect(verdict(applied(tree, result), '198.51.100.1', 80)).toBe('accept');
    });

    test('goes after the ExitRelay line when Tor uses its default policy', () => {
      const tree = { torrc: 'Nickname Relay\nExitRelay 1\nContactInfo ops@example.org\n' };
      const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-9' });
      expect(planned(result)).toBe(source`
        Nickname Relay
        ExitRelay 1
        # exitkit block T-9 2025-01-31 UTC
        ExitPolicy reject 203.0.113.0/24:*
        # exitkit end T-9
        ContactInfo ops@example.org
      `);
      const after = applied(tree, result);
      expect(verdict(after, '203.0.113.1', 443)).toBe('reject');
      expect(verdict(after, '8.8.8.8', 443)).toBe('accept');
      expect(verdict(after, '8.8.8.8', 25)).toBe('reject');
    });

    test('goes after the last /ExitPolicy when the torrc clears the list and sets nothing after', () => {
      const tree = { torrc: 'ExitRelay 1\nExitPolicy accept *:25\n/ExitPolicy\nNickname Relay\n' };
      const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-10' });
      expect(planned(result)).toContain('/ExitPolicy\n# exitkit block T-10');
      expect(verdict(applied(tree, result), '203.0.113.1', 443)).toBe('reject');
      expect(verdict(applied(tree, result), '8.8.8.8', 443)).toBe('accept');
    });

    test('after a /ExitPolicy, goes before the first line Tor keeps', () => {
      const tree = { torrc: 'ExitPolicy accept *:25\n/ExitPolicy\nExitPolicy accept *:443\nExitPolicy reject *:*\n' };
      const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-11' });
      expect(planned(result)).toContain('/ExitPolicy\n# exitkit block T-11 2025-01-31 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-11\nExitPolicy accept *:443\n');
    });

    describe('with the policy in the defaults file', () => {
      const tree: Tree = {
        defaults: 'ExitPolicy accept *:443\nExitPolicy reject *:*\n',
        torrc: 'Nickname Relay\nExitRelay 1\n',
      };

      test('copies the defaults file\'s lines behind the block, so that they stay in force', () => {
        const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-12' });
        expect(result.changes.map((c) => c.path)).toEqual([TORRC]);
        expect(planned(result)).toBe(source`
          Nickname Relay
          ExitRelay 1
          # exitkit block T-12 2025-01-31 UTC
          ExitPolicy reject 203.0.113.0/24:*
          # exitkit end T-12
          # exitkit: the ExitPolicy lines of ${DEFAULTS}, repeated so that they stay in force behind the block
          ExitPolicy accept *:443
          ExitPolicy reject *:*
        `);
        const after = applied(tree, result);
        expect(verdict(after, '203.0.113.1', 443)).toBe('reject');
        expect(verdict(after, '8.8.8.8', 443)).toBe('accept');
        expect(verdict(after, '8.8.8.8', 80)).toBe('reject');
      });

      test('keeps the defaults file\'s list when the torrc appends to it with +ExitPolicy', () => {
        const plus: Tree = { defaults: 'ExitPolicy accept *:443\n', torrc: '+ExitPolicy accept *:80\nExitPolicy reject *:*\n' };
        const result = block(plus, { cidrs: ['203.0.113.0/24'], caseId: 'T-13' });
        const after = applied(plus, result);
        expect(verdict(after, '203.0.113.1', 443)).toBe('reject');
        expect(verdict(after, '8.8.8.8', 443)).toBe('accept');
        expect(verdict(after, '8.8.8.8', 80)).toBe('accept');
        expect(verdict(after, '8.8.8.8', 22)).toBe('reject');
        expect(planned(result, DEFAULTS)).toBeUndefined();
      });
    });

    describe('line endings and file ends', () => {
      test('writes CRLF lines into a CRLF file', () => {
        const tree = { torrc: 'Nickname Relay\r\nExitPolicy accept *:*\r\n' };
        const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-14' });
        expect(planned(result)).toBe('Nickname Relay\r\n# exitkit block T-14 2025-01-31 UTC\r\nExitPolicy reject 203.0.113.0/24:*\r\n# exitkit end T-14\r\nExitPolicy accept *:*\r\n');
      });

      test('keeps a missing final newline missing', () => {
        const tree = { torrc: 'Nickname Relay\nExitPolicy accept *:*' };
        const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-15' });
        expect(planned(result)).toBe('Nickname Relay\n# exitkit block T-15 2025-01-31 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-15\nExitPolicy accept *:*');
      });

      test('ends the last line first when appending after it', () => {
        const tree = { torrc: 'Nickname Relay\nExitRelay 1' };
        const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-16' });
        expect(planned(result)).toBe('Nickname Relay\nExitRelay 1\n# exitkit block T-16 2025-01-31 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-16\n');
        expect(verdict(applied(tree, result), '203.0.113.1', 443)).toBe('reject');
      });

      test('does not let a pending continuation swallow the new lines', () => {
        const tree = { torrc: 'ExitRelay 1\nContactInfo ops\\' };
        const result = block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-17' });
        const after = applied(tree, result);
        expect(after.config.value('ContactInfo')?.value).toBe(load(tree).config.value('ContactInfo')?.value);
        expect(verdict(after, '203.0.113.1', 443)).toBe('reject');
      });
    });

    test('refuses a torrc that starts with a byte-order mark: Tor refuses it too', () => {
      expect(() => contextOf({ torrc: '\uFEFFExitPolicy accept *:*\n' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    });

    test('refuses to edit a file that is not UTF-8', () => {
      const bytes = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nExitPolicy accept *:*\n')]);
      const relay = loadRelayPolicySync({ torrc: TORRC, cwd: '/', fs: memoryFs({ [TORRC]: bytes }) });
      expect(relay.valid).toBe(true);
      const context = remedyContext(relay, { now: NOW });
      expect(() => planBlock(context, { cidrs: ['203.0.113.0/24'], caseId: 'T-18' })).toThrow(
        expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE', location: { file: TORRC, line: 1 } }),
      );
    });

    test.each([
      ['an address with host bits set', { cidrs: ['10.0.0.1/8'] }, 'CIDR_HOST_BITS'],
      ['a prefix out of range', { cidrs: ['203.0.113.0/33'] }, 'CIDR_PREFIX_RANGE'],
      ['a newline', { cidrs: ['203.0.113.0/24\nExitPolicy accept *:*'] }, 'INPUT_LINE_BREAK'],
      ['a port 0', { cidrs: ['203.0.113.0/24'], ports: '0' }, 'PORT_ZERO'],
      ['a reversed port range', { cidrs: ['203.0.113.0/24'], ports: '443-80' }, 'PORT_RANGE_REVERSED'],
      ['no address at all', { cidrs: [] }, 'REMEDY_BAD_REQUEST'],
      ['a case id with a slash', { cidrs: ['203.0.113.0/24'], caseId: '../etc' }, 'REMEDY_BAD_CASE_ID'],
      ['a case id with a newline', { cidrs: ['203.0.113.0/24'], caseId: 'T-1\nExitPolicy accept *:*' }, 'REMEDY_BAD_CASE_ID'],
    ])('refuses %s', (_name, request, code) => {
      expect(() => block(WEB, request)).toThrow(expect.objectContaining({ code }));
    });

    test('accepts host bits when allowed, as the network', () => {
      const result = block(WEB, { cidrs: ['203.0.113.77/24'], allowHostBits: true, caseId: 'T-19' });
      expect(planned(result)).toContain('ExitPolicy reject 203.0.113.0/24:*');
    });

    test('makes the reason one safe comment line', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-20', reason: 'scan\nExitPolicy accept *:*\r\n\u0000 done \\' });
      const marker = (planned(result) ?? '').split('\n')[1];
      expect(marker).toBe('# exitkit block T-20 2025-01-31 UTC: scan ExitPolicy accept *:* done');
      expect(applied(WEB, result).inputs.exitPolicy).toHaveLength(4);
    });

    test('uses the UTC time as case id when none is given', () => {
      const result = block(WEB, { cidrs: ['203.0.113.0/24'] });
      expect(result.caseId).toBe('20250131T120000Z');
      expect(planned(result)).toContain('# exitkit end 20250131T120000Z');
    });

    test('puts a second block before the first one, never inside it', () => {
      const once = { torrc: planned(block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-22' })) as string };
      const twice = { torrc: planned(block(once, { cidrs: ['198.51.100.0/24'], caseId: 'T-23' })) as string };
      expect(twice.torrc).toBe(source`
        Nickname Relay
        # exitkit block T-23 2025-01-31 UTC
        ExitPolicy reject 198.51.100.0/24:*
        # exitkit end T-23
        # exitkit block T-22 2025-01-31 UTC
        ExitPolicy reject 203.0.113.0/24:*
        # exitkit end T-22
        ExitPolicy accept *:80
        ExitPolicy accept *:443
        ExitPolicy reject *:*
      `);
      expect(listBlocks(load(twice)).map((b) => [b.caseId, b.problems])).toEqual([['T-23', []], ['T-22', []]]);
    });

    test('refuses a case id that already marks a block', () => {
      const first = block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-21' });
      const tree = { torrc: planned(first) as string };
      expect(() => block(tree, { cidrs: ['198.51.100.0/24'], caseId: 'T-21' })).toThrow(
        expect.objectContaining({ code: 'REMEDY_CASE_ID_IN_USE', location: { file: TORRC, line: 2 } }),
      );
    });
  });

  describe('#planUnblock', () => {
    const blocked = (): Tree => ({ torrc: planned(block(WEB, { cidrs: ['203.0.113.0/24'], caseId: 'T-1', reason: 'scan' })) as string });

    test('removes the block and gives back the file exactly as it was', () => {
      const tree = blocked();
      const result = planUnblock(contextOf(tree), { caseId: 'T-1' });
      expect(planned(result)).toBe(WEB.torrc);
      expect(result.semanticChange.changes).toEqual([
        { family: 4, cidrs: ['203.0.113.0/24'], ports: [[80, 80], [443, 443]], before: 'reject', after: 'accept' },
      ]);
    });

    test('says when other rules keep rejecting part of the range', () => {
      const tree = { torrc: planned(block({ torrc: 'ExitPolicy accept *:*\n' }, { cidrs: ['203.0.113.0/24'], caseId: 'T-2' })) as string };
      const withOther = { torrc: tree.torrc.replace('ExitPolicy accept *:*', 'ExitPolicy reject 203.0.113.0/25:*\nExitPolicy accept *:*') };
      const result = planUnblock(contextOf(withOther), { caseId: 'T-2' });
      expect(verdict(applied(withOther, result), '203.0.113.1', 80)).toBe('reject');
      expect(verdict(applied(withOther, result), '203.0.113.200', 80)).toBe('accept');
      expect(result.notes.join(' ')).toContain('Other rules keep rejecting part of it: 203.0.113.0/25');
    });

    test('keeps the copy of the defaults file\'s lines, so the policy is as it was before the block', () => {
      const tree: Tree = { defaults: 'ExitPolicy accept *:443\nExitPolicy reject *:*\n', torrc: 'ExitRelay 1\n' };
      const blockedTree = { ...tree, torrc: planned(block(tree, { cidrs: ['203.0.113.0/24'], caseId: 'T-3' })) as string };
      const result = planUnblock(contextOf(blockedTree), { caseId: 'T-3' });
      expect(applied(blockedTree, result).torLines).toEqual(load(tree).torLines);
      expect(result.notes.join(' ')).toMatch(/copy of the defaults file's ExitPolicy at \/etc\/tor\/torrc:5 stays/);
    });

    test.each([
      ['a rule turned into an accept', (t: string) => t.replace('reject 203.0.113.0/24:*', 'accept 203.0.113.0/24:*')],
      ['an added line not written as exitkit writes it', (t: string) => t.replace('# exitkit end T-1', 'ExitPolicy reject 198.51.100.0/24\n# exitkit end T-1')],
      ['an added accept', (t: string) => t.replace('# exitkit end T-1', 'ExitPolicy accept 198.51.100.0/24:*\n# exitkit end T-1')],
      ['two items on one line', (t: string) => t.replace('reject 203.0.113.0/24:*', 'reject 203.0.113.0/24:*, reject 198.51.100.0/24:*')],
      ['the end marker removed', (t: string) => t.replace('# exitkit end T-1\n', '')],
      ['a comment inside', (t: string) => t.replace('# exitkit end T-1', '# note\n# exitkit end T-1')],
    ])('refuses a block that was edited: %s', (_name, edit) => {
      const tree = { torrc: edit(blocked().torrc) };
      expect(() => planUnblock(contextOf(tree), { caseId: 'T-1' })).toThrow(
        expect.objectContaining({ code: 'REMEDY_BLOCK_EDITED', location: expect.objectContaining({ file: TORRC, line: 2 }) }),
      );
    });

    test('refuses an unknown case id, naming the known ones', () => {
      expect(() => planUnblock(contextOf(blocked()), { caseId: 'T-9' })).toThrow(expect.objectContaining({ code: 'REMEDY_BLOCK_NOT_FOUND', hint: expect.stringContaining('T-1') }));
    });

    test('refuses when two blocks carry the case id', () => {
      const text = blocked().torrc;
      const twice = { torrc: text.replace('Nickname Relay\n', `Nickname Relay\n${text.split('\n').slice(1, 4).join('\n')}\n`) };
      expect(() => planUnblock(contextOf(twice), { caseId: 'T-1' })).toThrow(expect.objectContaining({ code: 'REMEDY_BLOCK_AMBIGUOUS' }));
    });

    test('refuses to edit a block in the defaults file', () => {
      const tree = { defaults: blocked().torrc.replace('Nickname Relay\n', ''), torrc: 'Nickname Relay\n' };
      expect(() => planUnblock(contextOf(tree), { caseId: 'T-1' })).toThrow(expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE' }));
    });
  });
});

