/**
 * The template catalogue: which letters exist, for which audience, in which file, and the
 * loader that reads them (built-ins from the package's `templates/`, then the operator's own
 * directory, whose files replace built-ins of the same name).
 *
 * Layout of a template directory (built-in or the operator's):
 *
 *   KIND.AUDIENCE.hbs      a letter, e.g. dmca.isp.hbs, followup-block.complainant.hbs
 *   partials/NAME.hbs      a shared piece, e.g. partials/signature.hbs, used as {{> signature}}
 *
 * Other files are ignored. An operator's `.hbs` file whose name is not a built-in's is refused,
 * so a misspelt override cannot silently leave the built-in in use.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClaimName } from './claims.js';
import type { ComplaintCategory, RemedyKind } from './context.js';
import { LetterError } from './errors.js';
import { analyseTemplate, parseTemplate } from './template.js';
import type { ParsedTemplate, TemplateUsage } from './template.js';

/** Letter kinds: an initial reply per complaint category, and a follow-up per remedy. */
export type LetterKind =
  | 'dmca'
  | 'portscan'
  | 'bruteforce'
  | 'spam'
  | 'dos'
  | 'fraud'
  | 'irc'
  | 'webservice'
  | 'threats'
  | 'law-enforcement'
  | 'generic'
  | 'followup-block'
  | 'followup-reduce-ports'
  | 'followup-middle';

/** Who a letter is written to: the ISP that forwarded the complaint, or its sender directly. */
export type Audience = 'isp' | 'complainant';

/** A kind and the audiences it is written for; the first audience is the default. */
export interface KindSpec {
  /** The kind. */
  kind: LetterKind;
  /** Audiences with a template, default first. */
  audiences: readonly Audience[];
}

/** Every built-in kind, in listing order. */
export const LETTER_KINDS: readonly KindSpec[] = [
  { kind: 'dmca', audiences: ['isp', 'complainant'] },
  { kind: 'portscan', audiences: ['isp', 'complainant'] },
  { kind: 'bruteforce', audiences: ['isp', 'complainant'] },
  { kind: 'spam', audiences: ['isp', 'complainant'] },
  { kind: 'dos', audiences: ['isp', 'complainant'] },
  { kind: 'fraud', audiences: ['isp', 'complainant'] },
  { kind: 'irc', audiences: ['isp', 'complainant'] },
  { kind: 'webservice', audiences: ['isp', 'complainant'] },
  { kind: 'threats', audiences: ['isp', 'complainant'] },
  // Here the "complainant" is the police or agency that asked; "isp" is an ISP passing it on.
  { kind: 'law-enforcement', audiences: ['complainant', 'isp'] },
  { kind: 'generic', audiences: ['isp'] },
  { kind: 'followup-block', audiences: ['isp', 'complainant'] },
  { kind: 'followup-reduce-ports', audiences: ['isp', 'complainant'] },
  { kind: 'followup-middle', audiences: ['isp', 'complainant'] },
];

/** The built-in partials, included as `{{> NAME}}`. */
export const PARTIAL_NAMES = [
  'greeting',
  'tor-intro',
  'relay-identity',
  'complaint-details',
  'exonerator',
  'not-the-source',
  'follow-up-offer',
  'change-list',
  'signature',
] as const;

/** The initial-reply kind for each complaint category. */
export const KIND_FOR_CATEGORY: Readonly<Record<ComplaintCategory, LetterKind>> = {
  copyright: 'dmca',
  scan: 'portscan',
  'brute-force': 'bruteforce',
  spam: 'spam',
  dos: 'dos',
  fraud: 'fraud',
  other: 'generic',
};

/** A template ready to render: parsed, checked, with its catalogue entry. */
export interface LoadedTemplate extends ParsedTemplate {
  /** Its kind. */
  kind: LetterKind;
  /** Its audience. */
  audience: Audience;
  /** Whether the file is the package's or the operator's. */
  origin: 'built-in' | 'user';
  /** Fields, claims and partials it uses. */
  usage: TemplateUsage;
}

/** A loaded partial. */
export interface LoadedPartial extends ParsedTemplate {
  /** Whether the file is the package's or the operator's. */
  origin: 'built-in' | 'user';
}

/** Every template and partial, after overrides, checked and ready to render. */
export interface TemplateSet {
  /** Letter templates by name (`dmca.isp`). */
  templates: ReadonlyMap<string, LoadedTemplate>;
  /** Partials by name (`signature`). */
  partials: ReadonlyMap<string, LoadedPartial>;
}

/** One line of `templates list`. */
export interface TemplateInfo {
  /** `KIND.AUDIENCE`. */
  name: string;
  /** Kind. */
  kind: LetterKind;
  /** Audience. */
  audience: Audience;
  /** First paragraph of its header comment, on one line. */
  description: string;
  /** File it is read from. */
  file: string;
  /** Built-in or the operator's override. */
  origin: 'built-in' | 'user';
  /** Fields it always needs. */
  requires: string[];
  /** Fields it uses when present. */
  optional: string[];
  /** Claims it makes about the relay. */
  claims: ClaimName[];
}

/** `templates show`: a template's entry, its header comment and its full text. */
export interface TemplateDetails extends TemplateInfo {
  /** The header comment, trimmed. */
  header: string;
  /** The file's text. */
  text: string;
}

/** Options for `loadTemplates`. */
export interface LoadTemplatesOptions {
  /** The operator's template directory (`--templates DIR` or the profile's `templates`). */
  userDir?: string | undefined;
  /** The built-in directory; defaults to the package's `templates/`. */
  builtinDir?: string | undefined;
}

/** The package's own template directory. */
export const BUILTIN_TEMPLATE_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

const EXTENSION = '.hbs';

/** Reads, parses and checks every template and partial; overrides come from `userDir`. */
export async function loadTemplates(options: LoadTemplatesOptions = {}): Promise<TemplateSet> {
  const builtinDir = options.builtinDir ?? BUILTIN_TEMPLATE_DIR;
  const templateFiles = new Map<string, { file: string; origin: 'built-in' | 'user' }>();
  const partialFiles = new Map<string, { file: string; origin: 'built-in' | 'user' }>();
  for (const { kind, audiences } of LETTER_KINDS) {
    for (const audience of audiences) {
      const name = `${kind}.${audience}`;
      templateFiles.set(name, { file: join(builtinDir, `${name}${EXTENSION}`), origin: 'built-in' });
    }
  }
  for (const name of PARTIAL_NAMES) {
    partialFiles.set(name, { file: join(builtinDir, 'partials', `${name}${EXTENSION}`), origin: 'built-in' });
  }
  if (options.userDir !== undefined) {
    for (const entry of await listHbs(options.userDir, true)) {
      overrideWith(templateFiles, entry, options.userDir, '');
    }
    for (const entry of await listHbs(join(options.userDir, 'partials'), false)) {
      overrideWith(partialFiles, entry, join(options.userDir, 'partials'), 'partials/');
    }
  }

  const partials = new Map<string, LoadedPartial>();
  for (const [name, { file, origin }] of partialFiles) {
    partials.set(name, { ...parseTemplate(`partials/${name}`, file, await readTemplate(file, `partials/${name}`), true), origin });
  }
  const templates = new Map<string, LoadedTemplate>();
  for (const { kind, audiences } of LETTER_KINDS) {
    for (const audience of audiences) {
      const name = `${kind}.${audience}`;
      const { file, origin } = templateFiles.get(name) as { file: string; origin: 'built-in' | 'user' };
      const parsed = parseTemplate(name, file, await readTemplate(file, name), true);
      templates.set(name, { ...parsed, kind, audience, origin, usage: analyseTemplate(parsed, partials) });
    }
  }
  return { templates, partials };
}

async function listHbs(directory: string, required: boolean): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() && entry.name.endsWith(EXTENSION)).map((entry) => entry.name).sort();
  } catch (cause) {
    if (!required && (cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LetterError('TEMPLATE_UNREADABLE', `Cannot read the template directory ${directory}`, {
      cause,
      input: directory,
      hint: 'check the path given with --templates or in the profile',
    });
  }
}

function overrideWith(
  files: Map<string, { file: string; origin: 'built-in' | 'user' }>,
  entry: string,
  directory: string,
  prefix: string,
): void {
  const name = entry.slice(0, -EXTENSION.length);
  const file = join(directory, entry);
  if (!files.has(name)) {
    throw new LetterError('TEMPLATE_UNKNOWN_NAME', `${file} does not match a built-in ${prefix === '' ? 'template' : 'partial'}`, {
      template: `${prefix}${name}`,
      input: entry,
      location: { file, line: 1 },
      hint: `an override must be named after a built-in, e.g. ${nearest(name, [...files.keys()])}${EXTENSION}`,
    });
  }
  files.set(name, { file, origin: 'user' });
}

async function readTemplate(file: string, name: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new LetterError('TEMPLATE_UNREADABLE', `Cannot read template ${name} from ${file}`, {
      cause,
      template: name,
      input: file,
      hint: 'reinstall exitkit, or fix the file permissions',
    });
  }
}

/** Every template, in catalogue order. */
export function listTemplates(set: TemplateSet): TemplateInfo[] {
  return [...set.templates.values()].map(info);
}

/** A template's entry and text; `name` is `KIND` (its default audience) or `KIND.AUDIENCE`. */
export function showTemplate(set: TemplateSet, name: string): TemplateDetails {
  const [kind = '', audience] = name.split('.', 2);
  const template = findTemplate(set, kind, audience);
  return { ...info(template), header: template.header, text: template.source };
}

/** The template for `kind` and `audience` (the kind's default audience when omitted). */
export function findTemplate(set: TemplateSet, kind: string, audience?: string | undefined): LoadedTemplate {
  const spec = LETTER_KINDS.find((entry) => entry.kind === kind);
  if (spec === undefined) {
    throw new LetterError('LETTER_UNKNOWN_KIND', `There is no letter kind "${kind}"`, {
      input: kind,
      hint: `did you mean ${nearest(kind, LETTER_KINDS.map((entry) => entry.kind))}? The kinds are ${LETTER_KINDS.map((entry) => entry.kind).join(', ')}`,
    });
  }
  const chosen = audience ?? spec.audiences[0];
  const template = set.templates.get(`${kind}.${chosen}`);
  if (template === undefined) {
    throw new LetterError('LETTER_NO_AUDIENCE', `Letter kind "${kind}" has no template for audience "${chosen}"`, {
      input: `${kind}.${chosen}`,
      hint: `its audiences are ${spec.audiences.join(' and ')}`,
    });
  }
  return template;
}

/** The follow-up kind documenting a remedy; there is none for switching back to exit. */
export function followUpKind(remedy: RemedyKind): LetterKind {
  if (remedy === 'exit') {
    throw new LetterError('LETTER_NO_FOLLOWUP_TEMPLATE', 'Switching the relay back to an exit answers no complaint, so there is no follow-up letter for it', {
      input: remedy,
      hint: 'follow-up letters exist for the remedies block, reduce-ports and middle',
    });
  }
  return `followup-${remedy}`;
}

function info(template: LoadedTemplate): TemplateInfo {
  return {
    name: template.name,
    kind: template.kind,
    audience: template.audience,
    description: template.description,
    file: template.file,
    origin: template.origin,
    requires: template.usage.requires,
    optional: template.usage.optional,
    claims: template.usage.claims,
  };
}

// Closest name by edit distance, for "did you mean" hints.
function nearest(input: string, names: readonly string[]): string {
  let best = names[0] ?? '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const distance = editDistance(input, name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
