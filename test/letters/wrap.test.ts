import { describe, expect, test } from 'vitest';
import { VALUE_END, VALUE_START, columns, wrapText } from '../../src/letters/wrap.js';

const v = (text: string) => `${VALUE_START}${text}${VALUE_END}`;
const lines = (...parts: string[]) => parts.join('\n');

describe('letters/wrap', () => {
  describe('#wrapText', () => {
    test('leaves text that fits untouched, line breaks included', () => {
      const text = lines('Short lines', 'stay as the', 'author wrote them.', '', '  - an item', '  Label:  value', '');
      expect(wrapText(text, 20)).toBe(text);
    });

    test('refills a prose paragraph in which a line is too long', () => {
      expect(wrapText(lines('one two three four five six', 'seven', '', 'next'), 15)).toBe(
        lines('one two three', 'four five six', 'seven', '', 'next'),
      );
    });

    test('refills a paragraph with a value inside its running text, even when it fits', () => {
      expect(wrapText(lines('Please write by', `${v('2025-11-27')} to make sure`, 'of it.'), 40)).toBe(
        lines('Please write by 2025-11-27 to make sure', 'of it.'),
      );
    });

    test('keeps lines that are exactly one value, as in a signature', () => {
      expect(wrapText(lines('Kind regards,', '', v('Alice Example'), v('Example Org'), v('abuse@example.org')), 72)).toBe(
        lines('Kind regards,', '', 'Alice Example', 'Example Org', 'abuse@example.org'),
      );
    });

    test('refills a list item under its first word and leaves the next item alone', () => {
      expect(wrapText(lines('  - Connections to 203.0.113.0/24 on ports 80 and 443 are now refused.', '  - Short.'), 40)).toBe(
        lines('  - Connections to 203.0.113.0/24 on', '    ports 80 and 443 are now refused.', '  - Short.'),
      );
    });

    test.each(['- ', '* ', '1. ', '12) '])('recognises "%s" as a list marker', (marker) => {
      const wrapped = wrapText(`${marker}aaaa bbbb cccc dddd`, 12);
      expect(wrapped.split('\n').slice(1).every((line) => line.startsWith(' '.repeat(marker.length)))).toBe(true);
    });

    test('wraps an indented "Label: value" line under its value', () => {
      expect(wrapText('  Contact:      email:abuse[]relay.example.org url:https://relay.example.org', 50)).toBe(
        lines('  Contact:      email:abuse[]relay.example.org', '                url:https://relay.example.org'),
      );
    });

    test('wraps another indented line under its own indent', () => {
      expect(wrapText('    alpha beta gamma delta', 16)).toBe(lines('    alpha beta', '    gamma delta'));
    });

    test('never splits a word longer than the width: it stands alone', () => {
      const url = 'https://metrics.torproject.org/exonerator.html?ip=192.0.2.10&timestamp=2025-11-18&lang=en';
      expect(wrapText(`Check it here: ${url} today.`, 30)).toBe(lines('Check it here:', url, 'today.'));
      expect(wrapText(`  ${url}`, 30)).toBe(`  ${url}`);
    });

    test('removes the value marks', () => {
      expect(wrapText(`Dear ${v('Bob')},`, 72)).toBe('Dear Bob,');
    });

    test('keeps every line within the width except lone long words', () => {
      const text = lines(
        `Thank you for forwarding the copyright notice from ${v('A Very Long Rights Holder Name Limited Liability Company')}.`,
        'I have looked into it and can assure you of it.',
        '',
        `  - ${v('Connections to 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32 on every port except 25 are now refused.')}`,
      );
      for (const line of wrapText(text, 40).split('\n')) {
        expect(columns(line) <= 40 || !line.trim().includes(' ')).toBe(true);
      }
    });
  });

  describe('#columns', () => {
    test('counts code points and ignores value marks', () => {
      expect(columns('Grüße')).toBe(5);
      expect(columns(v('abc'))).toBe(3);
      expect(columns('😀')).toBe(1);
    });
  });
});
