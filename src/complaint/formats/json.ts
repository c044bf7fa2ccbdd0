/**
 * JSON as complaints carry it: strict first, then, for the defect real senders produce (bare
 * words such as `n/a` where a value belongs), a lenient second reading that turns each bare
 * word into null and reports it with its line. Anything else that is not JSON is an error with
 * its line and column.
 */
import { ComplaintError } from '../errors.js';

/** Result of reading JSON. */
export interface JsonResult {
  /** The value, or undefined when the text is not JSON even leniently. */
  readonly value: unknown;
  /** Problems: warnings for repaired bare words, an error when unreadable. */
  readonly problems: readonly ComplaintError[];
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/**
 * Replaces bare words outside strings (anything but `true`, `false`, `null`) with `null`.
 * Returns the repaired text and the offsets of the words replaced.
 */
function repairBareWords(text: string): { text: string; replaced: Array<{ index: number; at: number; word: string }> } {
  let out = '';
  const replaced: Array<{ index: number; at: number; word: string }> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      out += text.slice(start, i);
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z][A-Za-z0-9_/.+-]*/.exec(text.slice(i, i + 200));
      const word = m ? m[0] : c;
      if (word === 'true' || word === 'false' || word === 'null') out += word;
      else {
        replaced.push({ index: i, at: out.length, word });
        out += 'null';
      }
      i += word.length;
      continue;
    }
    out += c;
    i++;
  }
  return { text: out, replaced };
}

/** Where JSON.parse stopped, from its message when it says ("at position N"). */
function errorIndex(error: unknown): number | null {
  const m = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  return m ? Number(m[1]) : null;
}

/** Reads JSON text (strictly, then leniently). `where` names the part and file. */
export function readJson(text: string, where: { part?: string | undefined; file?: string | undefined } = {}): JsonResult {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return { value: JSON.parse(body), problems: [] };
  } catch (strictError) {
    const repaired = repairBareWords(body);
    if (repaired.replaced.length > 0) {
      try {
        const value: unknown = JSON.parse(repaired.text);
        const problems = repaired.replaced.map(({ index, word }) => {
          const { line, column } = lineColumn(body, index);
          return new ComplaintError('COMPLAINT_BAD_JSON', `line ${line}, column ${column}: bare word "${word}" is not a JSON value; read as null`, {
            part: where.part,
            file: where.file,
            line,
            column,
            input: word,
            hint: `write "${word}" as a quoted string or null`,
            severity: 'warning',
          });
        });
        return { value, problems };
      } catch {
        // fall through to the strict error, which points at the first real defect
      }
    }
    // V8 names no position for an unexpected bare word; then the repaired text's error position,
    // mapped back over the replacements, points at the real defect.
    let index = errorIndex(strictError);
    if (index === null && repaired.replaced.length > 0) {
      try {
        JSON.parse(repaired.text);
      } catch (repairedError) {
        const at = errorIndex(repairedError);
        if (at !== null) {
          const shift = repaired.replaced.filter((r) => r.at < at).reduce((sum, r) => sum + r.word.length - 4, 0);
          index = at + shift;
        }
      }
    }
    if (index === null && strictError instanceof Error && /end of JSON input/i.test(strictError.message)) index = body.length;
    const at = index === null ? null : lineColumn(body, index);
    const detail = strictError instanceof Error ? strictError.message : String(strictError);
    return {
      value: undefined,
      problems: [
        new ComplaintError('COMPLAINT_BAD_JSON', `${at ? `line ${at.line}, column ${at.column}: ` : ''}the report is not valid JSON (${detail})`, {
          part: where.part,
          file: where.file,
          line: at?.line,
          column: at?.column,
          input: index === null ? body.slice(0, 80) : body.slice(Math.max(0, index - 20), index + 40),
          cause: strictError,
        }),
      ],
    };
  }
}
