/**
 * Template checking. Handlebars' strict mode misses a value that is absent inside `#if`,
 * `#each` or a helper argument, and it never notices an empty string, so letters do not rely
 * on it alone:
 *
 * - when loaded, a template is parsed and every construct and field it uses is checked
 *   against `VIEW_SCHEMA` (a typo fails at load time, even inside a branch never taken);
 * - before rendering, the template is walked with the actual view, following the branches
 *   Handlebars will take, and every value it will print or iterate must exist and be
 *   non-empty; the claims it makes are checked against the configuration facts.
 *
 * The subset of Handlebars templates may use:
 *
 *   template  ::= header-comment body
 *   statement ::= text | "{{" field "}}" | "{{!" comment "}}" | "{{> " partial "}}"
 *               | "{{#if " field "}}" body [ "{{else}}" body ] "{{/if}}"      (also #unless)
 *               | "{{#each " list "}}" body [ "{{else}}" body ] "{{/each}}"
 *               | "{{#claim " '"' claim-name '"' "}}" body "{{/claim}}"
 *   field     ::= path | "this" | "../" path | "@index" | "@first" | "@last" | "@root." path
 */
import Handlebars from 'handlebars';
import type { SourceLocation } from '../types.js';
import { assertClaim, isClaimName } from './claims.js';
import type { ClaimName } from './claims.js';
import type { ConfigFacts } from './context.js';
import { LetterError } from './errors.js';
import type { FieldSpec, LetterView, ViewValue } from './view.js';
import { VIEW_SCHEMA } from './view.js';

/** Helpers templates may call, besides Handlebars' `if`, `unless` and `each`. */
export const LETTER_HELPERS = ['claim'] as const;

/** A template or partial source, parsed. */
export interface ParsedTemplate {
  /** `dmca.isp` for a letter template, `partials/signature` for a partial. */
  name: string;
  /** File it was read from. */
  file: string;
  /** Its text. */
  source: string;
  /** The Handlebars syntax tree. */
  ast: hbs.AST.Program;
  /** First paragraph of the header comment, on one line. */
  description: string;
  /** The whole header comment, trimmed. */
  header: string;
}

/** What a template uses, found by walking it (partials included). */
export interface TemplateUsage {
  /** Fields printed or iterated whatever the branches (`followup.changes[]` for list items). */
  requires: string[];
  /** Fields used only inside `#if`/`#unless`/`#each … else` branches or as their conditions. */
  optional: string[];
  /** Claims the template makes. */
  claims: ClaimName[];
  /** Partials it includes, directly or through other partials. */
  partials: string[];
}

/** Parses a template or partial and reads its header; throws `TEMPLATE_SYNTAX`/`TEMPLATE_NO_HEADER`. */
export function parseTemplate(name: string, file: string, source: string, requireHeader: boolean): ParsedTemplate {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (cause) {
    const line = Number(/line (\d+)/.exec(String(cause))?.[1] ?? 1);
    throw new LetterError('TEMPLATE_SYNTAX', `Template ${name} is not valid Handlebars`, {
      cause,
      template: name,
      location: { file, line },
      hint: 'check that every {{#if}}, {{#each}} and {{#claim}} is closed',
    });
  }
  const first = ast.body[0];
  const isHeader = first?.type === 'CommentStatement' && source.startsWith('{{!--');
  if (!isHeader && requireHeader) {
    throw new LetterError('TEMPLATE_NO_HEADER', `Template ${name} does not start with a {{!-- … --}} comment saying when to use it`, {
      template: name,
      location: { file, line: 1 },
      hint: 'begin the file with {{!-- one line saying what the letter is for, then when to use it --}}',
    });
  }
  const header = isHeader ? (first as hbs.AST.CommentStatement).value.trim() : '';
  // The description is the header's first paragraph, on one line.
  const description = (header.split(/\n\s*\n/)[0] ?? '').split('\n').map((line) => line.trim()).join(' ').trim();
  if (isHeader && description === '' && requireHeader) {
    throw new LetterError('TEMPLATE_NO_HEADER', `The header comment of template ${name} is empty`, {
      template: name,
      location: { file, line: 1 },
      hint: 'say in its first line what the letter is for',
    });
  }
  return { name, file, source, ast, description, header };
}

interface Scope {
  /** Shape of the value `this` refers to. */
  spec: FieldSpec;
  /** Absolute field name of `this` ('' at the root). */
  prefix: string;
  /** Inside an `#each`, so `@index`/`@first`/`@last` exist. */
  inEach: boolean;
}

/** Checks a template (and the partials it includes) against the view schema; returns what it uses. */
export function analyseTemplate(template: ParsedTemplate, partials: ReadonlyMap<string, ParsedTemplate>): TemplateUsage {
  const requires = new Set<string>();
  const optional = new Set<string>();
  const claims = new Set<ClaimName>();
  const included = new Set<string>();

  const walk = (program: hbs.AST.Program, scopes: Scope[], conditional: boolean, owner: ParsedTemplate, stack: string[]): void => {
    for (const statement of program.body) {
      const where = locationOf(owner, statement);
      const fail = (code: 'TEMPLATE_UNSUPPORTED' | 'TEMPLATE_UNKNOWN_HELPER', message: string, hint: string): never => {
        throw new LetterError(code, `Template ${owner.name}: ${message}`, { template: owner.name, location: where, hint });
      };
      switch (statement.type) {
        case 'ContentStatement': {
          if ((statement as hbs.AST.ContentStatement).value.includes('{{')) {
            throw new LetterError('TEMPLATE_LITERAL_BRACES', `Template ${owner.name} prints a literal "{{"`, {
              template: owner.name,
              location: where,
              hint: 'remove the backslash before {{, or reword the text',
            });
          }
          break;
        }
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const mustache = statement as hbs.AST.MustacheStatement;
          if (mustache.params.length > 0 || mustache.hash !== undefined || mustache.path.type !== 'PathExpression') {
            fail('TEMPLATE_UNKNOWN_HELPER', `{{${sourceText(owner, statement)}}} calls a helper`, 'print a field, e.g. {{relay.nickname}}');
          }
          const path = mustache.path as hbs.AST.PathExpression;
          if ((LETTER_HELPERS as readonly string[]).includes(path.original)) {
            fail('TEMPLATE_UNSUPPORTED', `{{${path.original}}} is a block helper`, `write {{#${path.original} …}}…{{/${path.original}}}`);
          }
          const field = resolveSpec(path, scopes, owner, where);
          if (field.spec.kind !== 'text') {
            throw misuse(owner, where, field.name, field.spec, 'printed');
          }
          (conditional ? optional : requires).add(field.name);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const helper = block.path.original;
          if (block.hash !== undefined || block.program.blockParams?.length) {
            fail('TEMPLATE_UNSUPPORTED', `{{#${helper}}} with hash arguments or block parameters`, 'use the plain form, e.g. {{#each followup.changes}}');
          }
          const [param, ...extra] = block.params;
          if (helper === 'if' || helper === 'unless' || helper === 'each') {
            if (param?.type !== 'PathExpression' || extra.length > 0) {
              fail('TEMPLATE_UNSUPPORTED', `{{#${helper}}} needs exactly one field`, `e.g. {{#${helper} complaint.reference}}`);
            }
            const field = resolveSpec(param as hbs.AST.PathExpression, scopes, owner, where);
            if (helper === 'each') {
              if (field.spec.kind !== 'list') throw misuse(owner, where, field.name, field.spec, 'iterated');
              (conditional ? optional : requires).add(field.name);
              const item: Scope = { spec: field.spec.item, prefix: `${field.name}[]`, inEach: true };
              walk(block.program, [...scopes, item], conditional, owner, stack);
              if (block.inverse) walk(block.inverse, scopes, true, owner, stack);
            } else {
              if (field.spec.kind === 'record') throw misuse(owner, where, field.name, field.spec, 'tested (records are always present; test one of their fields)');
              optional.add(field.name);
              walk(block.program, scopes, true, owner, stack);
              if (block.inverse) walk(block.inverse, scopes, true, owner, stack);
            }
          } else if (helper === 'claim') {
            const name = param?.type === 'StringLiteral' ? (param as hbs.AST.StringLiteral).value : undefined;
            if (name === undefined || extra.length > 0 || block.inverse) {
              fail('TEMPLATE_UNSUPPORTED', '{{#claim}} needs one quoted claim name and no {{else}}', 'e.g. {{#claim "no-connection-logs"}}…{{/claim}}');
            }
            if (!isClaimName(name as string)) {
              throw new LetterError('TEMPLATE_UNKNOWN_CLAIM', `Template ${owner.name} makes an unknown claim "${name}"`, {
                template: owner.name,
                location: where,
                input: name,
                hint: 'the claims are "no-connection-logs" and "no-smtp"',
              });
            }
            claims.add(name as ClaimName);
            walk(block.program, scopes, conditional, owner, stack);
          } else {
            fail('TEMPLATE_UNKNOWN_HELPER', `{{#${helper}}} is not available in letters`, 'use #if, #unless, #each or #claim');
          }
          break;
        }
        case 'PartialStatement': {
          const partial = statement as hbs.AST.PartialStatement;
          if (partial.name.type !== 'PathExpression' || partial.params.length > 0 || partial.hash !== undefined) {
            fail('TEMPLATE_UNSUPPORTED', 'a partial with arguments', 'include partials plainly, e.g. {{> signature}}');
          }
          const name = (partial.name as hbs.AST.PathExpression).original;
          const target = partials.get(name);
          if (target === undefined) {
            throw new LetterError('TEMPLATE_UNKNOWN_PARTIAL', `Template ${owner.name} includes an unknown partial "${name}"`, {
              template: owner.name,
              location: where,
              input: name,
              hint: `the partials are ${[...partials.keys()].join(', ')}`,
            });
          }
          if (stack.includes(name)) {
            fail('TEMPLATE_UNSUPPORTED', `partial "${name}" includes itself`, 'remove the cycle');
          }
          included.add(name);
          walk(target.ast, scopes, conditional, target, [...stack, name]);
          break;
        }
        default:
          fail('TEMPLATE_UNSUPPORTED', `${statement.type} is not available in letters`, 'use fields, #if, #unless, #each, #claim and partials');
      }
    }
  };

  walk(template.ast, [{ spec: VIEW_SCHEMA, prefix: '', inEach: false }], false, template, []);
  for (const name of requires) optional.delete(name);
  return {
    requires: [...requires].sort(),
    optional: [...optional].sort(),
    claims: [...claims].sort(),
    partials: [...included].sort(),
  };
}

function resolveSpec(
  path: hbs.AST.PathExpression,
  scopes: readonly Scope[],
  owner: ParsedTemplate,
  where: SourceLocation,
): { name: string; spec: FieldSpec } {
  const unknown = (hint: string): never => {
    throw new LetterError('TEMPLATE_UNKNOWN_FIELD', `Template ${owner.name} uses an unknown field "${path.original}"`, {
      template: owner.name,
      location: where,
      input: path.original,
      hint,
    });
  };
  let scope = scopes[scopes.length - 1] as Scope;
  let parts = path.parts;
  if (path.data) {
    const [head, ...rest] = parts;
    if (head === 'root') {
      scope = scopes[0] as Scope;
      parts = rest;
    } else if ((head === 'index' || head === 'first' || head === 'last') && rest.length === 0 && scope.inEach) {
      return { name: `@${head}`, spec: { kind: head === 'index' ? 'text' : 'flag' } };
    } else {
      unknown('@index, @first and @last exist only inside {{#each}}; @root.FIELD names a top-level field');
    }
  } else if (path.depth > 0) {
    const index = scopes.length - 1 - path.depth;
    if (index < 0) unknown('"../" reaches above the top level');
    scope = scopes[index] as Scope;
  }
  let spec = scope.spec;
  let name = scope.prefix;
  for (const part of parts) {
    const next = spec.kind === 'record' ? spec.fields[part] : undefined;
    if (next === undefined || !Object.hasOwn(spec.kind === 'record' ? spec.fields : {}, part)) {
      unknown(spec.kind === 'record' ? `fields here are ${Object.keys(spec.fields).join(', ')}` : `"${name}" has no fields`);
    }
    spec = next as FieldSpec;
    name = name === '' ? part : `${name}.${part}`;
  }
  return { name: name === '' ? 'this' : name, spec };
}

function misuse(owner: ParsedTemplate, where: SourceLocation, name: string, spec: FieldSpec, use: string): LetterError {
  return new LetterError('TEMPLATE_MISUSED_FIELD', `Template ${owner.name}: field "${name}" is a ${spec.kind} and cannot be ${use}`, {
    template: owner.name,
    location: where,
    input: name,
    hint:
      spec.kind === 'list'
        ? `iterate it: {{#each ${name}}}{{this}}{{/each}}`
        : spec.kind === 'flag'
          ? `test it: {{#if ${name}}}…{{/if}}`
          : 'print one of its fields',
  });
}

interface ValueScope {
  /** The value `this` refers to. */
  value: ViewValue | undefined;
  /** Absolute field name of `this`. */
  prefix: string;
  /** Loop data inside `#each`. */
  loop?: { index: number; first: boolean; last: boolean } | undefined;
}

/**
 * Walks `template` with `view` along the branches Handlebars will take; throws
 * `LETTER_MISSING_FIELD` / `LETTER_EMPTY_FIELD` naming the field, the template and the place,
 * or a claim error when the facts do not support a claim it makes.
 */
export function validateView(
  template: ParsedTemplate,
  partials: ReadonlyMap<string, ParsedTemplate>,
  view: LetterView,
  facts: ConfigFacts | undefined,
): void {
  const walk = (program: hbs.AST.Program, scopes: ValueScope[], owner: ParsedTemplate): void => {
    for (const statement of program.body) {
      const where = locationOf(owner, statement);
      if (statement.type === 'MustacheStatement') {
        const path = (statement as hbs.AST.MustacheStatement).path as hbs.AST.PathExpression;
        const found = resolveValue(path, scopes);
        requirePresent(found, template, owner, where);
        if (typeof found.value === 'string' && found.value.trim() === '') {
          throw emptyField(found.name, template, owner, where);
        }
      } else if (statement.type === 'BlockStatement') {
        const block = statement as hbs.AST.BlockStatement;
        const helper = block.path.original;
        if (helper === 'claim') {
          assertClaim((block.params[0] as hbs.AST.StringLiteral).value as ClaimName, facts, template.name);
          walk(block.program, scopes, owner);
          continue;
        }
        const found = resolveValue(block.params[0] as hbs.AST.PathExpression, scopes);
        if (helper === 'each') {
          requirePresent(found, template, owner, where);
          const items = found.value as readonly ViewValue[];
          if (items.length === 0) {
            if (!block.inverse) throw emptyField(found.name, template, owner, where);
            walk(block.inverse, scopes, owner);
          }
          items.forEach((item, index) => {
            const loop = { index, first: index === 0, last: index === items.length - 1 };
            walk(block.program, [...scopes, { value: item, prefix: `${found.name}[${index}]`, loop }], owner);
          });
        } else {
          const truthy = isTruthy(found.value);
          const branch = (helper === 'if') === truthy ? block.program : block.inverse;
          if (branch) walk(branch, scopes, owner);
        }
      } else if (statement.type === 'PartialStatement') {
        const name = ((statement as hbs.AST.PartialStatement).name as hbs.AST.PathExpression).original;
        const target = partials.get(name);
        if (target !== undefined) walk(target.ast, scopes, target);
      }
    }
  };
  walk(template.ast, [{ value: view, prefix: '' }], template);
}

function resolveValue(path: hbs.AST.PathExpression, scopes: readonly ValueScope[]): { name: string; value: ViewValue | undefined } {
  let scope = scopes[scopes.length - 1] as ValueScope;
  let parts = path.parts;
  if (path.data) {
    const [head, ...rest] = parts;
    if (head === 'root') {
      scope = scopes[0] as ValueScope;
      parts = rest;
    } else {
      const loop = scope.loop;
      const value = head === 'index' ? String(loop?.index ?? '') : head === 'first' ? loop?.first : loop?.last;
      return { name: `@${head}`, value };
    }
  } else if (path.depth > 0) {
    scope = scopes[Math.max(0, scopes.length - 1 - path.depth)] as ValueScope;
  }
  let value: ViewValue | undefined = scope.value;
  let name = scope.prefix;
  for (const part of parts) {
    value =
      value !== undefined && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, part)
        ? (value as { readonly [key: string]: ViewValue })[part]
        : undefined;
    name = name === '' ? part : `${name}.${part}`;
  }
  return { name: name === '' ? 'this' : name, value };
}

// Handlebars' `if`: false for undefined, null, false, 0, '' and empty lists.
function isTruthy(value: ViewValue | undefined): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function requirePresent(
  found: { name: string; value: ViewValue | undefined },
  template: ParsedTemplate,
  owner: ParsedTemplate,
  where: SourceLocation,
): void {
  if (found.value === undefined) {
    const via = owner === template ? '' : ` (in ${owner.name})`;
    throw new LetterError('LETTER_MISSING_FIELD', `Template ${template.name} needs ${found.name}${via}, which is not set`, {
      template: template.name,
      field: found.name,
      location: where,
      hint: `provide ${found.name}, or choose a template that does without it`,
    });
  }
}

function emptyField(name: string, template: ParsedTemplate, owner: ParsedTemplate, where: SourceLocation): LetterError {
  const via = owner === template ? '' : ` (in ${owner.name})`;
  return new LetterError('LETTER_EMPTY_FIELD', `Template ${template.name} needs ${name}${via}, which is empty`, {
    template: template.name,
    field: name,
    location: where,
    hint: `give ${name} a value`,
  });
}

function locationOf(owner: ParsedTemplate, node: hbs.AST.Node): SourceLocation {
  return { file: owner.file, line: node.loc.start.line, column: node.loc.start.column + 1 };
}

function sourceText(owner: ParsedTemplate, node: hbs.AST.Node): string {
  const lines = owner.source.split('\n');
  const { start, end } = node.loc;
  if (start.line !== end.line) return '…';
  return (lines[start.line - 1] ?? '').slice(start.column + 2, end.column - 2);
}
