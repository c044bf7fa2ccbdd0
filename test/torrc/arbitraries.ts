/**
 * fast-check generators of torrc-like text: real keywords and odd ones, values, quotes,
 * escapes, comments, backslashes, CR and CRLF, tabs, a byte-order mark, NUL bytes, blank
 * lines, and files without a final newline.
 */
import fc from 'fast-check';

const keys = [
  'ExitPolicy', 'exitpolicy', 'ExitPol', 'Nickname', 'ContactInfo', '+ExitPolicy', '/ExitPolicy', '/Nickname',
  '%include', '%Include', 'ORPort', 'k', 'k#x', 'Hello\\', '+', '/', '"q"', 'x\\y', 'é',
];
const values = [
  'reject 1.2.3.4:*', 'accept *:80, reject *:*', 'value with spaces', 'x', '', '0', '1', 'auto', 'a,b',
  '/home/user/net#2', 'caf\u00e9', '\u{1F600}', 'a\\b', '"', '\'',
];
const quoted = ['"quoted"', '"a \\x41\\n\\t\\101\\"\\\\"', '"\\q"', '"\\x4"', '"open', '"a"b', '"a" # c', '""', '"\\400"', '"#x"'];
const fragments = [
  ' ', ' ', '  ', '\t', '#', '# comment', '\\', '\\\n', '\n', '\n', '\n', '\r\n', '\r', '\v', '\f', '\0', '"', '\\x41', 'é',
];

/** One physical-ish piece: a keyword line, a comment, a blank line, or loose fragments. */
const piece = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...keys), fc.constantFrom(' ', '  ', '\t', ''), fc.oneof(fc.constantFrom(...values), fc.constantFrom(...quoted)), fc.constantFrom('\n', '\r\n', '', ' # c\n', '\\\n', ' \\\n')).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.constantFrom('# comment\n', '\n', '   \n', '\t# indented \\\n', '\r\n') },
  { weight: 3, arbitrary: fc.constantFrom(...fragments) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

/** Torrc-like text, occasionally starting with a byte-order mark. */
export function torrcText(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.boolean(), fc.array(piece, { maxLength: 14 }))
    .map(([bom, pieces]) => `${bom && pieces.length % 5 === 0 ? '\uFEFF' : ''}${pieces.join('')}`);
}

/** Text without NUL bytes, byte-order marks or reading errors is not guaranteed; this one is line-structured. */
export function torrcLines(): fc.Arbitrary<string> {
  const line = fc.oneof(
    fc.tuple(fc.constantFrom(...keys.filter((k) => !k.includes('\\'))), fc.constantFrom(...values)).map(([k, v]) => `${k} ${v}`),
    fc.constantFrom('# comment', '', '  ', 'ExitPolicy a,\\', '  b # c', 'k "q"'),
  );
  return fc
    .tuple(fc.array(line, { maxLength: 10 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
    .map(([lines, eol, finalNewline]) => (lines.length === 0 ? '' : lines.join(eol) + (finalNewline ? eol : '')));
}
