/**
 * The view a template sees: a plain object built from a `LetterContext`, with every value a
 * single-line string, a boolean or a list, dates already formatted (UTC), and the derived
 * parts (change sentences, ExoneraTor link, follow-up dates) worked out. `VIEW_SCHEMA`
 * describes its shape; templates are checked against it when they are loaded.
 */
import type { LetterContext } from './context.js';
import { describeChange, englishList } from './describe.js';
import { LetterError } from './errors.js';
import { exoneratorUrl } from './exonerator.js';

/** Shape of one view field, for checking templates. */
export type FieldSpec =
  | { readonly kind: 'text' }
  | { readonly kind: 'flag' }
  | { readonly kind: 'list'; readonly item: FieldSpec }
  | { readonly kind: 'record'; readonly fields: Readonly<Record<string, FieldSpec>> };

const text: FieldSpec = { kind: 'text' };
const flag: FieldSpec = { kind: 'flag' };
const list = (item: FieldSpec): FieldSpec => ({ kind: 'list', item });
const record = (fields: Record<string, FieldSpec>): FieldSpec => ({ kind: 'record', fields });

/** Every field a template may use. Optional ones are absent from a view when unknown. */
export const VIEW_SCHEMA: FieldSpec = record({
  letter: record({ date: text, followUpBy: text }),
  operator: record({ name: text, email: text, organisation: text, signature: list(text) }),
  recipient: record({ name: text, email: text }),
  relay: record({
    nickname: text,
    fingerprint: text,
    addresses: list(text),
    addressList: text,
    multipleAddresses: flag,
    contactInfo: text,
    relaySearchUrl: text,
  }),
  complaint: record({
    reference: text,
    receivedDate: text,
    complainant: record({ name: text, email: text }),
    subject: text,
    category: text,
    relayAddress: text,
    eventTime: text,
    eventDate: text,
  }),
  links: record({ exonerator: text }),
  followup: record({
    remedy: text,
    applied: flag,
    proposal: flag,
    appliedAt: text,
    openConnectionsClosed: flag,
    checkDate: text,
    changes: list(text),
    noChange: flag,
    verified: flag,
    verifiedAt: text,
    verifiedRunning: flag,
    verifiedDestinations: text,
  }),
});

/** A view value: what templates can print, test or iterate. */
export type ViewValue = string | boolean | readonly ViewValue[] | { readonly [key: string]: ViewValue };

/** The plain object handed to a template. */
export type LetterView = { readonly [key: string]: ViewValue };

/** Days between a change taking effect (or a first reply) and the promised follow-up. */
export const FOLLOW_UP_DAYS = 7;

const DAY_MS = 86_400_000;
// iso-date ::= YYYY "-" MM "-" DD ; iso-time ::= iso-date "T" hh ":" mm [ ":" ss [ "." frac ] ] zone
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/;
const FINGERPRINT = /^[0-9A-F]{40}$/;
// eslint-disable-next-line no-control-regex
// Private-use U+E000/U+E001 are the renderer's value marks and may not come from outside.
const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\uE000\uE001]+/g;

/** Builds the view for `context`, dating the letter `now`. */
export function buildView(context: LetterContext, now: Date): LetterView {
  const view: Record<string, ViewValue> = {
    letter: { date: utcDate(now), followUpBy: utcDate(new Date(now.getTime() + FOLLOW_UP_DAYS * DAY_MS)) },
    operator: compact({
      name: clean('operator.name', context.operator.name),
      email: clean('operator.email', context.operator.email),
      organisation: cleanOptional('operator.organisation', context.operator.organisation),
      signature: context.operator.signature.map((line, index) => clean(`operator.signature[${index}]`, line)),
    }),
    relay: relayView(context),
  };
  if (context.recipient !== undefined) {
    view['recipient'] = compact({
      name: cleanOptional('recipient.name', context.recipient.name),
      email: cleanOptional('recipient.email', context.recipient.email),
    });
  }
  const complaint = context.complaint;
  if (complaint !== undefined) {
    const eventTime = complaint.eventTime === undefined ? undefined : parseTime('complaint.eventTime', complaint.eventTime, false);
    view['complaint'] = compact({
      reference: cleanOptional('complaint.reference', complaint.reference),
      receivedDate: receivedDate(complaint.receivedAt),
      complainant: compact({
        name: cleanOptional('complaint.complainant.name', complaint.complainant.name),
        email: cleanOptional('complaint.complainant.email', complaint.complainant.email),
      }),
      subject: cleanOptional('complaint.subject', complaint.subject),
      category: cleanOptional('complaint.category', complaint.category),
      relayAddress: cleanOptional('complaint.relayAddress', complaint.relayAddress),
      eventTime: eventTime === undefined ? undefined : utcTime(eventTime),
      eventDate: eventTime === undefined ? undefined : utcDate(eventTime),
    });
  }
  const exonerator = exoneratorLink(context);
  if (exonerator !== undefined) view['links'] = { exonerator };
  const followup = context.followup;
  if (followup !== undefined) {
    const applied = followup.appliedAt === null ? undefined : parseTime('followup.appliedAt', followup.appliedAt, true);
    const verification = followup.verification;
    const verified = verification === undefined ? undefined : verifiedTime(verification.verifiedAt, applied);
    const destinations = verification?.destinations.map((destination, index) => clean(`followup.verification.destinations[${index}]`, destination)) ?? [];
    view['followup'] = compact({
      remedy: followup.remedy,
      applied: applied !== undefined,
      proposal: applied === undefined,
      appliedAt: applied === undefined ? undefined : utcTime(applied),
      openConnectionsClosed: applied !== undefined && followup.openConnectionsClosed === true,
      checkDate: applied === undefined ? undefined : utcDate(new Date(applied.getTime() + FOLLOW_UP_DAYS * DAY_MS)),
      changes: describeChange(followup.change, { proposal: applied === undefined }),
      noChange: followup.change.changes.length === 0,
      // Absent rather than false before the check, like the other parts of the check.
      verified: verified === undefined ? undefined : true,
      verifiedAt: verified === undefined ? undefined : utcTime(verified),
      verifiedRunning: verified === undefined ? undefined : verification?.runningTor === true,
      verifiedDestinations: verified === undefined || destinations.length === 0 ? undefined : englishList(destinations),
    });
  }
  return withAllRecords(view, VIEW_SCHEMA) as LetterView;
}

// Every record of the schema is present (possibly empty), so that a template testing
// `complaint.reference` never makes Handlebars read a field of an absent `complaint`, which
// it does not survive in strict mode; templates test fields, never whole records.
function withAllRecords(value: ViewValue | undefined, spec: FieldSpec): ViewValue | undefined {
  if (spec.kind !== 'record') return value;
  const source = (value ?? {}) as { readonly [key: string]: ViewValue };
  const out: Record<string, ViewValue> = { ...source };
  for (const [key, field] of Object.entries(spec.fields)) {
    const completed = withAllRecords(source[key], field);
    if (completed !== undefined) out[key] = completed;
  }
  return out;
}

function relayView(context: LetterContext): Record<string, ViewValue> {
  const relay = context.relay;
  const fingerprint = clean('relay.fingerprint', relay.fingerprint);
  if (!FINGERPRINT.test(fingerprint)) {
    throw new LetterError('LETTER_BAD_VALUE', `relay.fingerprint "${fingerprint}" is not 40 uppercase hexadecimal characters`, {
      field: 'relay.fingerprint',
      input: fingerprint,
      hint: 'copy it from DataDirectory/fingerprint, e.g. F4D08C507CB528A62DEDC4E67E8682FF82CB5925',
    });
  }
  const addresses = relay.addresses.map((address, index) => clean(`relay.addresses[${index}]`, address));
  return compact({
    nickname: clean('relay.nickname', relay.nickname),
    fingerprint,
    addresses,
    addressList: addresses.length > 0 ? englishList(addresses) : undefined,
    multipleAddresses: addresses.length > 1,
    contactInfo: cleanOptional('relay.contactInfo', relay.contactInfo),
    relaySearchUrl: `https://metrics.torproject.org/rs.html#details/${fingerprint}`,
  });
}

// The link names the address the complaint names (else the relay's first), on the day of the
// event (else the day the complaint arrived): that is the question the complainant is asking.
function exoneratorLink(context: LetterContext): string | undefined {
  const complaint = context.complaint;
  if (complaint === undefined) return undefined;
  const address = complaint.relayAddress ?? context.relay.addresses[0];
  if (address === undefined) return undefined;
  const date =
    complaint.eventTime !== undefined
      ? utcDate(parseTime('complaint.eventTime', complaint.eventTime, false))
      : receivedDate(complaint.receivedAt);
  return exoneratorUrl(clean('complaint.relayAddress', address), date);
}

// A check can only confirm a change that was in force when it ran.
function verifiedTime(verifiedAt: string, applied: Date | undefined): Date {
  const time = parseTime('followup.verification.verifiedAt', verifiedAt, true);
  if (applied === undefined || time.getTime() < applied.getTime()) {
    throw new LetterError(
      'LETTER_BAD_VALUE',
      applied === undefined
        ? `followup.verification.verifiedAt "${verifiedAt}" is given for a change that is not applied`
        : `followup.verification.verifiedAt "${verifiedAt}" is before the change took effect (${applied.toISOString()})`,
      {
        field: 'followup.verification.verifiedAt',
        input: verifiedAt,
        hint: 'give the time of a follow-up check made after the change took effect',
      },
    );
  }
  return time;
}

function receivedDate(receivedAt: string): string {
  const value = clean('complaint.receivedAt', receivedAt);
  if (ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return value;
  return utcDate(parseTime('complaint.receivedAt', value, false));
}

function parseTime(field: string, value: string, utcOnly: boolean): Date {
  const pattern = utcOnly ? ISO_UTC : ISO_TIME;
  const parsed = pattern.test(value) ? new Date(value) : undefined;
  if (parsed === undefined || Number.isNaN(parsed.getTime())) {
    throw new LetterError('LETTER_BAD_VALUE', `${field} "${value}" is not an ISO 8601 ${utcOnly ? 'UTC ' : ''}time`, {
      field,
      input: value,
      hint: 'e.g. 2025-11-18T21:14:05Z',
    });
  }
  return parsed;
}

/** `YYYY-MM-DD` of a time, in UTC. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** `YYYY-MM-DD hh:mm:ss UTC` of a time. */
export function utcTime(time: Date): string {
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

// Values come from e-mail and from operators; a line break in one would let it add lines
// (or, in `.eml` output, headers) that nobody wrote, so every control character becomes a space.
function clean(field: string, value: string): string {
  const single = value.replace(CONTROL_RUN, ' ').replace(/ {2,}/g, ' ').trim();
  if (single.includes('{{') || single.includes('}}')) {
    throw new LetterError('LETTER_BAD_VALUE', `${field} contains "{{" or "}}", which no letter may carry`, {
      field,
      input: single,
      hint: 'remove the braces from the value',
    });
  }
  return single;
}

function cleanOptional(field: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : clean(field, value);
}

function compact(fields: Record<string, ViewValue | undefined>): Record<string, ViewValue> {
  const out: Record<string, ViewValue> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
