import { describe, expect, test } from 'vitest';
import { planBlock } from '../../src/remedy/block.js';
import { blocksJson, blockBeginText, blockEndText, listBlocks, parseCaseId, renderBlocks, sanitizeReason } from '../../src/remedy/markers.js';
import { source } from '../helpers/source.js';
import { contextOf, load, planned, TORRC } from './helpers.js';

describe('remedy/markers', () => {
  describe('#parseCaseId', () => {
    test.each(['T-1', 'abuse.2025-01-31_07', 'A', '0', 'x'.repeat(64)])('accepts %j', (id) => {
      expect(parseCaseId(id)).toBe(id);
    });

    test.each([
      ['', 0],
      ['-T1', 0],
      ['.hidden', 0],
      ['T 1', 1],
      ['T/1', 1],
      ['../etc', 0],
      ['T#1', 1],
      ['T\n1', 1],
      ['Tü', 1],
      ['x'.repeat(65), 64],
    ])('refuses %j', (id, at) => {
      expect(() => parseCaseId(id)).toThrow(expect.objectContaining({ code: 'REMEDY_BAD_CASE_ID', pos: [at, expect.any(Number)] }));
    });
  });

  describe('#sanitizeReason', () => {
    test.each([
      ['port scan of their /24', 'port scan of their /24'],
      ['line one\nline two', 'line one line two'],
      ['tabs\tand\r\nCRLF', 'tabs and CRLF'],
      ['  padded  ', 'padded'],
      ['nul\u0000byte', 'nul byte'],
      ['bidi\u202Eoverride', 'bidi override'],
      ['line\u2028separator', 'line separator'],
      ['ends with a backslash \\\\', 'ends with a backslash'],
      ['# a hash is fine inside a comment', '# a hash is fine inside a comment'],
      ['', ''],
    ])('%j becomes %j', (input, output) => {
      expect(sanitizeReason(input)).toBe(output);
    });

    test('cuts long reasons to 200 characters', () => {
      const out = sanitizeReason('a'.repeat(500));
      expect(out).toHaveLength(200);
      expect(out.endsWith('…')).toBe(true);
    });
  });

  describe('#listBlocks', () => {
    const tree = {
      torrc: source`
        ExitRelay 1
        # exitkit block T-1 2025-01-02 UTC: scan of their web host
        ExitPolicy reject 203.0.113.0/24:*
        # exitkit end T-1
        ExitPolicy reject 10.1.0.0/16:*
        ExitPolicy accept *:*
        # exitkit block T-2 2025-01-03 UTC
        ExitPolicy reject 198.51.100.0/24:*
        ExitPolicy reject6 [2001:db8::]/32:*
        # exitkit end T-2
      `,
    };

    test('finds each block with its case, date, reason and lines', () => {
      const blocks = listBlocks(load(tree));
      expect(blocks.map((b) => [b.caseId, b.date, b.reason, b.line, b.endLine, b.problems.length])).toEqual([
        ['T-1', '2025-01-02', 'scan of their web host', 2, 4, 0],
        ['T-2', '2025-01-03', '', 7, 10, 0],
      ]);
    });

    test('says whether each rule is effective, and why not', () => {
      const [first, second] = listBlocks(load(tree));
      expect(first?.rules.map((r) => [r.item, r.status])).toEqual([['reject 203.0.113.0/24:*', 'effective']]);
      expect(second?.rules.map((r) => [r.item, r.status])).toEqual([
        ['reject 198.51.100.0/24:*', 'deleted'],
        ['reject6 [2001:db8::]/32:*', 'deleted'],
      ]);
      expect(second?.rules[0]?.explanation).toMatch(/accept \*:\*/);
      expect(second?.rules[1]?.explanation).toMatch(/IPv6Exit is 0/);
    });

    test('tells a kept rule that decides nothing from an effective one', () => {
      const covered = {
        torrc: source`
          ExitPolicy reject 203.0.113.0/25:*, reject 203.0.113.128/25:*, accept 203.0.113.0/24:80
          # exitkit block T-1 2025-01-02 UTC
          ExitPolicy reject 203.0.113.0/24:*
          # exitkit end T-1
          # exitkit block T-2 2025-01-02 UTC
          ExitPolicy reject 198.51.100.0/24:*
          # exitkit end T-2
          ExitPolicy accept *:*
        `,
      };
      const relay = load(covered);
      expect(listBlocks(relay).map((b) => b.rules.map((r) => r.status))).toEqual([['no-effect'], ['effective']]);
      expect(listBlocks(relay, false).map((b) => b.rules.map((r) => r.status))).toEqual([['effective'], ['effective']]);
    });

    test.each([
      ['ExitRelay 0', { torrc: 'ExitRelay 0\n# exitkit block T-1 2025-01-02 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\n' }, /ExitRelay is 0/],
      ['a later /ExitPolicy', { torrc: '# exitkit block T-1 2025-01-02 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\n/ExitPolicy\nExitPolicy accept *:*\n' }, /clears it/],
      [
        'torrc lines replacing the defaults file\'s list',
        { defaults: '# exitkit block T-1 2025-01-02 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\n', torrc: 'ExitPolicy accept *:*\n' },
        /replace the defaults/,
      ],
    ])('reports a rule Tor does not use as inactive: %s', (_name, t, why) => {
      const rule = listBlocks(load(t))[0]?.rules[0];
      expect(rule?.status).toBe('inactive');
      expect(rule?.explanation).toMatch(why);
    });

    test('reports how a block was edited', () => {
      const edited = listBlocks(load({ torrc: '# exitkit block T-1 2025-01-02 UTC\nExitPolicy accept 203.0.113.0/24:*\nNickname X\n' }))[0];
      expect(edited?.problems).toEqual([
        'no "# exitkit end T-1" line follows it',
        'line 2 holds "accept 203.0.113.0/24:*", not a reject item as exitkit writes it',
        'line 3 is "Nickname", not an ExitPolicy line exitkit wrote',
      ]);
    });

    test('reads back what planBlock writes, markers included', () => {
      const result = planBlock(contextOf({ torrc: 'ExitPolicy accept *:*\n' }), { cidrs: ['203.0.113.0/24'], ports: '80,443', caseId: 'T-9', reason: 'web scan' });
      const blocks = listBlocks(load({ torrc: planned(result) as string }));
      expect(blocks).toHaveLength(1);
      expect(blocks[0]).toMatchObject({ caseId: 'T-9', date: '2025-01-31', reason: 'web scan', problems: [] });
      expect(blocks[0]?.rules.map((r) => r.status)).toEqual(['effective', 'effective']);
    });

    test('ignores comments that only look like markers', () => {
      expect(listBlocks(load({ torrc: '# exitkit block\n# exitkit block T-1 yesterday\nExitPolicy accept *:*\n' }))).toEqual([]);
    });
  });

  describe('#blockBeginText', () => {
    test('writes the reason after a colon, and nothing without one', () => {
      expect(blockBeginText('T-1', '2025-01-31', 'scan')).toBe('exitkit block T-1 2025-01-31 UTC: scan');
      expect(blockBeginText('T-1', '2025-01-31', '')).toBe('exitkit block T-1 2025-01-31 UTC');
      expect(blockEndText('T-1')).toBe('exitkit end T-1');
    });
  });

  describe('#renderBlocks', () => {
    test('lists each block at file:line with its rules', () => {
      const text = renderBlocks(listBlocks(load({ torrc: '# exitkit block T-1 2025-01-02 UTC: scan\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\nExitPolicy accept *:*\n' })));
      expect(text).toBe(`${TORRC}:1  case T-1  2025-01-02  scan\n  ${'reject 203.0.113.0/24:*'.padEnd(40)} effective: Tor enforces it\n`);
      expect(renderBlocks([])).toMatch(/No blocks/);
    });

    test('gives the same facts as JSON', () => {
      const json = blocksJson(listBlocks(load({ torrc: '# exitkit block T-1 2025-01-02 UTC\nExitPolicy reject 203.0.113.0/24:*\n# exitkit end T-1\nExitPolicy accept *:*\n' })));
      expect(json).toEqual([
        expect.objectContaining({ file: TORRC, line: 1, caseId: 'T-1', intact: true, rules: [expect.objectContaining({ status: 'effective' })] }),
      ]);
    });
  });
});
