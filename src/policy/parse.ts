/**
 * ExitPolicy values → items → rules, with the grammar and quirks of Tor 0.4.9.11
 * (`parse_addr_policy` in src/core/or/policies.c, `router_parse_addr_policy_item_from_string`
 * in src/feature/dirparse/policy_parse.c, `get_next_token` in parsecommon.c, and
 * `tor_addr_parse_mask_ports` / `parse_port_range` in src/lib/net/address.c).
 *
 * One malformed item makes Tor discard the whole ExitPolicy and refuse the configuration;
 * items Tor accepts but mis-reads or ignores produce warnings.
 */
import {
  addressBits,
  canonicalCidr,
  isV4Mapped,
  parseIPv4,
  parseIPv6,
} from '../net/cidr.js';
import type { ConfigLine, Family, PolicyAction, RuleOrigin, SourceLocation } from '../types.js';
import { PolicyError, type PolicyErrorCode } from './errors.js';
import { PRIVATE_NETS, Rule } from './rule.js';

/** The four keywords an item may start with (case-sensitive). */
export type PolicyKeyword = 'accept' | 'reject' | 'accept6' | 'reject6';

const KEYWORDS: readonly string[] = ['accept', 'reject', 'accept6', 'reject6'];

/** One comma-separated item of an ExitPolicy value, parsed. */
export interface PolicyItem {
  /** The item as Tor sees it: split on `,` and trimmed. */
  readonly text: string;
  /** The configuration line holding the item. */
  readonly location: SourceLocation | undefined;
  /** The keyword, when one was recognised. */
  readonly keyword: PolicyKeyword | undefined;
  /** The rules the item adds, `private` and `*` expanded; empty when ignored or invalid. */
  readonly rules: readonly Rule[];
  /** True when Tor drops the item with a warning (e.g. IPv4 under `accept6`). */
  readonly ignored: boolean;
  /** Why Tor refuses the item (and with it the whole configuration), if it does. */
  readonly error: PolicyError | undefined;
  /** What Tor accepts but mis-reads or ignores in this item. */
  readonly warnings: readonly PolicyError[];
}

/** Every ExitPolicy line of a configuration, parsed. */
export interface ParsedExitPolicy {
  /** Every item, in Tor's order. */
  readonly items: readonly PolicyItem[];
  /** The rules Tor appends (empty when any item is malformed: Tor discards them all). */
  readonly rules: readonly Rule[];
  /** One error per malformed item. */
  readonly errors: readonly PolicyError[];
  /** Every warning. */
  readonly warnings: readonly PolicyError[];
  /** True when Tor accepts the ExitPolicy. */
  readonly valid: boolean;
}

/** A piece of an ExitPolicy value and where it starts in the value. */
export interface ItemText {
  /** The trimmed item. */
  readonly text: string;
  /** Offset of `text` in the value. */
  readonly offset: number;
}

// TOR_ISSPACE: space, \t, \n, \v, \f, \r.
const isTorSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';
// C isspace() in the "C" locale (what strtol skips): the same set.
const isCSpace = isTorSpace;

/**
 * Splits an ExitPolicy value into items as `smartlist_split_string(..., ",",
 * SPLIT_SKIP_SPACE|SPLIT_IGNORE_BLANK)`: split on `,`, trim, drop empty items.
 */
export function splitPolicyValue(value: string): ItemText[] {
  // Tor handles the value as a C string.
  const nul = value.indexOf('\0');
  const s = nul >= 0 ? value.slice(0, nul) : value;
  const items: ItemText[] = [];
  let cp = 0;
  for (;;) {
    while (cp < s.length && isTorSpace(s[cp])) cp++;
    const comma = s.indexOf(',', cp);
    let end = comma < 0 ? s.length : comma;
    const next = comma < 0 ? -1 : comma + 1;
    while (end > cp && isTorSpace(s[end - 1])) end--;
    if (end !== cp) items.push({ text: s.slice(cp, end), offset: cp });
    if (next < 0) break;
    cp = next;
  }
  return items;
}

/** Options for `parsePolicyItem`. */
export interface ParseItemOptions {
  /** The line holding the item (for errors and rule origins). */
  location?: SourceLocation | undefined;
}

const DEFAULT_LOCATION: SourceLocation = { file: '<item>', line: 1 };
const NO_WARNINGS: readonly PolicyError[] = Object.freeze([]);

/**
 * Parses one item.
 *
 * Grammar, as Tor implements it:
 * ```
 * item     ::= [ "opt" WS ] keyword WS pattern [ WS "#" comment ]
 * keyword  ::= "accept" | "reject" | "accept6" | "reject6"        ; case-sensitive
 * pattern  ::= "private" ":" ports
 *            | addrspec [ "/" mask ] [ ":" ports ]                ; at most 80 bytes
 * addrspec ::= "*"                  ; both families (IPv6 only under accept6/reject6)
 *            | "*4" | "*6"
 *            | ipv4                 ; strict dotted quad, no leading zeros
 *            | "[" ipv6 "]" junk    ; text after "]" up to "/" or ":" is ignored
 *            | "[" ipv4 "]"         ; IPv4 after all
 *            | ipv6                 ; unbracketed only when "/mask" follows: ":" is
 *                                   ; searched for after the "/"
 * mask     ::= strtol-number        ; "/016" = 16, "/" alone = 0, overflow wraps
 *            | dotted-ipv4-mask     ; contiguous prefixes only
 * ports    ::= "" | "*" | port [ "-" port junk ]                 ; junk is ignored
 * port     ::= strtol-number in 1..65535                          ; "+443" accepted
 * ```
 * A missing `:ports` means all ports. Any error makes Tor refuse the configuration.
 */
export function parsePolicyItem(text: string, options: ParseItemOptions = {}): PolicyItem {
  return parseItem(text, options.location);
}

function parseItem(text: string, location: SourceLocation | undefined): PolicyItem {
  const ctx = new ItemContext(text, location);
  const item = parseItemInner(ctx);
  return Object.freeze({
    keyword: item.keyword,
    rules: item.rules,
    ignored: item.ignored,
    error: item.error,
    text,
    location,
    warnings: ctx.warnings === undefined ? NO_WARNINGS : Object.freeze(ctx.warnings),
  });
}

/** Options for `parseExitPolicy`. */
export interface ParseExitPolicyOptions {
  /**
   * An earlier parse (e.g. of the configuration before an edit): an item whose text it holds
   * without error or warning is taken from it, with the location of the new line, instead of
   * being parsed again. The result is the same as without it.
   */
  reuse?: ParsedExitPolicy | undefined;
}

/** Parses every ExitPolicy line (lines with an empty value are skipped, as Tor does). */
export function parseExitPolicy(lines: readonly ConfigLine[], options: ParseExitPolicyOptions = {}): ParsedExitPolicy {
  const known = options.reuse ? reusableItems(options.reuse) : undefined;
  const items: PolicyItem[] = [];
  for (const line of lines) {
    if (line.value === '') continue;
    for (const piece of splitPolicyValue(line.value)) {
      const earlier = known?.get(piece.text);
      items.push(earlier ? relocate(earlier, line.location) : parseItem(piece.text, line.location));
    }
  }
  return summarizeItems(items);
}

// An item's keyword, rules and verdicts depend on its text alone; only the location (kept in
// the item and in its rules' origin) depends on the line. Items with diagnostics are parsed
// again so that every error and warning carries its own location.
function reusableItems(parsed: ParsedExitPolicy): Map<string, PolicyItem> {
  const byText = new Map<string, PolicyItem>();
  for (const item of parsed.items) {
    if (item.error === undefined && item.warnings.length === 0 && !byText.has(item.text)) byText.set(item.text, item);
  }
  return byText;
}

function relocate(item: PolicyItem, location: SourceLocation | undefined): PolicyItem {
  if (sameLocation(item.location, location)) return item;
  const origin: RuleOrigin = { kind: 'config', location: location ?? DEFAULT_LOCATION, item: item.text };
  return Object.freeze({
    keyword: item.keyword,
    rules: item.rules.map((r) =>
      Rule.create({ action: r.action, family: r.family, address: r.address, maskBits: r.maskBits, portMin: r.portMin, portMax: r.portMax, origin }),
    ),
    ignored: item.ignored,
    error: undefined,
    text: item.text,
    location,
    warnings: NO_WARNINGS,
  });
}

function sameLocation(a: SourceLocation | undefined, b: SourceLocation | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.file === b.file && a.line === b.line && a.endLine === b.endLine && a.column === b.column &&
    Object.keys(a).length === Object.keys(b).length;
}

/** Parses a bare value (the text after `ExitPolicy`), e.g. for a rule typed on the command line. */
export function parsePolicyValue(value: string, location?: SourceLocation): ParsedExitPolicy {
  return summarizeItems(
    splitPolicyValue(value).map((piece) => parsePolicyItem(piece.text, { location })),
  );
}

/** Where the lines of `parseTorPolicyLines` come from, for rule origins. */
const TOR_OUTPUT = 'GETINFO exit-policy/full';

/**
 * Reads the lines Tor prints for `GETINFO exit-policy/full` (descriptor format) back into
 * rules: `accept`/`reject` lines are IPv4 only (`*` there means `*4`), `accept6`/`reject6`
 * lines IPv6, and the single line `reject *:*` means both families reject everything.
 */
export function parseTorPolicyLines(lines: readonly string[]): ParsedExitPolicy {
  const content = lines.map((l) => l.trim()).filter((l) => l !== '');
  if (content.length === 1 && content[0] === 'reject *:*') {
    return parsePolicyValue('reject *:*', { file: TOR_OUTPUT, line: 1 });
  }
  const items = content.map((line, i) => {
    const item = parsePolicyItem(line, { location: { file: TOR_OUTPUT, line: i + 1 } });
    if (item.keyword === 'accept' || item.keyword === 'reject') {
      return { ...item, rules: item.rules.filter((r) => r.family === 4) };
    }
    return item;
  });
  return summarizeItems(items);
}

function summarizeItems(items: PolicyItem[]): ParsedExitPolicy {
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  const rules: Rule[] = [];
  for (const item of items) {
    if (item.error) errors.push(item.error);
    for (const w of item.warnings) warnings.push(w);
    for (const r of item.rules) rules.push(r);
  }
  const valid = errors.length === 0;
  return Object.freeze({
    items: Object.freeze(items),
    rules: Object.freeze(valid ? rules : []),
    errors: Object.freeze(errors),
    warnings: Object.freeze(warnings),
    valid,
  });
}

type ItemResult = Pick<PolicyItem, 'keyword' | 'rules' | 'ignored' | 'error'>;

class ItemContext {
  // Made on the first warning: most items have none.
  warnings: PolicyError[] | undefined;
  constructor(
    readonly text: string,
    readonly location: SourceLocation | undefined,
  ) {}

  error(code: PolicyErrorCode, message: string, pos: readonly [number, number], hint?: string): PolicyError {
    return new PolicyError(code, message, { location: this.location, input: this.text, pos, hint });
  }

  warn(code: PolicyErrorCode, message: string, pos: readonly [number, number], hint?: string): void {
    (this.warnings ??= []).push(
      new PolicyError(code, message, {
        location: this.location,
        input: this.text,
        pos,
        hint,
        severity: 'warning',
      }),
    );
  }
}

function fail(error: PolicyError, keyword?: PolicyKeyword): ItemResult {
  return { keyword, rules: [], ignored: false, error };
}

function parseItemInner(ctx: ItemContext): ItemResult {
  const s = ctx.text.includes('\0') ? ctx.text.slice(0, ctx.text.indexOf('\0')) : ctx.text;
  const all: readonly [number, number] = [0, s.length];

  // get_next_token(): the token is the first line; "opt" is skipped; "#" ends a word.
  let p = eatWhitespace(s, 0, s.length);
  const eolIndex = s.indexOf('\n', p);
  const eol = eolIndex < 0 ? s.length : eolIndex;
  let next = findWhitespace(s, p, eol);
  if (next - p === 3 && s.startsWith('opt', p)) {
    p = eatWhitespaceNoNl(s, next, eol);
    next = findWhitespace(s, p, eol);
  } else if (p === s.length) {
    return fail(
      ctx.error('POLICY_BAD_KEYWORD', `policy item '${ctx.text}' has no keyword`, all,
        "start the item with 'accept', 'reject', 'accept6' or 'reject6'"),
    );
  }
  const word = s.slice(p, next);
  if (!KEYWORDS.includes(word)) {
    const lower = word.toLowerCase();
    const hint = KEYWORDS.includes(lower)
      ? `keywords are case-sensitive: write '${lower}'`
      : "an item starts with 'accept', 'reject', 'accept6' or 'reject6'";
    return fail(
      ctx.error('POLICY_BAD_KEYWORD', `expected 'accept' or 'reject' in policy item '${ctx.text}', found '${word}'`,
        [p, next], hint),
    );
  }
  const keyword = word as PolicyKeyword;
  const action: PolicyAction = keyword.startsWith('accept') ? 'accept' : 'reject';
  const sixOnly = keyword.endsWith('6');

  const argsStart = eatWhitespaceNoNl(s, next, eol);
  const args = tokenArguments(s, argsStart, eol);

  // After the first line, only an object ("-----BEGIN ...") is looked for; anything else
  // on later lines is ignored.
  if (eol < s.length) {
    const q = eatWhitespace(s, eol, s.length);
    const eol2 = s.indexOf('\n', q);
    if (eol2 >= 0 && eol2 - q >= 11 && s.startsWith('-----BEGIN ', q)) {
      return fail(
        ctx.error('POLICY_UNEXPECTED_OBJECT', `policy item '${ctx.text}' is followed by an object block`,
          [q, s.length], 'one item per comma-separated entry; remove the embedded newline'),
        keyword,
      );
    }
    if (q < s.length) {
      ctx.warn('POLICY_IGNORED_TEXT', `Tor ignores everything after the newline in policy item '${ctx.text}'`,
        [eol, s.length], 'put each rule in its own comma-separated item');
    }
  }
  if (args.comment) {
    ctx.warn('POLICY_IGNORED_TEXT', `Tor ignores the comment in policy item '${ctx.text}'`, args.comment);
  }

  if (args.args.length === 0) {
    return fail(
      ctx.error('POLICY_MISSING_ARGUMENT', `policy item '${ctx.text}' has no address`, all,
        `write e.g. '${keyword} 192.0.2.0/24:*' or '${keyword} *:80'`),
      keyword,
    );
  }
  if (args.args.length > 1) {
    const second = args.args[1] as ArgToken;
    const looksLikeItem = KEYWORDS.includes(second.text);
    return fail(
      ctx.error('POLICY_EXTRA_ARGUMENT',
        `policy item '${ctx.text}' has ${args.args.length} words after '${keyword}'; Tor expects one ADDRESS[:PORTS]`,
        [second.start, s.length],
        looksLikeItem
          ? 'separate items with a comma'
          : 'remove the spaces inside the address and port pattern'),
      keyword,
    );
  }
  const arg = args.args[0] as ArgToken;
  return parsePattern(ctx, keyword, action, sixOnly, arg.text, arg.start);
}

interface ArgToken {
  text: string;
  start: number;
}

// get_token_arguments(): words end at whitespace or "#"; after a word, whitespace and
// "#..." comments are skipped.
function tokenArguments(s: string, start: number, end: number): { args: ArgToken[]; comment?: [number, number] } {
  const args: ArgToken[] = [];
  let comment: [number, number] | undefined;
  let cp = start;
  while (cp < end) {
    if (args.length === 512) break;
    const wordEnd = findWhitespace(s, cp, end);
    args.push({ text: s.slice(cp, wordEnd), start: cp });
    if (wordEnd >= end) break;
    cp = eatWhitespace(s, wordEnd + 1, end);
    const hash = s.indexOf('#', wordEnd);
    if (hash >= 0 && hash < cp) comment = [hash, cp];
  }
  return comment ? { args, comment } : { args };
}

function parsePattern(
  ctx: ItemContext,
  keyword: PolicyKeyword,
  action: PolicyAction,
  sixOnly: boolean,
  arg: string,
  at: number,
): ItemResult {
  const location = ctx.location ?? DEFAULT_LOCATION;
  const origin: RuleOrigin = { kind: 'config', location, item: ctx.text };
  const span = (from: number, to: number): readonly [number, number] => [at + from, at + to];

  if (arg.startsWith('private')) {
    const rest = arg.slice('private'.length);
    if (!rest.startsWith(':')) {
      return fail(
        ctx.error('POLICY_PRIVATE_NEEDS_PORT', `'${arg}' in policy item '${ctx.text}' needs ':PORTS' after 'private'`,
          span(0, arg.length), `write '${keyword} private:*'`),
        keyword,
      );
    }
    const ports = parsePortRange(ctx, rest.slice(1), at + 'private:'.length);
    if ('error' in ports) return fail(ports.error, keyword);
    if (sixOnly) {
      ctx.warn('POLICY_PRIVATE_UNDER_ACCEPT6',
        `Tor drops '${ctx.text}': '${keyword} private' adds no rules at all`,
        span(0, arg.length), `write '${action} private:${rest.slice(1) || '*'}' for both families`);
      return { keyword, rules: [], ignored: true, error: undefined };
    }
    const rules = PRIVATE_NETS.map((net) =>
      Rule.create({
        action,
        family: net.family,
        address: net.address,
        maskBits: net.maskBits,
        portMin: ports.min,
        portMax: ports.max,
        origin,
      }),
    );
    return { keyword, rules, ignored: false, error: undefined };
  }

  // MAX_ADDRESS_LENGTH in tor_addr_parse_mask_ports: 48 + 2 + 17 + 12 + 1 bytes. A UTF-16
  // code unit is at most 3 bytes of UTF-8, so short patterns need no count.
  if (arg.length > 26 && Buffer.byteLength(arg, 'utf8') > 80) {
    return fail(
      ctx.error('POLICY_TOO_LONG', `the pattern '${arg}' is longer than Tor's 80-character limit`,
        span(0, arg.length), 'shorten the address and port pattern'),
      keyword,
    );
  }

  let addrStart = 0;
  let rbracket = -1;
  if (arg.startsWith('[')) {
    addrStart = 1;
    rbracket = arg.indexOf(']', 1);
    if (rbracket < 0) {
      return fail(
        ctx.error('POLICY_UNCLOSED_BRACKET', `'[' without ']' in policy item '${ctx.text}'`,
          span(0, arg.length), 'close the IPv6 address with ]'),
        keyword,
      );
    }
  }
  const maskAt = arg.indexOf('/', rbracket >= 0 ? rbracket : addrStart);
  const portAt = arg.indexOf(':', maskAt >= 0 ? maskAt : rbracket >= 0 ? rbracket : addrStart);
  const maskText = maskAt >= 0 ? arg.slice(maskAt + 1, portAt >= 0 ? portAt : arg.length) : undefined;
  const portText = portAt >= 0 ? arg.slice(portAt + 1) : undefined;
  const addrEnd = rbracket >= 0 ? rbracket : maskAt >= 0 ? maskAt : portAt >= 0 ? portAt : arg.length;
  const addrText = arg.slice(addrStart, addrEnd);
  if (rbracket >= 0) {
    const junkEnd = maskAt >= 0 ? maskAt : portAt >= 0 ? portAt : arg.length;
    if (junkEnd > rbracket + 1) {
      ctx.warn('POLICY_IGNORED_TEXT', `Tor ignores '${arg.slice(rbracket + 1, junkEnd)}' after ']' in '${ctx.text}'`,
        span(rbracket + 1, junkEnd), 'remove the text between ] and the mask or port');
    }
  }

  // Address.
  let family: Family | 'both';
  let address = 0n;
  let wildcard = false;
  if (addrText === '*') {
    family = sixOnly ? 6 : 'both';
    wildcard = true;
  } else if (addrText === '*4') {
    family = 4;
    wildcard = true;
  } else if (addrText === '*6') {
    family = 6;
    wildcard = true;
  } else {
    // Every IPv6 form has a ':'; without one only IPv4 can match.
    const v6 = addrText.includes(':') ? parseIPv6(addrText) : undefined;
    const v4 = v6 === undefined ? parseIPv4(addrText) : undefined;
    if (v6 !== undefined) {
      family = 6;
      address = v6;
    } else if (v4 !== undefined) {
      family = 4;
      address = v4;
    } else {
      return fail(
        ctx.error('POLICY_BAD_ADDRESS', `'${addrText}' in policy item '${ctx.text}' is not an address Tor accepts`,
          span(addrStart, addrEnd), addressHint(addrText, arg, rbracket >= 0)),
        keyword,
      );
    }
  }

  // Mask.
  let bits: number;
  if (maskText !== undefined) {
    const maskSpan = span(maskAt, maskAt + 1 + maskText.length);
    const small = plainDecimal(maskText, 0, maskText.length);
    const parsed = small >= 0 ? undefined : cStrtol(maskText);
    let numeric = false;
    if (parsed === undefined || parsed.end === maskText.length) {
      numeric = true;
      bits = parsed === undefined ? small : Number(BigInt.asIntN(32, parsed.value));
      if (bits < 0 || bits > 128 || (family === 4 && bits > 32)) {
        return fail(
          ctx.error('POLICY_BAD_MASK', `mask '/${maskText}' in policy item '${ctx.text}' is out of range`,
            maskSpan, family === 4 ? 'IPv4 masks are /0 to /32' : 'IPv6 masks are /0 to /128'),
          keyword,
        );
      }
    } else {
      const dotted = parseIPv4(maskText);
      if (dotted === undefined) {
        return fail(
          ctx.error('POLICY_BAD_MASK', `mask '/${maskText}' in policy item '${ctx.text}' is not a number of bits`,
            maskSpan, 'write the prefix length, e.g. /24'),
          keyword,
        );
      }
      const b = dottedMaskBits(dotted);
      if (b < 0) {
        return fail(
          ctx.error('POLICY_NONPREFIX_MASK', `mask '/${maskText}' in policy item '${ctx.text}' is not a prefix`,
            maskSpan, 'only contiguous masks such as 255.255.255.0 (= /24) work'),
          keyword,
        );
      }
      bits = b;
      if (family === 6) {
        ctx.warn('POLICY_LENIENT_MASK', `Tor reads the IPv4-style mask '/${maskText}' on an IPv6 address as /${bits}`,
          maskSpan, `write /${bits}`);
      }
    }
    if (family === 6 && isV4Mapped(6, address)) {
      if (bits > 32 && bits < 96) {
        return fail(
          ctx.error('POLICY_BAD_MAPPED_MASK', `mask /${bits} is not allowed on the IPv4-mapped address '${addrText}'`,
            maskSpan, 'use an IPv4 rule instead of ::ffff:a.b.c.d'),
          keyword,
        );
      }
      const remapped = 96 + (bits % 32);
      if (remapped !== bits) {
        ctx.warn('POLICY_MAPPED_MASK_REMAPPED', `Tor reads /${bits} on the IPv4-mapped address '${addrText}' as /${remapped}`,
          maskSpan, 'use an IPv4 rule instead of ::ffff:a.b.c.d');
      }
      bits = remapped;
    }
    if (wildcard) {
      return fail(
        ctx.error('POLICY_WILDCARD_MASK', `a wildcard address cannot have a mask ('${arg}')`,
          maskSpan, `write '${addrText}' without '/${maskText}'`),
        keyword,
      );
    }
    // Plain digits read as themselves unless they have a leading zero.
    const written = parsed === undefined ? !(maskText.length > 1 && maskText.charCodeAt(0) === 48) : maskText === String(bits);
    if (numeric && !written && !(family === 6 && isV4Mapped(6, address))) {
      if (maskText === '') {
        ctx.warn('POLICY_EMPTY_MASK', `Tor reads the empty mask in '${ctx.text}' as /0: it matches every IPv${family} address`,
          maskSpan, `write '/${addressBits(family as Family)}' for one address, or a prefix length`);
      } else {
        ctx.warn('POLICY_LENIENT_MASK', `Tor reads the mask '/${maskText}' as /${bits}`, maskSpan, `write /${bits}`);
      }
    }
  } else {
    bits = wildcard ? 0 : family === 4 ? 32 : 128;
  }

  // Ports.
  const ports = parsePortRange(ctx, portText, portAt >= 0 ? at + portAt + 1 : at + arg.length);
  if ('error' in ports) return fail(ports.error, keyword);

  if (sixOnly && family !== 6) {
    ctx.warn('POLICY_IPV4_UNDER_ACCEPT6', `Tor ignores '${ctx.text}': '${keyword}' only takes IPv6 addresses`,
      span(0, arg.length), `write '${action} ${arg}'`);
    return { keyword, rules: [], ignored: true, error: undefined };
  }

  if (family !== 'both' && !wildcard && hostBitsSet(family, address, bits)) {
    const hint = bits === 0
      ? `this matches every IPv${family} address; did you mean /${addressBits(family)}?`
      : `the rule matches all of ${canonicalCidr(family, address, bits)}`;
    ctx.warn('POLICY_HOST_BITS', `'${addrText}/${bits}' has bits set after the prefix`, span(0, arg.length), hint);
  }

  const make = (f: Family): Rule =>
    Rule.create({ action, family: f, address, maskBits: bits, portMin: ports.min, portMax: ports.max, origin });
  const rules = family === 'both' ? [make(4), make(6)] : [make(family)];
  return { keyword, rules, ignored: false, error: undefined };
}

function addressHint(addrText: string, arg: string, bracketed: boolean): string {
  if (!bracketed && addrText.includes(':')) return 'write IPv6 addresses in brackets, e.g. [2001:db8::1]:80';
  if (/^\d+(\.\d+){3}$/.test(addrText) && addrText.split('.').some((p) => p.length > 1 && p.startsWith('0'))) {
    return 'Tor refuses leading zeros in IPv4 addresses';
  }
  if (/^\d+(\.\d+){0,2}$/.test(addrText)) return 'an IPv4 address has four parts, e.g. 192.0.2.1';
  if (addrText === '') return `'${arg}' has no address; use '*' for all addresses`;
  return "use an IP address, a prefix, '*', '*4', '*6' or 'private'";
}

// hasHostBits without building masks: IPv4 in numbers, IPv6 by BigInt.asUintN, which keeps
// the bits after the prefix.
function hostBitsSet(family: Family, address: bigint, bits: number): boolean {
  if (family === 4) return Number(address) % 2 ** (32 - bits) !== 0;
  return BigInt.asUintN(128 - bits, address) !== 0n;
}

// The prefix length of a contiguous dotted mask (255.255.255.0 = 24), or -1.
function dottedMaskBits(mask: bigint): number {
  const host = ~Number(mask) >>> 0;
  // Contiguous exactly when the host part is 2^k - 1; the prefix is then the leading zeros.
  return ((host + 1) & host) === 0 ? Math.clz32(host) : -1;
}

/** A port range, or why Tor refuses it. */
type PortResult = { min: number; max: number } | { error: PolicyError };

// parse_port_range() as in 0.4.9.11: both ends are tor_parse_long(..., 1, 65535) and text
// after a range's end is ignored.
function parsePortRange(ctx: ItemContext, text: string | undefined, at: number): PortResult {
  if (text === undefined || text === '' || text === '*') return { min: 1, max: 65535 };
  const quick = plainPortRange(text);
  if (quick !== undefined) return quick;
  const span = (from: number, to: number): readonly [number, number] => [at + from, at + to];
  const bad = (code: PolicyErrorCode, hint: string): PortResult => ({
    error: ctx.error(code, `port '${text}' in policy item '${ctx.text}' is not valid`, span(0, text.length), hint),
  });
  const first = torParseLong(text, 0);
  if (!first.ok) {
    return bad('POLICY_BAD_PORT', first.end > 0 && first.value === 0n
      ? 'port 0 is refused by Tor 0.4.9.11; ports are 1 to 65535'
      : "ports are 1 to 65535, '*' for all, or a range such as 80-443");
  }
  let min = Number(first.value);
  let max = min;
  let lenient = first.lenient;
  if (first.end !== text.length) {
    if (text[first.end] !== '-') return bad('POLICY_BAD_PORT', "write a port, a range such as 80-443, or '*'");
    const second = torParseLong(text, first.end + 1);
    if (!second.ok) {
      return bad('POLICY_BAD_PORT', second.value === 0n && second.end > first.end + 1
        ? 'port 0 is refused by Tor 0.4.9.11; ports are 1 to 65535'
        : 'a range needs an end port from 1 to 65535, e.g. 80-443');
    }
    max = Number(second.value);
    lenient ||= second.lenient;
    if (second.end !== text.length) {
      ctx.warn('POLICY_LENIENT_PORT', `Tor ignores '${text.slice(second.end)}' after the port range '${text}'`,
        span(second.end, text.length), `write ${min}-${max}`);
      lenient = false;
    }
  }
  if (min > max) {
    return bad('POLICY_PORT_RANGE_REVERSED', `write ${max}-${min}`);
  }
  if (lenient) {
    ctx.warn('POLICY_LENIENT_PORT', `Tor reads the port '${text}' as ${min === max ? min : `${min}-${max}`}`,
      span(0, text.length), `write ${min === max ? min : `${min}-${max}`}`);
  }
  return { min, max };
}

// The common forms "80" and "80-443", digits only and each end in 1..65535, read without
// strtol's general path; anything else (signs, spaces, junk, 0, reversed) returns undefined.
function plainPortRange(text: string): { min: number; max: number } | undefined {
  const dash = text.indexOf('-');
  const min = plainDecimal(text, 0, dash < 0 ? text.length : dash);
  if (min < 1 || min > 65535) return undefined;
  if (dash < 0) return { min, max: min };
  const max = plainDecimal(text, dash + 1, text.length);
  if (max < min || max > 65535) return undefined;
  return { min, max };
}

// The value of text[from, to) when it is 1 to 5 ASCII digits, else -1.
function plainDecimal(text: string, from: number, to: number): number {
  if (to <= from || to - from > 5) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

interface StrtolResult {
  /** The value, clamped to the range of a C long. */
  value: bigint;
  /** Index just after the number, or the start index when no digit was read. */
  end: number;
  /** The value did not fit a C long (errno ERANGE). */
  overflow: boolean;
  /** Whitespace or a sign was skipped before the digits. */
  lenient: boolean;
}

// strtol(s + start, &end, 10) in the C locale.
function cStrtol(s: string, start = 0): StrtolResult {
  let i = start;
  while (i < s.length && isCSpace(s[i])) i++;
  let negative = false;
  const signed = s[i] === '+' || s[i] === '-';
  if (signed) {
    negative = s[i] === '-';
    i++;
  }
  const digitsStart = i;
  let value = 0n;
  while (i < s.length && (s[i] as string) >= '0' && (s[i] as string) <= '9') {
    value = value * 10n + BigInt((s[i] as string).charCodeAt(0) - 48);
    i++;
  }
  if (i === digitsStart) return { value: 0n, end: start, overflow: false, lenient: false };
  if (negative) value = -value;
  let overflow = false;
  if (value > LONG_MAX) {
    value = LONG_MAX;
    overflow = true;
  } else if (value < LONG_MIN) {
    value = LONG_MIN;
    overflow = true;
  }
  return { value, end: i, overflow, lenient: signed || digitsStart - (signed ? 1 : 0) > start };
}

// tor_parse_long(s, 10, 1, 65535, &ok, &next): trailing text allowed, range-checked.
function torParseLong(s: string, start: number): StrtolResult & { ok: boolean } {
  const r = cStrtol(s, start);
  const ok = !r.overflow && r.end !== start && r.value >= 1n && r.value <= 65535n;
  return { ...r, ok };
}

// eat_whitespace_eos(): spaces, tabs, CR, LF and "#" comments up to the end of the line.
function eatWhitespace(s: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '#') {
      i++;
      while (i < end && s[i] !== '\n') i++;
    } else {
      break;
    }
  }
  return i;
}

// eat_whitespace_eos_no_nl(): spaces, tabs and CR.
function eatWhitespaceNoNl(s: string, from: number, end: number): number {
  let i = from;
  while (i < end && (s[i] === ' ' || s[i] === '\t' || s[i] === '\r')) i++;
  return i;
}

// find_whitespace_eos(): the next space, tab, CR, LF or "#".
function findWhitespace(s: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '#') break;
    i++;
  }
  return i;
}
