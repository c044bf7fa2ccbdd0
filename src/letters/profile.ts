/**
 * The operator profile: who signs the letters. A small JSON file, created by `exitkit init`,
 * found at `$EXITKIT_PROFILE` or else `/etc/exitkit/profile.json`:
 *
 *   {
 *     "format": "exitkit-profile/1",
 *     "name": "Alice Example",
 *     "email": "abuse@relay.example.org",
 *     "organisation": "Example Privacy Association",   (optional)
 *     "signature": ["+49 30 1234567", "https://relay.example.org/"],   (optional)
 *     "templates": "/etc/exitkit/templates"   (optional: directory of own templates)
 *   }
 *
 * Every text must fit on one e-mail line (72 columns) and carry no control characters, so a
 * signature never needs re-wrapping and no value can add a line or a header to a letter.
 */
import { isAbsolute } from 'node:path';
import type { OperatorProfile } from './context.js';
import { LetterError } from './errors.js';

/** Environment variable naming the profile file. */
export const PROFILE_ENV = 'EXITKIT_PROFILE';
/** Where the profile lives when `$EXITKIT_PROFILE` is unset. */
export const DEFAULT_PROFILE_PATH = '/etc/exitkit/profile.json';
/** Format tag of the profile file, bumped on incompatible changes. */
export const PROFILE_FORMAT = 'exitkit-profile/1';
/** Longest text a profile field may hold, in characters (one e-mail line). */
export const PROFILE_MAX_TEXT = 72;
/** Most signature lines a profile may hold. */
export const PROFILE_MAX_SIGNATURE_LINES = 8;

/** What the operator types when creating a profile. */
export interface ProfileInput {
  /** Full name. */
  name: string;
  /** Reply address. */
  email: string;
  /** Organisation, if any. */
  organisation?: string | undefined;
  /** Extra signature lines. */
  signature?: readonly string[] | undefined;
  /** Directory of own templates. */
  templates?: string | undefined;
}

/** A validated profile and the exact file text to store it as. */
export interface CreatedProfile {
  /** The profile as letters use it. */
  profile: OperatorProfile;
  /** JSON text for the profile file (two-space indent, final newline). */
  text: string;
}

const FIELDS = ['format', 'name', 'email', 'organisation', 'signature', 'templates'] as const;

// A pragmatic addr-spec: dot-atom "@" dot-atom with an ASCII domain of at least two labels.
// Quoted local parts and address literals are legal in RFC 5322 but never needed here, and
// refusing them keeps every character that could break a header out.
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`|~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`|~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The profile file to read: `$EXITKIT_PROFILE` when set and non-empty, else the default. */
export function profilePath(env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[PROFILE_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_PROFILE_PATH;
}

/** Validates what the operator typed and returns the profile with its file text. */
export function createProfile(input: ProfileInput): CreatedProfile {
  const record: Record<string, unknown> = { format: PROFILE_FORMAT, name: input.name, email: input.email };
  if (input.organisation !== undefined) record['organisation'] = input.organisation;
  if (input.signature !== undefined) record['signature'] = [...input.signature];
  if (input.templates !== undefined) record['templates'] = input.templates;
  const profile = validateProfile(record, undefined, undefined);
  return { profile, text: `${JSON.stringify(record, null, 2)}\n` };
}

/** Parses and validates a profile file's text; `file` is used in error locations. */
export function parseProfile(text: string, file: string): OperatorProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    const position = /position (\d+)/.exec(String(cause))?.[1];
    const offset = position === undefined ? text.length : Number(position);
    const { line, column } = lineAndColumn(text, offset);
    throw new LetterError('PROFILE_SYNTAX', `The profile ${file} is not valid JSON`, {
      cause,
      location: { file, line, column },
      hint: `write it as a JSON object, e.g. {"format": "${PROFILE_FORMAT}", "name": "…", "email": "…"}`,
    });
  }
  return validateProfile(data, file, text);
}

function validateProfile(data: unknown, file: string | undefined, text: string | undefined): OperatorProfile {
  const where = (key: string) => (file === undefined ? {} : { location: { file, line: lineOfKey(text ?? '', key) } });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new LetterError('PROFILE_NOT_OBJECT', 'A profile must be a JSON object', {
      ...(file === undefined ? {} : { location: { file, line: 1 } }),
      hint: `e.g. {"format": "${PROFILE_FORMAT}", "name": "…", "email": "…"}`,
    });
  }
  const record = data as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new LetterError('PROFILE_UNKNOWN_FIELD', `The profile has an unknown field "${key}"`, {
        ...where(key),
        input: key,
        hint: `the fields are ${FIELDS.join(', ')}`,
      });
    }
  }
  for (const key of ['format', 'name', 'email'] as const) {
    if (record[key] === undefined) {
      throw new LetterError('PROFILE_MISSING_FIELD', `The profile has no "${key}"`, {
        ...(file === undefined ? {} : { location: { file, line: 1 } }),
        field: key,
        hint: key === 'format' ? `add "format": "${PROFILE_FORMAT}"` : `add "${key}": "…"`,
      });
    }
  }
  if (record['format'] !== PROFILE_FORMAT) {
    throw bad('format', record['format'], `must be "${PROFILE_FORMAT}"`, where('format'));
  }
  const name = text1('name', record['name'], where('name'));
  const email = text1('email', record['email'], where('email'));
  if (!EMAIL.test(email)) {
    throw bad('email', email, 'must be a plain address such as abuse@relay.example.org', where('email'));
  }
  const profile: OperatorProfile = { name, email, signature: [] };
  if (record['organisation'] !== undefined) {
    profile.organisation = text1('organisation', record['organisation'], where('organisation'));
  }
  const signature = record['signature'];
  if (signature !== undefined) {
    if (!Array.isArray(signature) || signature.length > PROFILE_MAX_SIGNATURE_LINES) {
      throw bad('signature', signature, `must be a list of at most ${PROFILE_MAX_SIGNATURE_LINES} lines`, where('signature'));
    }
    profile.signature = signature.map((line: unknown, index) => text1(`signature[${index}]`, line, where('signature')));
  }
  const templates = record['templates'];
  if (templates !== undefined) {
    const directory = text1('templates', templates, where('templates'), 4096);
    if (!isAbsolute(directory)) {
      throw bad('templates', directory, 'must be an absolute directory path', where('templates'));
    }
    profile.templates = directory;
  }
  return profile;
}

function text1(
  field: string,
  value: unknown,
  where: { location?: { file: string; line: number } },
  max = PROFILE_MAX_TEXT,
): string {
  if (typeof value !== 'string') throw bad(field, value, 'must be a string', where);
  const trimmed = value.trim();
  if (trimmed === '') throw bad(field, value, 'must not be empty', where);
  if (CONTROL.test(value)) {
    throw bad(field, value, 'must be a single line without control characters', where);
  }
  if (value.includes('{{') || value.includes('}}')) throw bad(field, value, 'must not contain "{{" or "}}"', where);
  if ([...trimmed].length > max) throw bad(field, value, `must be at most ${max} characters`, where);
  return trimmed;
}

function bad(field: string, value: unknown, rule: string, where: { location?: { file: string; line: number } }): LetterError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new LetterError('PROFILE_BAD_FIELD', `Profile field "${field}" ${rule}; got ${JSON.stringify(shown)}`, {
    ...where,
    field,
    input: shown,
  });
}

function lineOfKey(text: string, key: string): number {
  const index = text.indexOf(`"${key}"`);
  return index < 0 ? 1 : lineAndColumn(text, index).line;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
