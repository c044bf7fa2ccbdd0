import { describe, expect, test } from 'vitest';
import type { ConfigFacts } from '../../src/letters/context.js';
import { analyseTemplate, parseTemplate, validateView } from '../../src/letters/template.js';
import type { ParsedTemplate } from '../../src/letters/template.js';
import { buildView } from '../../src/letters/view.js';
import { NOW, configLine, fullContext, minimalContext } from './helpers.js';

const HEADER = '{{!--\n  A test letter.\n\n  Use in tests.\n--}}\n';
const parse = (body: string, name = 'test.isp') => parseTemplate(name, `/t/${name}.hbs`, `${HEADER}${body}`, true);
const partial = (name: string, body: string) => parseTemplate(`partials/${name}`, `/t/partials/${name}.hbs`, `${HEADER}${body}`, true);
const partials = (...list: ParsedTemplate[]) => new Map(list.map((p) => [p.name.replace('partials/', ''), p]));
const quiet: ConfigFacts = { logging: { verboseLogs: [], safeLogging: undefined }, smtpRejected: true };

describe('letters/template', () => {
  describe('#parseTemplate', () => {
    test('reads the description from the first paragraph of the header comment', () => {
      expect(parseTemplate('x.isp', '/t/x.isp.hbs', '{{!--\n  One sentence that\n  goes on.\n\n  More.\n--}}\n', true).description).toBe(
        'One sentence that goes on.',
      );
      const parsed = parse('Hello\n');
      expect(parsed.description).toBe('A test letter.');
      expect(parsed.header).toBe('A test letter.\n\n  Use in tests.');
    });

    test.each([
      ['no header', 'Hello {{relay.nickname}}\n', 'TEMPLATE_NO_HEADER', 1],
      ['a header that is not first', 'Hi\n{{!-- late --}}\n', 'TEMPLATE_NO_HEADER', 1],
      ['a short comment form', '{{! not the long form }}\nHi\n', 'TEMPLATE_NO_HEADER', 1],
      ['an empty header', '{{!--   --}}\nHi\n', 'TEMPLATE_NO_HEADER', 1],
      ['an unclosed block', `${HEADER}{{#if relay.contactInfo}}\nHi\n`, 'TEMPLATE_SYNTAX', 8],
      ['a stray closing tag', `${HEADER}Hi\n{{/if}}\n`, 'TEMPLATE_SYNTAX', 7],
    ])('refuses %s', (_name, source, code, line) => {
      expect(() => parseTemplate('x.isp', '/t/x.isp.hbs', source, true)).toThrow(
        expect.objectContaining({ code, template: 'x.isp', location: expect.objectContaining({ file: '/t/x.isp.hbs', line }) }),
      );
    });
  });

  describe('#analyseTemplate', () => {
    test('lists the fields a template always needs, those it uses when present, its claims and partials', () => {
      const template = parse(
        [
          '{{> sig}}',
          'Hello {{relay.nickname}}.',
          '{{#if complaint.reference}}Ref {{complaint.reference}}{{/if}}',
          '{{#each followup.changes}}- {{this}} ({{@index}}) for {{../relay.fingerprint}}',
          '{{else}}{{links.exonerator}}{{/each}}',
          '{{#claim "no-connection-logs"}}No logs.{{/claim}}',
          '',
        ].join('\n'),
      );
      expect(analyseTemplate(template, partials(partial('sig', '{{operator.name}}\n')))).toEqual({
        requires: ['@index', 'followup.changes', 'followup.changes[]', 'operator.name', 'relay.fingerprint', 'relay.nickname'],
        optional: ['complaint.reference', 'links.exonerator'],
        claims: ['no-connection-logs'],
        partials: ['sig'],
      });
    });

    test.each([
      ['an unknown field', 'Hi {{relay.nick}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['an unknown top-level field', 'Hi {{isp.name}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['a typo inside a branch never taken', '{{#if relay.contactInfo}}\n{{relay.contactinfo}}\n{{/if}}\n', 'TEMPLATE_UNKNOWN_FIELD', 7],
      ['a field of a text', '{{relay.nickname.length}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['@index outside #each', '{{@index}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['"../" at the top', '{{../relay.nickname}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['a prototype property', '{{relay.constructor}}\n', 'TEMPLATE_UNKNOWN_FIELD', 6],
      ['printing a record', '{{relay}}\n', 'TEMPLATE_MISUSED_FIELD', 6],
      ['printing a list', '{{relay.addresses}}\n', 'TEMPLATE_MISUSED_FIELD', 6],
      ['printing a flag', '{{followup.applied}}\n', 'TEMPLATE_MISUSED_FIELD', 6],
      ['iterating a text', '{{#each relay.nickname}}x{{/each}}\n', 'TEMPLATE_MISUSED_FIELD', 6],
      ['testing a record', '{{#if complaint}}x{{/if}}\n', 'TEMPLATE_MISUSED_FIELD', 6],
      ['a helper call', '{{lookup relay "nickname"}}\n', 'TEMPLATE_UNKNOWN_HELPER', 6],
      ['an unknown block helper', '{{#with relay}}{{nickname}}{{/with}}\n', 'TEMPLATE_UNKNOWN_HELPER', 6],
      ['#if with two fields', '{{#if relay.nickname relay.fingerprint}}x{{/if}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['#if with a literal', '{{#if "yes"}}x{{/if}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['block parameters', '{{#each relay.addresses as |a|}}{{a}}{{/each}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['hash arguments', '{{#if relay.nickname includeZero=true}}x{{/if}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['claim as a plain mustache', '{{claim}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['a claim without a name', '{{#claim}}x{{/claim}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['a claim with else', '{{#claim "no-smtp"}}x{{else}}y{{/claim}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['an unknown claim', '{{#claim "no-logs"}}x{{/claim}}\n', 'TEMPLATE_UNKNOWN_CLAIM', 6],
      ['an unknown partial', '{{> nope}}\n', 'TEMPLATE_UNKNOWN_PARTIAL', 6],
      ['a partial with a context', '{{> sig relay}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['a partial block', '{{#> sig}}x{{/sig}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['an inline partial', '{{#*inline "x"}}y{{/inline}}\n', 'TEMPLATE_UNSUPPORTED', 6],
      ['an escaped mustache', 'Dear \\{{recipient.name}}\n', 'TEMPLATE_LITERAL_BRACES', 6],
    ])('refuses %s', (_name, body, code, line) => {
      expect(() => analyseTemplate(parse(body), partials(partial('sig', 'x\n')))).toThrow(
        expect.objectContaining({ code, template: 'test.isp', location: expect.objectContaining({ file: '/t/test.isp.hbs', line }) }),
      );
    });

    test('names the partial, not the including template, when the fault is in the partial', () => {
      expect(() => analyseTemplate(parse('{{> sig}}\n'), partials(partial('sig', '{{operator.nmae}}\n')))).toThrow(
        expect.objectContaining({ code: 'TEMPLATE_UNKNOWN_FIELD', template: 'partials/sig', location: expect.objectContaining({ file: '/t/partials/sig.hbs' }) }),
      );
    });

    test('refuses partials that include each other', () => {
      const list = partials(partial('a', '{{> b}}\n'), partial('b', '{{> a}}\n'));
      expect(() => analyseTemplate(parse('{{> a}}\n'), list)).toThrow(expect.objectContaining({ code: 'TEMPLATE_UNSUPPORTED' }));
    });
  });

  describe('#validateView', () => {
    const check = (body: string, context = fullContext(), extra: ParsedTemplate[] = []) => {
      const template = parse(body);
      const list = partials(...extra);
      analyseTemplate(template, list);
      validateView(template, list, buildView(context, NOW), context.facts);
    };

    test('accepts a context that has every field the branches taken need', () => {
      expect(() => check('{{relay.nickname}} {{#if complaint.reference}}{{complaint.reference}}{{/if}}\n', minimalContext())).not.toThrow();
    });

    test.each([
      ['a field printed outside any branch', 'Hi {{recipient.name}}\n', 'recipient.name', 'LETTER_MISSING_FIELD', 6],
      ['a field printed inside a branch that is taken', '{{#if relay.nickname}}\nRef {{complaint.reference}}\n{{/if}}\n', 'complaint.reference', 'LETTER_MISSING_FIELD', 7],
      ['a field printed in the else of a false test', '{{#if complaint.reference}}x{{else}}{{complaint.subject}}{{/if}}\n', 'complaint.subject', 'LETTER_MISSING_FIELD', 6],
      ['a field printed inside #unless of a missing one', '{{#unless complaint.reference}}{{complaint.receivedDate}}{{/unless}}\n', 'complaint.receivedDate', 'LETTER_MISSING_FIELD', 6],
      ['a list iterated without else', '{{#each followup.changes}}- {{this}}{{/each}}\n', 'followup.changes', 'LETTER_MISSING_FIELD', 6],
      ['an empty list iterated without else', '{{#each operator.signature}}{{this}}{{/each}}\n', 'operator.signature', 'LETTER_EMPTY_FIELD', 6],
    ])('refuses %s when it is missing', (_name, body, field, code, line) => {
      expect(() => check(body, minimalContext())).toThrow(
        expect.objectContaining({ code, field, template: 'test.isp', location: expect.objectContaining({ line }) }),
      );
    });

    test('refuses an empty value the letter would print, naming the field', () => {
      const context = fullContext();
      context.operator = { ...context.operator, signature: ['ok', '   '] };
      expect(() => check('{{#each operator.signature}}{{this}}\n{{/each}}', context)).toThrow(
        expect.objectContaining({ code: 'LETTER_EMPTY_FIELD', field: 'operator.signature[1]' }),
      );
      const blank = fullContext();
      blank.recipient = { name: ' ' };
      expect(() => check('Dear {{recipient.name}},\n', blank)).toThrow(expect.objectContaining({ code: 'LETTER_EMPTY_FIELD', field: 'recipient.name' }));
    });

    test('treats an empty list with an else branch as the else branch', () => {
      expect(() => check('{{#each operator.signature}}{{this}}{{else}}{{operator.email}}{{/each}}\n', minimalContext())).not.toThrow();
    });

    test('finds a missing field through a partial and names both', () => {
      let error: unknown;
      try {
        check('{{> sig}}\n', minimalContext(), [partial('sig', '{{operator.organisation}}\n')]);
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'LETTER_MISSING_FIELD', field: 'operator.organisation', template: 'test.isp', location: { file: '/t/partials/sig.hbs', line: 6 } });
    });

    test('checks the claims on the branches taken only', () => {
      const logging = fullContext();
      logging.facts = { ...quiet, logging: { verboseLogs: [configLine('Log', 'info stdout', 4)], safeLogging: undefined } };
      expect(() => check('{{#claim "no-connection-logs"}}No logs.{{/claim}}\n', logging)).toThrow(
        expect.objectContaining({ code: 'LETTER_CLAIM_CONTRADICTED', location: { file: '/etc/tor/torrc', line: 4 } }),
      );
      logging.recipient = {};
      expect(() => check('{{#if recipient.name}}{{#claim "no-connection-logs"}}x{{/claim}}{{/if}}\n', logging)).not.toThrow();
    });

    test('names the item of a list whose field is missing', () => {
      const context = fullContext();
      context.relay = { ...context.relay, addresses: ['192.0.2.10', ''] };
      expect(() => check('{{#each relay.addresses}}{{this}} {{/each}}\n', context)).toThrow(
        expect.objectContaining({ code: 'LETTER_EMPTY_FIELD', field: 'relay.addresses[1]' }),
      );
    });
  });
});
