/**
 * Line wrapping for e-mail. Templates are written already wrapped; only text that inserted
 * values disturbed is re-wrapped, so the template author keeps control of every other line.
 * The renderer marks each inserted value with `VALUE_START`/`VALUE_END`, which tells the
 * wrapper where values went; `wrapText` removes the marks.
 *
 * - A prose paragraph (a run of non-blank lines that start at column 1 and are not list
 *   items) is refilled as a whole when one of its lines is too long, or when a value sits
 *   inside its running text. A line that is exactly one value (a signature line, an
 *   address) is not running text, so such blocks keep their line breaks.
 * - A list item ("- ", "* ", "1. " or "1) " after optional indent, plus the indented lines
 *   that continue it) that is too long is refilled with its text aligned under the first word.
 * - Any other indented line that is too long is wrapped on its own, continuing under its
 *   value when it reads "Label: value", else under its own indent.
 * Words are never split: a word longer than the width (a URL) stands alone on its line.
 */

/** The default line width for letters. */
export const LETTER_WIDTH = 72;
/** Marks the start of an inserted value (a private-use character, removed by `wrapText`). */
export const VALUE_START = '\uE000';
/** Marks the end of an inserted value. */
export const VALUE_END = '\uE001';

const MARKS = /[\uE000\uE001]/g;
const ONLY_A_VALUE = /^\uE000[^\uE000\uE001]*\uE001$/;

const MARKER = /^(\s*(?:[-*]|\d+[.)])\s+)\S/;
const LABEL = /^(\s+[^\s:][^:]{0,30}:\s+)\S/;

/** Wraps `text` (lines separated by `\n`) to `width` columns by the rules above. */
export function wrapText(text: string, width: number = LETTER_WIDTH): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] as string;
    const marker = MARKER.exec(line)?.[1];
    if (line.trim() === '') {
      out.push(line);
      index += 1;
    } else if (marker !== undefined) {
      const item = [line];
      index += 1;
      while (index < lines.length && continuesItem(lines[index] as string, marker.length)) {
        item.push(lines[index] as string);
        index += 1;
      }
      out.push(...(item.some((part) => tooLong(part, width)) ? fill(joinWords([line.slice(marker.length), ...item.slice(1)]), marker, ' '.repeat(marker.length), width) : item));
    } else if (/^\s/.test(line)) {
      const prefix = LABEL.exec(line)?.[1] ?? (/^\s*/.exec(line)?.[0] as string);
      out.push(...(tooLong(line, width) ? fill(line.slice(prefix.length), prefix, ' '.repeat(columns(prefix)), width) : [line]));
      index += 1;
    } else {
      const paragraph = [line];
      index += 1;
      while (index < lines.length && isProse(lines[index] as string)) {
        paragraph.push(lines[index] as string);
        index += 1;
      }
      const refill = paragraph.some((part) => tooLong(part, width) || hasValueInText(part));
      out.push(...(refill ? fill(joinWords(paragraph), '', '', width) : paragraph));
    }
  }
  return out.join('\n').replace(MARKS, '');
}

/** Width of a string in columns (code points, value marks excluded). */
export function columns(text: string): number {
  return [...text.replace(MARKS, '')].length;
}

function hasValueInText(line: string): boolean {
  return line.includes(VALUE_START) && !ONLY_A_VALUE.test(line.trim());
}

function tooLong(line: string, width: number): boolean {
  return columns(line) > width;
}

function isProse(line: string): boolean {
  return line.trim() !== '' && !/^\s/.test(line) && !MARKER.test(line);
}

function continuesItem(line: string, indent: number): boolean {
  return line.trim() !== '' && !MARKER.test(line) && (/^\s*/.exec(line)?.[0].length ?? 0) >= indent;
}

function joinWords(lines: readonly string[]): string {
  return lines.map((line) => line.trim()).join(' ');
}

// Greedy fill: as many words per line as fit, the first line starting with `first` and the
// others with `rest`.
function fill(text: string, first: string, rest: string, width: number): string[] {
  const words = text.split(/\s+/).filter((word) => word !== '');
  const out: string[] = [];
  let current = first;
  let empty = true;
  for (const word of words) {
    const candidate = empty ? `${current}${word}` : `${current} ${word}`;
    if (!empty && columns(candidate) > width) {
      out.push(current);
      current = `${rest}${word}`;
    } else {
      current = candidate;
    }
    empty = false;
  }
  out.push(current);
  return out.map((line) => line.trimEnd());
}
