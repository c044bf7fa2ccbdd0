import { describe, expect, test } from 'vitest';
import { formatAddress, isV4Mapped } from '../../src/net/cidr.js';
import fc from 'fast-check';
import { formatTorPolicy } from '../../src/policy/format.js';
import { firstMatch } from '../../src/policy/evaluate.js';
import {
  parseExitPolicy,
  parsePolicyItem,
  parsePolicyValue,
  parseTorPolicyLines,
  splitPolicyValue,
} from '../../src/policy/parse.js';
import { boundaryProbes, policyArb, probeArb } from './arbitraries.js';
import type { PolicyRule } from '../../src/types.js';
import { policyLine } from './config-view.js';

// "action family address/bits ports", written out independently of the printers under test.
const show = (r: PolicyRule): string =>
  `${r.action} ${r.family} ${formatAddress(r.family, r.address)}/${r.maskBits} ${r.portMin}-${r.portMax}`;
const rulesOf = (item: string): string[] => parsePolicyItem(item).rules.map(show);
const ALL = '1-65535';

describe('policy/parse', () => {
  describe('#splitPolicyValue', () => {
    test.each([
      ['a,,b', ['a', 'b']],
      ['a, b ,', ['a', 'b']],
      [',,', []],
      ['  reject 1.2.3.4:* ,\taccept *:*  ', ['reject 1.2.3.4:*', 'accept *:*']],
      // A backslash-continued line keeps the next line's indentation inside the value.
      ['reject 1.1.1.1:*,    reject 2.2.2.2:*', ['reject 1.1.1.1:*', 'reject 2.2.2.2:*']],
      ['reject 1.2.3.4:*\0, accept *:*', ['reject 1.2.3.4:*']],
    ])('splits %j into %j (P34)', (value, items) => {
      expect(splitPolicyValue(value).map((i) => i.text)).toEqual(items);
    });

    test('keeps each item\'s offset in the value', () => {
      expect(splitPolicyValue(' a , b')).toEqual([
        { text: 'a', offset: 1 },
        { text: 'b', offset: 5 },
      ]);
    });
  });

  describe('#parsePolicyItem', () => {
    // §7.2 of the fact sheet (T: tor's test_policy.c, O: observed with tor 0.4.9.11) and
    // further quirks observed with tor 0.4.9.11.
    test.each([
      ['P1', 'reject 192.168.0.0/16:*', [`reject 4 192.168.0.0/16 ${ALL}`]],
      ['P2', 'accept *:443', ['accept 4 0.0.0.0/0 443-443', 'accept 6 ::/0 443-443']],
      ['P2', 'accept *:*', [`accept 4 0.0.0.0/0 ${ALL}`, `accept 6 ::/0 ${ALL}`]],
      ['P3', 'accept6 *:*', [`accept 6 ::/0 ${ALL}`]],
      ['P17', 'reject 1.2.3.4:+443', ['reject 4 1.2.3.4/32 443-443']],
      ['P17', 'reject 1.2.3.4:80-90xyz', ['reject 4 1.2.3.4/32 80-90']],
      ['P17', 'reject 1.2.3.4:80-90-100', ['reject 4 1.2.3.4/32 80-90']],
      ['P18', 'reject 1.2.3.4', [`reject 4 1.2.3.4/32 ${ALL}`]],
      ['P18', 'reject 1.2.3.4/24', [`reject 4 1.2.3.4/24 ${ALL}`]],
      ['P19', 'reject 1.2.3.4/16:*', [`reject 4 1.2.3.4/16 ${ALL}`]],
      ['P20', 'reject 1.2.3.0/255.255.255.0:*', [`reject 4 1.2.3.0/24 ${ALL}`]],
      ['P23', 'reject [::1]:*', [`reject 6 ::1/128 ${ALL}`]],
      ['P23', 'reject [2607:5300::]/32:443', ['reject 6 2607:5300::/32 443-443']],
      ['P24', 'reject6 2607:5300::/32', [`reject 6 2607:5300::/32 ${ALL}`]],
      ['P24', 'reject6 2607:5300::/32:80', ['reject 6 2607:5300::/32 80-80']],
      ['P26', 'reject [1.2.3.4]:*', [`reject 4 1.2.3.4/32 ${ALL}`]],
      ['P31', 'opt reject 1.2.3.4:80', ['reject 4 1.2.3.4/32 80-80']],
      ['*4', 'reject *4:25', ['reject 4 0.0.0.0/0 25-25']],
      ['*6', 'accept *6:443', ['accept 6 ::/0 443-443']],
      ['*6 under reject6', 'reject6 *6:*', [`reject 6 ::/0 ${ALL}`]],
      ['[*] is a wildcard', 'reject [*]:80', ['reject 4 0.0.0.0/0 80-80', 'reject 6 ::/0 80-80']],
      ['/016 is 16', 'reject 1.2.0.0/016:*', [`reject 4 1.2.0.0/16 ${ALL}`]],
      ['/+64', 'reject6 [2001:db8::1]/+64:*', [`reject 6 2001:db8::1/64 ${ALL}`]],
      ['/-0 is /0', 'reject 1.2.3.4/-0:80', ['reject 4 1.2.3.4/0 80-80']],
      ['an empty mask is /0', 'reject 1.2.3.4/:82', ['reject 4 1.2.3.4/0 82-82']],
      ['/2^32+32 wraps to /32', 'reject 1.2.3.4/4294967328:*', [`reject 4 1.2.3.4/32 ${ALL}`]],
      ['/0.0.0.0 is /0', 'reject 1.2.3.4/0.0.0.0:25', ['reject 4 1.2.3.4/0 25-25']],
      ['dotted mask on IPv6', 'reject [2001:db8::]/255.255.0.0:*', [`reject 6 2001:db8::/16 ${ALL}`]],
      ['[::]/0 is the IPv6 wildcard', 'reject6 [::]/0:80', ['reject 6 ::/0 80-80']],
      ['bare IPv6 /032', 'reject 2001:db8::/032:81', ['reject 6 2001:db8::/32 81-81']],
      ['text after ] is ignored', 'reject [2001:db8::1]junk', [`reject 6 2001:db8::1/128 ${ALL}`]],
      ['text after ] before the port', 'reject [2001:db8::1]x:80', ['reject 6 2001:db8::1/128 80-80']],
      ['mapped /128 becomes /96', 'reject [::ffff:1.2.3.4]/128:*', [`reject 6 ::ffff:1.2.3.4/96 ${ALL}`]],
      ['mapped /24 becomes /120', 'reject [::ffff:1.2.3.4]/24:*', [`reject 6 ::ffff:1.2.3.4/120 ${ALL}`]],
      ['mapped without mask stays /128', 'reject [::ffff:5.6.7.8]:*', [`reject 6 ::ffff:5.6.7.8/128 ${ALL}`]],
      ['leading zeros in ports', 'reject 1.2.3.4:00080', ['reject 4 1.2.3.4/32 80-80']],
      ['an empty port means all', 'reject 1.2.3.5:', [`reject 4 1.2.3.5/32 ${ALL}`]],
      ['65535-65535', 'reject 1.2.3.4:65535-65535', ['reject 4 1.2.3.4/32 65535-65535']],
      ['a tab after the keyword', 'reject\t1.2.3.4:*', [`reject 4 1.2.3.4/32 ${ALL}`]],
      ['a comment after the pattern', 'reject 1.2.3.4:80 #x', ['reject 4 1.2.3.4/32 80-80']],
      ['a lone # after the pattern', 'reject 1.2.3.4:80#', ['reject 4 1.2.3.4/32 80-80']],
      ['text after a newline is ignored', 'reject 1.2.3.4:80\naccept 1.2.3.5:*', ['reject 4 1.2.3.4/32 80-80']],
      ['a comment line before the item', '#c\nreject 1.2.3.4:80', ['reject 4 1.2.3.4/32 80-80']],
      ['80 characters is the limit', `reject [2001:db8::1]${'x'.repeat(65)}:*`, [`reject 6 2001:db8::1/128 ${ALL}`]],
    ])('%s: %j is accepted', (_id, item, rules) => {
      const parsed = parsePolicyItem(item);
      expect(parsed.error).toBeUndefined();
      expect(parsed.ignored).toBe(false);
      expect(parsed.rules.map(show)).toEqual(rules);
    });

    test('P28: private expands to the twelve networks in Tor\'s order', () => {
      expect(rulesOf('reject private:*')).toEqual([
        `reject 4 0.0.0.0/8 ${ALL}`,
        `reject 4 169.254.0.0/16 ${ALL}`,
        `reject 4 127.0.0.0/8 ${ALL}`,
        `reject 4 192.168.0.0/16 ${ALL}`,
        `reject 4 10.0.0.0/8 ${ALL}`,
        `reject 4 172.16.0.0/12 ${ALL}`,
        `reject 6 ::/8 ${ALL}`,
        `reject 6 fc00::/7 ${ALL}`,
        `reject 6 fe80::/10 ${ALL}`,
        `reject 6 fec0::/10 ${ALL}`,
        `reject 6 ff00::/8 ${ALL}`,
        `reject 6 ::/127 ${ALL}`,
      ]);
      expect(rulesOf('accept private:80').every((r) => r.startsWith('accept') && r.endsWith(' 80-80'))).toBe(true);
      expect(rulesOf('reject private:')).toHaveLength(12);
    });

    test.each([
      ['P4', 'accept6 1.2.3.4:*', 'POLICY_IPV4_UNDER_ACCEPT6'],
      ['P5', 'reject6 2.4.6.0/24:*', 'POLICY_IPV4_UNDER_ACCEPT6'],
      ['P6', 'accept6 *4:*', 'POLICY_IPV4_UNDER_ACCEPT6'],
      ['[v4] under accept6', 'accept6 [1.2.3.4]:*', 'POLICY_IPV4_UNDER_ACCEPT6'],
      ['P29', 'reject6 private:*', 'POLICY_PRIVATE_UNDER_ACCEPT6'],
      ['P29', 'accept6 private:*', 'POLICY_PRIVATE_UNDER_ACCEPT6'],
    ])('%s: %j is ignored with a warning', (_id, item, code) => {
      const parsed = parsePolicyItem(item);
      expect(parsed.error).toBeUndefined();
      expect(parsed.ignored).toBe(true);
      expect(parsed.rules).toEqual([]);
      expect(parsed.warnings.map((w) => w.code)).toContain(code);
      expect(parsed.warnings.every((w) => w.severity === 'warning')).toBe(true);
    });

    test.each([
      ['P7', 'bad_token *4:*', 'POLICY_BAD_KEYWORD'],
      ['P8', 'accept6 **:*', 'POLICY_BAD_ADDRESS'],
      ['P9', 'accept */15:*', 'POLICY_WILDCARD_MASK'],
      ['P9', 'reject */8:*', 'POLICY_WILDCARD_MASK'],
      ['P10', 'reject6 */:*', 'POLICY_WILDCARD_MASK'],
      ['P11', 'accept 127.0.0.1/33:*', 'POLICY_BAD_MASK'],
      ['P12', 'accept6 [::1]/129:*', 'POLICY_BAD_MASK'],
      ['P13', 'reject 8.8.8.8/-1:*', 'POLICY_BAD_MASK'],
      ['P14', 'reject 8.8.4.4:10-5', 'POLICY_PORT_RANGE_REVERSED'],
      ['P15', 'reject 1.2.3.4:-1', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:0', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:0-80', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:65536', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:80-', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:*-80', 'POLICY_BAD_PORT'],
      ['P16', 'reject 1.2.3.4:80x', 'POLICY_BAD_PORT'],
      ['P16', 'reject private:0', 'POLICY_BAD_PORT'],
      ['P21', 'reject 1.2.3.0/255.0.255.0:*', 'POLICY_NONPREFIX_MASK'],
      ['P22', 'reject 01.2.3.4:*', 'POLICY_BAD_ADDRESS'],
      ['P22', 'reject 1.2.3:*', 'POLICY_BAD_ADDRESS'],
      ['P25', 'reject ::1:*', 'POLICY_BAD_ADDRESS'],
      ['P25', 'reject6 2001:db8::1:80', 'POLICY_BAD_ADDRESS'],
      ['P27', 'reject private', 'POLICY_PRIVATE_NEEDS_PORT'],
      ['private with junk', 'reject privatex:*', 'POLICY_PRIVATE_NEEDS_PORT'],
      ['P30', 'Reject 1.2.3.4:*', 'POLICY_BAD_KEYWORD'],
      ['P30', 'REJECT 1.2.3.4:*', 'POLICY_BAD_KEYWORD'],
      ['P30', 'rejekt 1.2.3.4:*', 'POLICY_BAD_KEYWORD'],
      ['P32', '443', 'POLICY_BAD_KEYWORD'],
      ['P33', 'accept *:80 reject *:*', 'POLICY_EXTRA_ARGUMENT'],
      ['P33', 'accept', 'POLICY_MISSING_ARGUMENT'],
      ['space in the pattern', 'reject 1.2.3.4 :80', 'POLICY_EXTRA_ARGUMENT'],
      ['space after the slash', 'reject 1.2.3.4/ 16:*', 'POLICY_EXTRA_ARGUMENT'],
      ['space after the colon', 'reject 1.2.3.4: 80', 'POLICY_EXTRA_ARGUMENT'],
      ['# glued to the pattern', 'reject 1.2.3.4:80#x', 'POLICY_EXTRA_ARGUMENT'],
      ['# glued to the keyword', 'reject#x 1.2.3.4', 'POLICY_EXTRA_ARGUMENT'],
      ['mask overflow', 'reject 1.2.3.4/99999999999999999999:*', 'POLICY_BAD_MASK'],
      ['mapped /64', 'reject [::ffff:1.2.3.4]/64:*', 'POLICY_BAD_MAPPED_MASK'],
      ['dotted mask with a leading zero', 'reject 1.2.3.4/01.0.0.0:*', 'POLICY_BAD_MASK'],
      ['unclosed bracket', 'reject [::1', 'POLICY_UNCLOSED_BRACKET'],
      ['81 characters', `reject [2001:db8::1]${'x'.repeat(66)}:*`, 'POLICY_TOO_LONG'],
      ['an object after a newline', 'reject 1.2.3.4:80\n-----BEGIN X\nYWJj\n-----END X-----\n', 'POLICY_UNEXPECTED_OBJECT'],
      ['opt alone', 'opt', 'POLICY_BAD_KEYWORD'],
      ['opt twice', 'opt opt reject 1.2.3.4', 'POLICY_BAD_KEYWORD'],
      ['another directory keyword', 'router 1.2.3.4', 'POLICY_BAD_KEYWORD'],
      ['only a comment', '#x', 'POLICY_BAD_KEYWORD'],
      ['a hostname', 'reject example.com:*', 'POLICY_BAD_ADDRESS'],
    ])('%s: %j is refused with %s', (_id, item, code) => {
      const parsed = parsePolicyItem(item);
      expect(parsed.error?.code).toBe(code);
      expect(parsed.error?.severity).toBe('error');
      expect(parsed.rules).toEqual([]);
    });

    test.each([
      ['reject 1.2.3.4/16:*', 'POLICY_HOST_BITS'],
      ['reject 1.2.3.4/0:*', 'POLICY_HOST_BITS'],
      ['reject 1.2.3.4/:*', 'POLICY_EMPTY_MASK'],
      ['reject 1.2.0.0/016:*', 'POLICY_LENIENT_MASK'],
      ['reject 1.2.3.4:+443', 'POLICY_LENIENT_PORT'],
      ['reject 1.2.3.4:80-90xyz', 'POLICY_LENIENT_PORT'],
      ['reject [2001:db8::1]junk', 'POLICY_IGNORED_TEXT'],
      ['reject 1.2.3.4:80 #x', 'POLICY_IGNORED_TEXT'],
      ['reject 1.2.3.4:80\naccept *:*', 'POLICY_IGNORED_TEXT'],
      ['reject [::ffff:1.2.3.4]/24:*', 'POLICY_MAPPED_MASK_REMAPPED'],
      ['reject [2001:db8::]/255.255.0.0:*', 'POLICY_LENIENT_MASK'],
    ])('%j is accepted with warning %s', (item, code) => {
      const parsed = parsePolicyItem(item);
      expect(parsed.error).toBeUndefined();
      expect(parsed.warnings.map((w) => w.code)).toContain(code);
    });

    test.each([
      'reject 1.2.0.0/16:*',
      'accept *:80',
      'reject 192.0.2.1',
      'reject6 [2001:db8::]/32:*',
      'reject private:*',
      'accept 1.2.3.4:80-443',
    ])('%j gets no warning', (item) => {
      expect(parsePolicyItem(item).warnings).toEqual([]);
    });

    test('points the error at the offending text', () => {
      const item = 'reject 1.2.3.4:80x';
      const parsed = parsePolicyItem(item);
      expect(parsed.error?.input).toBe(item);
      expect(item.slice(...(parsed.error?.pos ?? [0, 0]))).toBe('80x');
      const mask = parsePolicyItem('accept 127.0.0.1/33:*').error;
      expect('accept 127.0.0.1/33:*'.slice(...(mask?.pos ?? [0, 0]))).toBe('/33');
    });

    test('hints at case when only the keyword\'s case is wrong', () => {
      expect(parsePolicyItem('Reject 1.2.3.4:*').error?.hint).toContain("'reject'");
    });

    test('gives every rule of an item one shared config origin', () => {
      const location = { file: '/etc/tor/torrc', line: 7 };
      const parsed = parsePolicyItem('accept *:80', { location });
      const [a, b] = parsed.rules;
      expect(a?.origin).toEqual({ kind: 'config', location, item: 'accept *:80' });
      expect(b?.origin).toBe(a?.origin);
      expect(parsed.error).toBeUndefined();
    });
  });

  describe('#parseExitPolicy', () => {
    test('keeps the items of all lines in order', () => {
      const parsed = parseExitPolicy([
        policyLine('reject 1.1.1.1:*, reject 2.2.2.2:*', 3),
        policyLine('accept *:80', 5),
      ]);
      expect(parsed.valid).toBe(true);
      expect(parsed.items.map((i) => [i.text, i.location?.line])).toEqual([
        ['reject 1.1.1.1:*', 3],
        ['reject 2.2.2.2:*', 3],
        ['accept *:80', 5],
      ]);
      expect(parsed.rules.map(show)).toEqual([
        `reject 4 1.1.1.1/32 ${ALL}`,
        `reject 4 2.2.2.2/32 ${ALL}`,
        'accept 4 0.0.0.0/0 80-80',
        'accept 6 ::/0 80-80',
      ]);
    });

    test('P32/P33: one malformed item discards every rule and names file:line', () => {
      const parsed = parseExitPolicy([policyLine('reject 1.2.3.4:*', 1), policyLine('reject *:80,443', 2)]);
      expect(parsed.valid).toBe(false);
      expect(parsed.rules).toEqual([]);
      expect(parsed.errors).toHaveLength(1);
      expect(parsed.errors[0]).toMatchObject({ code: 'POLICY_BAD_KEYWORD', input: '443', location: { line: 2 } });
    });

    test('reports every malformed item, not just the first', () => {
      const parsed = parsePolicyValue('reject 1.2.3.4:0, Reject 1.2.3.4, accept *:*');
      expect(parsed.errors.map((e) => e.code)).toEqual(['POLICY_BAD_PORT', 'POLICY_BAD_KEYWORD']);
    });

    test('ignored items leave the others in place', () => {
      const parsed = parsePolicyValue('accept6 1.2.3.4:*, reject 5.6.7.8:*');
      expect(parsed.valid).toBe(true);
      expect(parsed.rules.map(show)).toEqual([`reject 4 5.6.7.8/32 ${ALL}`]);
      expect(parsed.warnings.map((w) => w.code)).toEqual(['POLICY_IPV4_UNDER_ACCEPT6']);
    });

    test('skips lines with an empty value, as Tor does', () => {
      const parsed = parseExitPolicy([policyLine('', 1), policyLine('accept *:*', 2)]);
      expect(parsed.items).toHaveLength(1);
    });

    // Everything a parse says, locations included, in plain values.
    const view = (p: ReturnType<typeof parseExitPolicy>): unknown => ({
      valid: p.valid,
      items: p.items.map((i) => ({
        text: i.text,
        location: i.location,
        keyword: i.keyword,
        ignored: i.ignored,
        error: i.error && { code: i.error.code, location: i.error.location, pos: i.error.pos, message: i.error.message },
        warnings: i.warnings.map((w) => ({ code: w.code, location: w.location, pos: w.pos, message: w.message })),
        rules: i.rules.map((r) => ({ rule: show(r), origin: r.origin })),
      })),
      rules: p.rules.map((r) => ({ rule: show(r), origin: r.origin })),
      errors: p.errors.map((e) => [e.code, e.location]),
      warnings: p.warnings.map((w) => [w.code, w.location]),
    });

    test.each([
      ['lines moved down by an insertion', ['reject 1.1.1.1:*, accept *:80', 'reject private:*'], ['reject 9.9.9.9:*', 'reject 1.1.1.1:*, accept *:80', 'reject private:*']],
      ['an item moved to another line', ['reject 1.1.1.1:*, reject6 [2001:db8::]/32:443'], ['reject6 [2001:db8::]/32:443', 'reject 1.1.1.1:*']],
      ['items with warnings', ['accept6 1.2.3.4:*, reject 1.2.3.4/16:*, reject *:080'], ['reject *:1', 'accept6 1.2.3.4:*, reject 1.2.3.4/16:*, reject *:080']],
      ['a malformed item', ['reject 1.2.3.4:0, accept *:*'], ['reject 5.6.7.8:*', 'reject 1.2.3.4:0, accept *:*']],
      ['the same item twice', ['accept *:443, accept *:443'], ['accept *:443', 'reject *:25, accept *:443']],
      ['nothing in common', ['reject *:25'], ['accept *:*']],
    ])('an earlier parse changes nothing in the result: %s', (_name, earlier, now) => {
      const lines = (values: string[]) => values.map((v, k) => policyLine(v, k + 1));
      const fresh = parseExitPolicy(lines(now));
      expect(view(parseExitPolicy(lines(now), { reuse: parseExitPolicy(lines(earlier)) }))).toEqual(view(fresh));
    });

    test('an earlier parse changes nothing in the result (property)', () => {
      const items = [
        'reject 1.2.3.4:*', 'accept *:80', 'reject6 [2001:db8::]/32:443-450', 'reject private:*', 'accept *4:1-1024',
        'reject 10.1.2.3/8:*', 'accept6 1.2.3.4:*', 'reject 1.2.3.4:0', 'Reject *:*', 'reject [::ffff:1.2.3.4]/120:*',
      ];
      const valueArb = fc.array(fc.constantFrom(...items), { minLength: 1, maxLength: 4 }).map((v) => v.join(', '));
      const linesArb = fc.array(fc.record({ value: valueArb, line: fc.integer({ min: 1, max: 9 }), file: fc.constantFrom('/a', '/b') }), { maxLength: 8 });
      fc.assert(
        fc.property(linesArb, linesArb, (earlier, now) => {
          const lines = (ls: typeof now) => ls.map((l) => policyLine(l.value, l.line, l.file));
          expect(view(parseExitPolicy(lines(now), { reuse: parseExitPolicy(lines(earlier)) }))).toEqual(view(parseExitPolicy(lines(now))));
        }),
        { numRuns: 300 },
      );
    });

    test('takes an unchanged item on an unchanged line from the earlier parse', () => {
      const earlier = parseExitPolicy([policyLine('reject 1.1.1.1:*', 4, '/b')]);
      const now = parseExitPolicy([policyLine('reject 2.2.2.2:*', 1), policyLine('reject 1.1.1.1:*', 4, '/b')], { reuse: earlier });
      expect(now.items[1]).toBe(earlier.items[0]);
    });
  });

  describe('#parseTorPolicyLines', () => {
    test('reads accept/reject lines as IPv4 only and *6 lines as IPv6', () => {
      const parsed = parseTorPolicyLines(['reject6 *:*', 'reject 1.2.3.4/16:*', 'accept *:80', 'reject *:*']);
      expect(parsed.rules.map(show)).toEqual([
        `reject 6 ::/0 ${ALL}`,
        `reject 4 1.2.3.4/16 ${ALL}`,
        'accept 4 0.0.0.0/0 80-80',
        `reject 4 0.0.0.0/0 ${ALL}`,
      ]);
      expect(parsed.rules[1]?.origin).toMatchObject({ kind: 'config', location: { line: 2 }, item: 'reject 1.2.3.4/16:*' });
    });

    test('reads the single line reject *:* as both families', () => {
      expect(parseTorPolicyLines(['reject *:*']).rules.map(show)).toEqual([`reject 4 0.0.0.0/0 ${ALL}`, `reject 6 ::/0 ${ALL}`]);
    });

    test('reports a line that is not a policy line', () => {
      expect(parseTorPolicyLines(['250 OK']).errors[0]?.code).toBe('POLICY_BAD_KEYWORD');
    });

    test('gives back the verdicts of the printed policy (property)', () => {
      fc.assert(
        fc.property(policyArb(20), fc.array(probeArb, { maxLength: 20 }), (policy, random) => {
          // Tor never holds an IPv4-mapped address with a mask under /96 (it remaps them).
          fc.pre(!policy.some((r) => isV4Mapped(r.family, r.address) && r.maskBits < 96));
          const back = parseTorPolicyLines(formatTorPolicy(policy));
          expect(back.valid).toBe(true);
          for (const p of boundaryProbes(policy, random)) {
            const printed = firstMatch(back.rules, p.family, p.address, p.port).verdict;
            const original = firstMatch(policy, p.family, p.address, p.port).verdict;
            // A policy printed as the single reject *:* rejects what had no rule too.
            if (printed !== original) expect(formatTorPolicy(policy)).toEqual(['reject *:*']);
            else expect(printed).toBe(original);
          }
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('§8 traps at item level', () => {
    test('§8.5: reject private needs :*, reject6 private:* is dropped, [1.2.3.4] is IPv4, bare IPv6 needs a mask', () => {
      expect(parsePolicyItem('reject private').error?.code).toBe('POLICY_PRIVATE_NEEDS_PORT');
      expect(parsePolicyItem('reject6 private:*')).toMatchObject({ ignored: true, rules: [] });
      expect(rulesOf('reject [1.2.3.4]:*')).toEqual([`reject 4 1.2.3.4/32 ${ALL}`]);
      expect(parsePolicyItem('reject 2001:db8::1:80').error?.code).toBe('POLICY_BAD_ADDRESS');
      expect(rulesOf('reject 2001:db8::/32:80')).toEqual(['reject 6 2001:db8::/32 80-80']);
    });

    test('§8.6: host bits are kept, with a warning naming the network', () => {
      const item = parsePolicyItem('reject 1.2.3.4/16:*');
      expect(item.rules.map(show)).toEqual([`reject 4 1.2.3.4/16 ${ALL}`]);
      expect(item.warnings[0]).toMatchObject({ code: 'POLICY_HOST_BITS', severity: 'warning' });
      expect(item.warnings[0]?.hint).toContain('1.2.0.0/16');
    });

    test('§8.7: port 0 is fatal, +80 and 80-90garbage are accepted with warnings', () => {
      expect(parsePolicyItem('accept *:0').error?.code).toBe('POLICY_BAD_PORT');
      expect(parsePolicyItem('accept *:0').error?.hint).toContain('port 0');
      expect(parsePolicyItem('accept *:+80').warnings.map((w) => w.code)).toEqual(['POLICY_LENIENT_PORT']);
      expect(parsePolicyItem('accept *:80-90garbage').warnings.map((w) => w.code)).toEqual(['POLICY_LENIENT_PORT']);
    });
  });
});
