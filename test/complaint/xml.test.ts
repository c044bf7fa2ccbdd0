import { describe, expect, test } from 'vitest';
import { child, childrenNamed, descendants, readXml, textAt } from '../../src/complaint/xml.js';

describe('complaint/xml', () => {
  describe('#readXml on well-formed documents', () => {
    test('reads elements, attributes, text, entities, CDATA; skips declaration, comments and PIs', () => {
      const { root, problems } = readXml(
        '<?xml version="1.0"?>\n<!-- c -->\n<a:Root xmlns:a="urn:x" v=\'1\'>\n <Item k="a &amp; b">x &lt; y &#65;&#x42;</Item>\n <Item/>\n <![CDATA[<raw>]]>\n <?pi x?>\n</a:Root>\n',
      );
      expect(problems).toEqual([]);
      expect(root).toMatchObject({ name: 'Root', qname: 'a:Root', attributes: { 'xmlns:a': 'urn:x', v: '1' }, line: 3 });
      expect(childrenNamed(root ?? undefined, 'item').map((i) => [i.attributes['k'], i.text])).toEqual([
        ['a & b', 'x < y AB'],
        [undefined, ''],
      ]);
      expect(root?.text).toContain('<raw>');
    });

    test('path helpers find text below an element, case-insensitively', () => {
      const { root } = readXml('<I><Source><IP_Address> 192.0.2.1 </IP_Address><Port/></Source><X><Source/></X></I>');
      expect(textAt(root ?? undefined, 'source', 'ip_address')).toBe('192.0.2.1');
      expect(textAt(root ?? undefined, 'Source', 'Port')).toBeNull();
      expect(textAt(root ?? undefined, 'Missing', 'Port')).toBeNull();
      expect(child(root ?? undefined, 'x')?.name).toBe('X');
      expect(descendants(root!, 'Source')).toHaveLength(2);
    });

    test('a bare "&" is read as text with a warning', () => {
      const { root, problems } = readXml('<E>AT&T</E>');
      expect(root?.text).toBe('AT&T');
      expect(problems).toEqual([expect.objectContaining({ code: 'COMPLAINT_BAD_XML', severity: 'warning' })]);
    });
  });

  describe('#readXml on broken documents', () => {
    test.each([
      ['<a><b></a>', 1, 7],
      ['<a>\n <b>\n </c>\n</a>', 3, 2],
      ['<a>never closed', 1, 1],
      ['<a x=1></a>', 1, 6],
      ['<a x></a>', 1, 5],
      ['<a x="open></a>', 1, 6],
      ['<a><!-- open </a>', 1, 4],
      ['<a><![CDATA[ open</a>', 1, 4],
      ['just text', 1, 1],
      ['', 1, 1],
      ['<1a/>', 1, 2],
    ])('%j → error at line %i column %i, no root', (text, line, column) => {
      const { root, problems } = readXml(text, { part: 'part 3' });
      expect(root).toBeNull();
      expect(problems.at(-1)).toMatchObject({ code: 'COMPLAINT_BAD_XML', severity: 'error', part: 'part 3', location: { line, column } });
    });

    test('text after the root element is a warning, the root is kept', () => {
      const { root, problems } = readXml('<a/>trailing');
      expect(root?.name).toBe('a');
      expect(problems.map((p) => p.severity)).toEqual(['warning']);
    });

    test('nesting deeper than the limit stops with an error instead of recursing on', () => {
      const { root, problems } = readXml('<a>'.repeat(200));
      expect(root).toBeNull();
      expect(problems.map((p) => p.code)).toEqual(['COMPLAINT_BAD_XML']);
    });
  });
});
