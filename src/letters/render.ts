/**
 * Renders a letter: context → view → checked template → Handlebars → wrapped plain text,
 * with a final check that nothing unrendered survives.
 */
import Handlebars from 'handlebars';
import { assertClaim, isClaimName } from './claims.js';
import type { LetterContext } from './context.js';
import { LetterError } from './errors.js';
import { findTemplate } from './registry.js';
import type { Audience, LetterKind, TemplateSet } from './registry.js';
import { LETTER_HELPERS, validateView } from './template.js';
import { buildView } from './view.js';
import type { LetterView, ViewValue } from './view.js';
import { LETTER_WIDTH, VALUE_END, VALUE_START, wrapText } from './wrap.js';

/** Options for `renderLetter`. */
export interface RenderOptions {
  /** The templates to use (from `loadTemplates`). */
  templates: TemplateSet;
  /** Audience; the kind's default when omitted. */
  audience?: Audience | undefined;
  /** The letter's date (and the base of "within a week"); defaults to the current time. */
  now?: Date | undefined;
  /** Line width; 72 unless told otherwise. */
  width?: number | undefined;
}

/** A rendered letter. */
export interface RenderedLetter {
  /** Template used, `KIND.AUDIENCE`. */
  name: string;
  /** Its kind. */
  kind: LetterKind;
  /** Its audience. */
  audience: Audience;
  /** Subject line: `Re: ` and the complaint's subject (or a description of the report). */
  subject: string;
  /** Plain text, lines separated by `\n`, ending with one `\n`. */
  body: string;
}

/** Renders the letter `kind` for `context`; every problem is a `LetterError`. */
export function renderLetter(kind: string, context: LetterContext, options: RenderOptions): RenderedLetter {
  const template = findTemplate(options.templates, kind, options.audience);
  const view = buildView(context, options.now ?? new Date());
  validateView(template, options.templates.partials, view, context.facts);

  const env = Handlebars.create();
  for (const [name, partial] of options.templates.partials) env.registerPartial(name, partial.source);
  const compile = env.compile(template.source, {
    noEscape: true,
    strict: true,
    knownHelpersOnly: true,
    knownHelpers: Object.fromEntries(LETTER_HELPERS.map((name) => [name, true])),
  });
  let raw: string;
  try {
    raw = compile(markValues(view) as LetterView, {
      helpers: {
        // validateView has checked every claim on the path taken; checking again here keeps
        // the helper honest should the two ever disagree about which branch runs.
        claim(this: unknown, name: unknown, helperOptions: Handlebars.HelperOptions): string {
          if (typeof name !== 'string' || !isClaimName(name)) throw new TypeError(`unknown claim ${String(name)}`);
          assertClaim(name, context.facts, template.name);
          return helperOptions.fn(this);
        },
      },
    });
  } catch (cause) {
    if (cause instanceof LetterError) throw cause;
    throw new LetterError('LETTER_MISSING_FIELD', `Template ${template.name} could not be rendered: ${String((cause as Error).message ?? cause)}`, {
      cause,
      template: template.name,
      location: { file: template.file, line: 1 },
    });
  }
  const body = wrapText(tidy(raw), options.width ?? LETTER_WIDTH);
  const unrendered = body.indexOf('{{');
  if (unrendered >= 0) {
    const line = body.slice(0, unrendered).split('\n').length;
    throw new LetterError('LETTER_UNRENDERED', `Letter ${template.name} still contains "{{" on line ${line}`, {
      template: template.name,
      input: body.split('\n')[line - 1],
      hint: 'fix the template so every placeholder is a field it is allowed to use',
    });
  }
  return { name: template.name, kind: template.kind, audience: template.audience, subject: subjectFor(context), body };
}

// Each printed value is framed by marks so the wrapper knows where values went; empty
// strings stay empty so that `#if` treats them as Handlebars would.
function markValues(value: ViewValue): ViewValue {
  if (typeof value === 'string') return value === '' ? value : `${VALUE_START}${value}${VALUE_END}`;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(markValues);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, markValues(inner)]));
}

// Trailing blanks go (they would be encoded in e-mail), runs of blank lines left behind by
// branches not taken shrink to one, and the letter ends with exactly one newline.
function tidy(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd());
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}

/** `Re: ` + the complaint's subject, or a subject naming the report when it has none. */
export function subjectFor(context: LetterContext): string {
  const single = (text: string) => text.replace(/\s+/g, ' ').trim();
  const complaint = context.complaint;
  const subject = complaint?.subject === undefined ? '' : single(complaint.subject);
  if (subject !== '') return /^re\s*:/i.test(subject) ? subject : `Re: ${subject}`;
  const reference = complaint?.reference === undefined ? '' : single(complaint.reference);
  if (reference !== '') return `Re: Abuse report ${reference}`;
  const address = complaint?.relayAddress ?? context.relay.addresses[0];
  return address === undefined
    ? `Re: Abuse report concerning Tor relay ${single(context.relay.nickname)}`
    : `Re: Abuse report concerning ${single(address)}`;
}
