/**
 * Typed problems found while reading an abuse complaint.
 *
 * Reading a complaint never throws: every problem becomes a `ComplaintError` collected on the
 * result (`problems`), and a complaint that cannot be read at all carries one as its `reason`.
 * Errors raised inside a MIME part name the part (`part`) and, where it helps, the line inside
 * the decoded part (`location.line`); for a JSON or CSV file read directly, `location.line` is
 * the line of that file.
 */
import { ExitkitError, setErrorName, type SourceLocation } from '../errors.js';

/** What went wrong while reading a complaint. */
export type ComplaintErrorCode =
  /** The input is empty (or only whitespace). */
  | 'COMPLAINT_EMPTY'
  /** The input is larger than the configured limit and was not read. */
  | 'COMPLAINT_TOO_LARGE'
  /** No known report format and no reported address were found. */
  | 'COMPLAINT_NOT_RECOGNISED'
  /** A report names no IP address as its source (e.g. only a URL). */
  | 'COMPLAINT_NO_SOURCE'
  /** A JSON report is not valid JSON (it may still have been read leniently). */
  | 'COMPLAINT_BAD_JSON'
  /** An X-ARF YAML report has a line that is not `Key: value`, or a duplicate key. */
  | 'COMPLAINT_BAD_YAML'
  /** An XML report (ACNS, IODEF, MarkMonitor) is not well-formed. */
  | 'COMPLAINT_BAD_XML'
  /** A CSV report has an unterminated quote or rows of the wrong width. */
  | 'COMPLAINT_BAD_CSV'
  /** The MIME structure is broken: missing boundary, too deep, too many parts. */
  | 'COMPLAINT_BAD_MIME'
  /** A zip or gzip attachment could not be read, or unpacks to more than the limit. */
  | 'COMPLAINT_BAD_ARCHIVE'
  /** A field that should hold an IP address holds something else. */
  | 'COMPLAINT_BAD_ADDRESS'
  /** A field that should hold a port holds something else (0, > 65535, text). */
  | 'COMPLAINT_BAD_PORT'
  /** A time could not be read, or could not be placed in UTC without guessing. */
  | 'COMPLAINT_BAD_TIME'
  /** A field the format requires is missing. */
  | 'COMPLAINT_MISSING_FIELD'
  /** Reading stopped on an unexpected error (a defect in exitkit); the cause is attached. */
  | 'COMPLAINT_READ_FAILED';

/** Options of a `ComplaintError` beyond those of every `ExitkitError`. */
export interface ComplaintErrorOptions {
  /** The MIME part (or archive member) the problem is in, e.g. `part 2 "report.txt"`. */
  part?: string | undefined;
  /** Line (1-based) in the decoded part or file, when known. */
  line?: number | undefined;
  /** Column (1-based) on that line, when known. */
  column?: number | undefined;
  /** Name of the complaint file, for the location. */
  file?: string | undefined;
  /** The offending text. */
  input?: string | undefined;
  /** What would be right. */
  hint?: string | undefined;
  /** `warning` when the complaint could still be read. Defaults to `error`. */
  severity?: 'error' | 'warning' | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/** A problem found while reading a complaint. */
export class ComplaintError extends ExitkitError<ComplaintErrorCode> {
  /** The MIME part or archive member the problem is in, when not the whole input. */
  readonly part: string | undefined;

  constructor(code: ComplaintErrorCode, message: string, options: ComplaintErrorOptions = {}) {
    const location: SourceLocation | undefined =
      options.line === undefined
        ? undefined
        : {
            file: options.file ?? '<complaint>',
            line: options.line,
            ...(options.column === undefined ? {} : { column: options.column }),
          };
    super(code, message, {
      location,
      input: options.input,
      hint: options.hint,
      severity: options.severity,
      cause: options.cause,
    });
    this.part = options.part;
  }
}
setErrorName(ComplaintError, 'ComplaintError');

/** Plain-object form of a `ComplaintError`, for `--json` output. */
export interface ComplaintErrorJSON {
  /** Machine-readable code. */
  code: ComplaintErrorCode;
  /** `error` or `warning`. */
  severity: 'error' | 'warning';
  /** Human-readable message. */
  message: string;
  /** The part the problem is in. */
  part?: string;
  /** Line in the part or file. */
  line?: number;
  /** Column on that line. */
  column?: number;
  /** The offending text. */
  input?: string;
  /** What would be right. */
  hint?: string;
}

/** Converts a `ComplaintError` to a plain object that survives `JSON.stringify`. */
export function complaintErrorToJSON(error: ComplaintError): ComplaintErrorJSON {
  const json: ComplaintErrorJSON = {
    code: error.code,
    severity: error.severity,
    message: error.message,
  };
  if (error.part !== undefined) json.part = error.part;
  if (error.location !== undefined) {
    json.line = error.location.line;
    if (error.location.column !== undefined) json.column = error.location.column;
  }
  if (error.input !== undefined) json.input = error.input;
  if (error.hint !== undefined) json.hint = error.hint;
  return json;
}
