/**
 * `source` — a template tag for short inline fixtures (torrc snippets, mails, diffs).
 *
 * The text is taken raw: backslashes stay exactly as typed (so torrc continuations and C
 * escapes are written as they appear in a file); only \` and \$ lose their backslash.
 * Removes the first line when it is empty, the last line when it holds only indentation,
 * and the smallest common indentation of the non-blank lines; keeps a final newline. Values
 * interpolated with `${...}` are inserted after dedenting, verbatim (their own lines are not
 * re-indented), so they can carry tabs, CRs or odd spacing on purpose.
 *
 *   source`
 *     ExitPolicy reject 1.2.3.4:*
 *     Nickname ${name}
 *   ` === 'ExitPolicy reject 1.2.3.4:*\nNickname Relay\n'
 */

const PLACEHOLDER = '\u0000';

/** Dedents a template literal (see the module comment). */
export function source(strings: TemplateStringsArray, ...values: unknown[]): string {
  // Dedent the literal parts only, with placeholders where values go, so values never
  // influence the indentation that is removed.
  let text = strings.raw.map((part) => part.replace(/\\([`$])/g, '$1')).join(PLACEHOLDER);
  const lines = text.split('\n');
  if (lines.length > 1 && lines[0]?.trim() === '') lines.shift();
  if (lines.length > 0 && /^[ \t]*$/.test(lines[lines.length - 1] ?? '')) lines[lines.length - 1] = '';
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  text = lines.map((line) => line.slice(Math.min(cut, /^[ \t]*/.exec(line)?.[0].length ?? 0))).join('\n');
  let index = 0;
  return text.replace(/\u0000/g, () => String(values[index++]));
}
