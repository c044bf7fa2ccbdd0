/**
 * Typed errors shared by every layer.
 *
 * Every problem exitkit reports is an `ExitkitError` with a machine-readable `code`, an
 * optional source location (file:line of a torrc entry, or an offset range into an
 * operator-typed argument) and an optional hint saying what would be right. Formatting for
 * humans is a separate step (`formatError`), so tests assert on `code` and `location`,
 * never on wording.
 */

/** Where in a torrc (or other input file) a problem sits. Lines and columns are 1-based. */
export interface SourceLocation {
  /** Path of the file as exitkit opened it (absolute when known). */
  file: string;
  /** First physical line of the entry or token. */
  line: number;
  /** Last physical line, when the entry spans several (backslash continuations). */
  endLine?: number;
  /** Column of the offending text on `line`, when known. */
  column?: number;
}

/** Severity of a diagnostic: errors make a configuration or input unusable, warnings do not. */
export type Severity = 'error' | 'warning';

/** Options for constructing an `ExitkitError`. */
export interface ExitkitErrorOptions {
  /** Where the problem is. */
  location?: SourceLocation | undefined;
  /** `[start, end)` offsets into `input`, for problems in a single typed value. */
  pos?: readonly [number, number] | undefined;
  /** The text the problem is about (an item, an argument), quoted in messages. */
  input?: string | undefined;
  /** What would be right, e.g. "did you mean 10.0.0.0/8?". */
  hint?: string | undefined;
  /** The underlying error, never dropped. */
  cause?: unknown;
  /** `warning` for problems Tor accepts but mis-reads or ignores. Defaults to `error`. */
  severity?: Severity | undefined;
}

/** Base class of every error exitkit raises or collects. */
export class ExitkitError<Code extends string = string> extends Error {
  /** Stable, machine-readable identifier of the problem (e.g. `POLICY_BAD_PORT`). */
  readonly code: Code;
  /** Where the problem is, when it comes from a file. */
  readonly location: SourceLocation | undefined;
  /** Offsets into `input` of the offending part. */
  readonly pos: readonly [number, number] | undefined;
  /** The offending text. */
  readonly input: string | undefined;
  /** What would be right. */
  readonly hint: string | undefined;
  /** `error` or `warning`. */
  readonly severity: Severity;

  constructor(code: Code, message: string, options: ExitkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
    this.pos = options.pos;
    this.input = options.input;
    this.hint = options.hint;
    this.severity = options.severity ?? 'error';
  }
}

// `name` lives on the prototype (not as an own enumerable field) so that errors print and
// serialise like built-in ones; subclasses set their own the same way.
Object.defineProperty(ExitkitError.prototype, 'name', {
  value: 'ExitkitError',
  enumerable: false,
  configurable: true,
  writable: true,
});

/** Sets a subclass's `name` on its prototype, the way built-in errors carry it. */
export function setErrorName(ErrorClass: { prototype: Error }, name: string): void {
  Object.defineProperty(ErrorClass.prototype, 'name', {
    value: name,
    enumerable: false,
    configurable: true,
    writable: true,
  });
}

/** Renders a location as `file:line` (or `file:line-endLine`). */
export function formatLocation(location: SourceLocation): string {
  const lines =
    location.endLine !== undefined && location.endLine !== location.line
      ? `${location.line}-${location.endLine}`
      : `${location.line}`;
  return location.column !== undefined
    ? `${location.file}:${lines}:${location.column}`
    : `${location.file}:${lines}`;
}

/**
 * Formats an error for a terminal: `file:line: severity: message`, then the offending input
 * with a caret under `pos` when known, then the hint.
 */
export function formatError(error: ExitkitError): string {
  const where = error.location ? `${formatLocation(error.location)}: ` : '';
  const lines = [`${where}${error.severity}: ${error.message}`];
  if (error.input !== undefined && error.pos !== undefined) {
    const [start, end] = error.pos;
    // Control characters (a typed newline, a NUL) are shown escaped, so the excerpt stays on
    // one line and the caret lines up under the escaped text.
    const before = visible(error.input.slice(0, start));
    const marked = visible(error.input.slice(start, end));
    lines.push(`  ${visible(error.input)}`);
    lines.push(`  ${' '.repeat(before.length)}${'^'.repeat(Math.max(1, marked.length))}`);
  }
  if (error.hint) lines.push(`  hint: ${error.hint}`);
  return lines.join('\n');
}

/** Escapes control characters so that user input prints on one line. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
