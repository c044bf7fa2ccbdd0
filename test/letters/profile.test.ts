import { describe, expect, test } from 'vitest';
import {
  DEFAULT_PROFILE_PATH,
  PROFILE_ENV,
  PROFILE_FORMAT,
  createProfile,
  parseProfile,
  profilePath,
} from '../../src/letters/profile.js';
import type { ProfileInput } from '../../src/letters/profile.js';

const FILE = '/etc/exitkit/profile.json';
const base: ProfileInput = { name: 'Alice Example', email: 'abuse@relay.example.org' };

describe('letters/profile', () => {
  describe('#profilePath', () => {
    test.each<[Record<string, string | undefined>, string]>([
      [{}, DEFAULT_PROFILE_PATH],
      [{ [PROFILE_ENV]: '' }, DEFAULT_PROFILE_PATH],
      [{ [PROFILE_ENV]: '/root/exitkit.json' }, '/root/exitkit.json'],
    ])('%j → %s', (env, expected) => {
      expect(profilePath(env)).toBe(expected);
    });
  });

  describe('#createProfile', () => {
    test('writes a profile file that parses back to the same profile', () => {
      const created = createProfile({
        ...base,
        organisation: 'Example Privacy Association',
        signature: ['+49 30 1234567', 'https://relay.example.org/'],
        templates: '/etc/exitkit/templates',
      });
      expect(created.text).toBe(
        [
          '{',
          `  "format": "${PROFILE_FORMAT}",`,
          '  "name": "Alice Example",',
          '  "email": "abuse@relay.example.org",',
          '  "organisation": "Example Privacy Association",',
          '  "signature": [',
          '    "+49 30 1234567",',
          '    "https://relay.example.org/"',
          '  ],',
          '  "templates": "/etc/exitkit/templates"',
          '}',
          '',
        ].join('\n'),
      );
      expect(parseProfile(created.text, FILE)).toEqual(created.profile);
    });

    test('trims what the operator typed and leaves optional fields out', () => {
      expect(createProfile({ name: '  Alice Example ', email: 'abuse@relay.example.org' }).profile).toEqual({
        name: 'Alice Example',
        email: 'abuse@relay.example.org',
        signature: [],
      });
    });

    test.each<[string, ProfileInput, string]>([
      ['an empty name', { ...base, name: '   ' }, 'name'],
      ['a name with a line break', { ...base, name: 'Alice\nBcc: x@example.com' }, 'name'],
      ['a name with a tab', { ...base, name: 'Alice\tExample' }, 'name'],
      ['a name with braces', { ...base, name: 'Alice {{relay.nickname}}' }, 'name'],
      ['a name longer than a line', { ...base, name: 'A'.repeat(73) }, 'name'],
      ['an address without @', { ...base, email: 'abuse.relay.example.org' }, 'email'],
      ['an address with a display name', { ...base, email: 'Alice <abuse@relay.example.org>' }, 'email'],
      ['an address with a space', { ...base, email: 'abuse @relay.example.org' }, 'email'],
      ['an address with a bare domain', { ...base, email: 'abuse@localhost' }, 'email'],
      ['an address with CRLF', { ...base, email: 'abuse@relay.example.org\r\nBcc: x@example.com' }, 'email'],
      ['an address with a trailing dot', { ...base, email: 'abuse.@relay.example.org' }, 'email'],
      ['an empty organisation', { ...base, organisation: '' }, 'organisation'],
      ['an empty signature line', { ...base, signature: ['ok', ' '] }, 'signature[1]'],
      ['a signature line with a line break', { ...base, signature: ['one\ntwo'] }, 'signature[0]'],
      ['too many signature lines', { ...base, signature: Array.from({ length: 9 }, (_, i) => `line ${i}`) }, 'signature'],
      ['a relative templates directory', { ...base, templates: 'templates' }, 'templates'],
    ])('refuses %s', (_name, input, field) => {
      expect(() => createProfile(input)).toThrow(expect.objectContaining({ code: 'PROFILE_BAD_FIELD', field }));
    });
  });

  describe('#parseProfile', () => {
    test.each<[string, string, string, number | undefined]>([
      ['text that is not JSON', '{ "format": "exitkit-profile/1", "name": "A" ', 'PROFILE_SYNTAX', undefined],
      ['a trailing comma', '{\n  "format": "exitkit-profile/1",\n}\n', 'PROFILE_SYNTAX', 3],
      ['a JSON list', '[]', 'PROFILE_NOT_OBJECT', 1],
      ['JSON null', 'null', 'PROFILE_NOT_OBJECT', 1],
      ['no format', '{"name": "A", "email": "a@b.example"}', 'PROFILE_MISSING_FIELD', 1],
      ['no email', `{"format": "${PROFILE_FORMAT}", "name": "A"}`, 'PROFILE_MISSING_FIELD', 1],
      ['another format', '{"format": "exitkit-profile/2", "name": "A", "email": "a@b.example"}', 'PROFILE_BAD_FIELD', 1],
      ['a misspelt field', `{\n"format": "${PROFILE_FORMAT}",\n"name": "A",\n"email": "a@b.example",\n"organization": "X"\n}`, 'PROFILE_UNKNOWN_FIELD', 5],
      ['a number for a name', `{"format": "${PROFILE_FORMAT}", "name": 7, "email": "a@b.example"}`, 'PROFILE_BAD_FIELD', 1],
      ['a string for the signature', `{"format": "${PROFILE_FORMAT}", "name": "A", "email": "a@b.example", "signature": "x"}`, 'PROFILE_BAD_FIELD', 1],
    ])('refuses %s', (_name, text, code, line) => {
      let error: unknown;
      try {
        parseProfile(text, FILE);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code, location: { file: FILE } });
      if (line !== undefined) expect(error).toMatchObject({ location: { line } });
    });

    test('accepts a minimal profile', () => {
      expect(parseProfile(`{"format": "${PROFILE_FORMAT}", "name": "A", "email": "a@b.example"}`, FILE)).toEqual({
        name: 'A',
        email: 'a@b.example',
        signature: [],
      });
    });
  });
});
