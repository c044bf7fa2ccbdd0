/**
 * A strict-enough reader for the flat YAML that X-ARF 0.1/0.2 reports (and their imitators)
 * use: one `Key: value` per line, no nesting, no lists. A general YAML library would accept far
 * more than these reports contain, and would still need the same checks on top; this reader
 * accepts exactly the flat subset and reports everything else line by line.
 *
 *   document      ::= ["---" EOL] *line ["..." EOL]
 *   line          ::= blank | comment | pair
 *   pair          ::= key ":" [1*WS value] EOL
 *   key           ::= ALNUM *(ALNUM | "-" | "_" | ".")
 *   value         ::= [tag 1*WS] (single-quoted | double-quoted | plain)
 *   tag           ::= "!!" name *("/" name)           ; e.g. !!python/unicode, ignored
 *   single-quoted ::= "'" *(any-but-quote | "''") "'"
 *   double-quoted ::= DQUOTE *(any-but-dquote-backslash | "\" escape) DQUOTE
 *   plain         ::= text up to EOL, a " #" comment and surrounding blanks removed
 *   comment       ::= "#" text
 *
 * A mail signature separator line (`-- `) ends the document: mailing lists append footers to
 * the report part.
 */
import { ComplaintError } from './errors.js';

/** One `Key: value` pair. */
export interface YamlField {
  /** The key as written. */
  readonly key: string;
  /** The value with quotes and tags removed. */
  readonly value: string;
  /** Line (1-based) of the pair in the text. */
  readonly line: number;
}

/** A flat YAML document. */
export interface FlatYaml {
  /** Fields by lower-case key (the first occurrence when a key repeats). */
  readonly fields: ReadonlyMap<string, YamlField>;
  /** Problems, each with its line. */
  readonly problems: readonly ComplaintError[];
}

// The value is trimmed in code: a lazy `(.*?)` before `[ \t]*$` would be quadratic on long lines.
const PAIR = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(?:[ \t]+(.*))?$/;
const TAG = /^!![A-Za-z0-9_]+(?:\/[A-Za-z0-9_]+)*[ \t]+/;

/** Reads a scalar; returns null with a reason when its quoting is broken. */
function readScalar(raw: string): { value: string } | { error: string } {
  const text = raw.replace(TAG, '');
  if (text.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'[ \t]*(?:#.*)?$/.exec(text);
    if (!m) return { error: 'a single-quoted value is not closed' };
    return { value: (m[1] ?? '').replace(/''/g, "'") };
  }
  if (text.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"[ \t]*(?:#.*)?$/.exec(text);
    if (!m) return { error: 'a double-quoted value is not closed' };
    const value = (m[1] ?? '').replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', '"': '"', '\\': '\\' })[c] ?? c);
    return { value };
  }
  const comment = text.search(/[ \t]#/);
  return { value: (comment < 0 ? text : text.slice(0, comment)).trim() };
}

/** Reads a flat YAML document. `part` and `file` go into the problems' locations. */
export function readFlatYaml(text: string, where: { part?: string | undefined; file?: string | undefined } = {}): FlatYaml {
  const fields = new Map<string, YamlField>();
  const problems: ComplaintError[] = [];
  const lines = text.split(/\r?\n/);
  let started = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const n = i + 1;
    if (line === '-- ' || line === '--') break;
    if (/^\s*(?:#.*)?$/.test(line)) continue;
    if (!started && line.trim() === '---') {
      started = true;
      continue;
    }
    started = true;
    if (line.trim() === '...') break;
    const m = PAIR.exec(line);
    if (!m) {
      problems.push(
        new ComplaintError('COMPLAINT_BAD_YAML', `line ${n} of the report is not "Key: value": "${line.slice(0, 80)}"`, {
          part: where.part,
          file: where.file,
          line: n,
          input: line.slice(0, 200),
          hint: 'X-ARF reports are flat: one "Key: value" pair per line',
          severity: 'warning',
        }),
      );
      continue;
    }
    const key = m[1] ?? '';
    const scalar = readScalar((m[2] ?? '').trimEnd());
    if ('error' in scalar) {
      problems.push(
        new ComplaintError('COMPLAINT_BAD_YAML', `line ${n}: ${scalar.error} in "${line.slice(0, 80)}"`, {
          part: where.part,
          file: where.file,
          line: n,
          input: line.slice(0, 200),
          hint: "close the quote, or write the value without quotes",
          severity: 'warning',
        }),
      );
      continue;
    }
    const lower = key.toLowerCase();
    if (fields.has(lower)) {
      problems.push(
        new ComplaintError('COMPLAINT_BAD_YAML', `line ${n}: key "${key}" appears again; the first value is used`, {
          part: where.part,
          file: where.file,
          line: n,
          input: line.slice(0, 200),
          severity: 'warning',
        }),
      );
      continue;
    }
    fields.set(lower, { key, value: scalar.value, line: n });
  }
  return { fields, problems };
}

// Keys that only an abuse report (not a whois record or a mail header block) carries.
const REPORT_KEYS = ['report-type', 'reported-from', 'schema-url', 'report-id', 'category'];

/**
 * True when `text` starts like an X-ARF YAML report: its first non-blank lines are at least
 * three `Key: value` pairs, among them `Source` and one report key (`Report-Type`,
 * `Reported-From`, `Schema-URL`, `Report-ID`, `Category`).
 */
export function looksLikeReportYaml(text: string): boolean {
  const keys = new Set<string>();
  let pairs = 0;
  for (const line of text.split(/\r?\n/).slice(0, 60)) {
    if (/^\s*$/.test(line) || line.trim() === '---') continue;
    const m = PAIR.exec(line);
    if (!m) break;
    pairs++;
    keys.add((m[1] ?? '').toLowerCase());
  }
  return pairs >= 3 && keys.has('source') && REPORT_KEYS.some((k) => keys.has(k));
}
