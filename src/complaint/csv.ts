/**
 * CSV as Shadowserver and CERTs send it (RFC 4180, comma-separated, first row = header).
 *
 *   file   ::= record *(EOL record) [EOL]
 *   record ::= field *("," field)
 *   field  ::= quoted | plain
 *   quoted ::= DQUOTE *(any-but-dquote | DQUOTE DQUOTE) DQUOTE     ; may span lines
 *   plain  ::= *(any-but-comma-dquote-eol)
 *   EOL    ::= CRLF | LF
 */
import { ComplaintError } from './errors.js';

/** One data row with the line it starts on. */
export interface CsvRow {
  /** Cells by column name (lower-case header). */
  readonly cells: Readonly<Record<string, string>>;
  /** Line (1-based) where the row starts. */
  readonly line: number;
}

/** A CSV table. */
export interface CsvTable {
  /** Column names as written. */
  readonly header: readonly string[];
  /** Data rows. */
  readonly rows: readonly CsvRow[];
  /** Problems (unterminated quote, wrong row width). */
  readonly problems: readonly ComplaintError[];
}

/** Most rows read from one table. */
export const MAX_CSV_ROWS = 50_000;

/** Splits CSV text into records of fields, with the line each record starts on. */
function records(text: string): { records: Array<{ fields: string[]; line: number }>; unterminatedAt: number | null } {
  const out: Array<{ fields: string[]; line: number }> = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let quoteStartLine = 0;
  let fieldStarted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      quoteStartLine = line;
      i++;
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = false;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\n' || c === '\r') {
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === '')) out.push({ fields, line: recordLine });
      if (out.length > MAX_CSV_ROWS) return { records: out, unterminatedAt: null };
      fields = [];
      field = '';
      fieldStarted = false;
      line++;
      recordLine = line;
      i++;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (quoted) return { records: out, unterminatedAt: quoteStartLine };
  if (fieldStarted || field !== '' || fields.length > 0) {
    fields.push(field);
    out.push({ fields, line: recordLine });
  }
  return { records: out, unterminatedAt: null };
}

/** Reads a CSV table whose first record is the header. */
export function readCsv(text: string, where: { part?: string | undefined; file?: string | undefined } = {}): CsvTable {
  const problems: ComplaintError[] = [];
  const { records: all, unterminatedAt } = records(text.replace(/^\uFEFF/, ''));
  if (unterminatedAt !== null) {
    problems.push(
      new ComplaintError('COMPLAINT_BAD_CSV', `a quoted field starting on line ${unterminatedAt} is never closed; rows from there on were not read`, {
        part: where.part,
        file: where.file,
        line: unterminatedAt,
        hint: 'a quote inside a quoted field is written as two quotes ("")',
        severity: 'warning',
      }),
    );
  }
  const [head, ...data] = all;
  if (!head) return { header: [], rows: [], problems };
  const header = head.fields.map((h) => h.trim());
  const names = header.map((h) => h.toLowerCase());
  const rows: CsvRow[] = [];
  for (const record of data) {
    if (record.fields.length !== header.length) {
      problems.push(
        new ComplaintError(
          'COMPLAINT_BAD_CSV',
          `line ${record.line} has ${record.fields.length} fields, the header has ${header.length}; the row is read by position`,
          { part: where.part, file: where.file, line: record.line, severity: 'warning' },
        ),
      );
    }
    const cells: Record<string, string> = {};
    names.forEach((name, k) => {
      if (!(name in cells)) cells[name] = (record.fields[k] ?? '').trim();
    });
    rows.push({ cells, line: record.line });
  }
  return { header, rows, problems };
}

/** True when the first line of `text` looks like a CSV header with the given column names. */
export function looksLikeCsv(text: string, required: readonly RegExp[]): boolean {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  if (!first.includes(',')) return false;
  const columns = first.split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
  return required.every((re) => columns.some((c) => re.test(c)));
}
