/**
 * Event times as complaints write them, normalised to UTC without losing the original text.
 *
 * Reports use a dozen notations (ISO 8601, RFC 5322 dates, `date(1)` output, syslog stamps
 * without year or zone, day.month.year, month/day/year). Each is read by one pattern below,
 * with its grammar beside it. A time without a zone is placed in UTC only when the report
 * says which zone applies (a table header "(UTC)", a line "Local timezone is +0100") or, marked
 * as an assumption, from the zone of the mail's own Date header; otherwise `utc` stays null.
 */

/** What a time stands for in the report. */
export type TimeRole =
  /** When the reported activity happened (a log line, an incident timestamp). */
  | 'event'
  /** Start of the reported activity. */
  | 'first-seen'
  /** End of the reported activity (or when it was last seen). */
  | 'last-seen'
  /** When the report was written or sent. */
  | 'report';

/** How the zone of a time was known. */
export type ZoneBasis =
  /** The time text carries its own zone or offset. */
  | 'explicit'
  /** The report states the zone elsewhere (a table header, a note, the format's definition). */
  | 'declared'
  /** Not stated: taken from the mail's Date header, which is an assumption. */
  | 'assumed'
  /** Not known; `utc` is null. */
  | 'unknown';

/** One time found in a report. */
export interface EventTime {
  /** The text exactly as the report wrote it. */
  readonly original: string;
  /** ISO 8601 in UTC (`2021-03-27T00:00:00Z`, milliseconds only when present), or null. */
  readonly utc: string | null;
  /** What the time stands for. */
  readonly role: TimeRole;
  /** How the zone was known. */
  readonly zone: ZoneBasis;
  /** The field or place it came from, e.g. `Report.Date`, `log line`, `timestamp column`. */
  readonly field: string;
  /** Inferences made (year, zone, day/month order), in words. */
  readonly notes: readonly string[];
}

/** A zone: a fixed offset in minutes east of UTC, or an IANA zone name. */
export type Zone = { readonly offsetMinutes: number } | { readonly iana: string };

/** What a parser may use when the time text lacks a zone or a year. */
export interface TimeContext {
  /** Zone to use when the text has none, with its basis and the reason in words. */
  readonly defaultZone?: {
    readonly zone: Zone;
    readonly basis: 'declared' | 'assumed';
    readonly why: string;
  } | undefined;
  /** Reference instant (usually the mail's Date) to infer a missing year or day/month order. */
  readonly reference?: Date | undefined;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Zone abbreviations with a fixed meaning in mail and log headers (RFC 5322 §4.3 plus the
// European and Asian ones seen in reports). Ambiguous ones (IST, BST outside mail) are left out
// on purpose: an unknown abbreviation leaves the time unplaced instead of guessing.
const ZONE_ABBREVIATIONS: Readonly<Record<string, Zone>> = {
  UT: { offsetMinutes: 0 },
  UTC: { offsetMinutes: 0 },
  GMT: { offsetMinutes: 0 },
  Z: { offsetMinutes: 0 },
  EST: { offsetMinutes: -300 },
  EDT: { offsetMinutes: -240 },
  CST: { offsetMinutes: -360 },
  CDT: { offsetMinutes: -300 },
  MST: { offsetMinutes: -420 },
  MDT: { offsetMinutes: -360 },
  PST: { offsetMinutes: -480 },
  PDT: { offsetMinutes: -420 },
  WET: { offsetMinutes: 0 },
  WEST: { offsetMinutes: 60 },
  CET: { offsetMinutes: 60 },
  CEST: { offsetMinutes: 120 },
  MET: { offsetMinutes: 60 },
  MEST: { offsetMinutes: 120 },
  MEZ: { offsetMinutes: 60 },
  MESZ: { offsetMinutes: 120 },
  EET: { offsetMinutes: 120 },
  EEST: { offsetMinutes: 180 },
  JST: { offsetMinutes: 540 },
  KST: { offsetMinutes: 540 },
  HKT: { offsetMinutes: 480 },
  SGT: { offsetMinutes: 480 },
  AEST: { offsetMinutes: 600 },
  AEDT: { offsetMinutes: 660 },
  NZST: { offsetMinutes: 720 },
  NZDT: { offsetMinutes: 780 },
  // Regional times whose offset changed over the years: resolved through the tz database.
  MSK: { iana: 'Europe/Moscow' },
  ALMT: { iana: 'Asia/Almaty' },
};

/** True when `name` is an IANA zone this Node knows. */
function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// zone ::= ("+" | "-") hh [":"] mm | ("UTC" | "GMT") [("+" | "-") h[h] [[":"] mm]]
//        | abbreviation | area "/" location
const NUMERIC_ZONE = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** Reads a zone written on its own (`+0100`, `UTC+0200`, `UTC+1`, `CEST`, `America/Chicago`). */
export function parseZone(text: string): Zone | null {
  const t = text.trim().replace(/^\(|\)$/g, '').trim();
  const numeric = NUMERIC_ZONE.exec(t);
  if (numeric) {
    const hours = Number(numeric[2]);
    const minutes = numeric[3] === undefined ? 0 : Number(numeric[3]);
    if (hours > 14 || minutes > 59) return null;
    const sign = numeric[1] === '-' ? -1 : 1;
    return { offsetMinutes: sign * (hours * 60 + minutes) };
  }
  const upper = t.toUpperCase();
  const abbreviation = ZONE_ABBREVIATIONS[upper];
  if (abbreviation) return abbreviation;
  if (/^(?:UTC|GMT)[+-]?0?$/i.test(t)) return { offsetMinutes: 0 };
  if (/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2}$/.test(t) && isIanaZone(t)) return { iana: t };
  return null;
}

/** Offset in minutes of an IANA zone at the given instant. */
function ianaOffsetAt(zone: string, utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
}

/** Converts a wall-clock time (given as if it were UTC) in `zone` to a UTC instant. */
function wallToUtc(wallMs: number, zone: Zone): number {
  if ('offsetMinutes' in zone) return wallMs - zone.offsetMinutes * 60000;
  // Two passes settle the offset around DST changes (the tz offset at the guessed instant).
  const first = wallMs - ianaOffsetAt(zone.iana, wallMs) * 60000;
  return wallMs - ianaOffsetAt(zone.iana, first) * 60000;
}

/** Formats an instant as ISO 8601 UTC, with milliseconds only when they are not zero. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** The pieces of a time text before zone and year are resolved. */
interface WallTime {
  year: number | null;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  zoneText: string | null;
  /** Both orders are possible for a numeric date (`01/12/2019`): the alternative reading. */
  swapped?: { month: number; day: number } | undefined;
}

const WEEKDAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\\.?,?\\s+';
const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.?';
const ZONE_TOKEN = '([A-Za-z]+\\/[A-Za-z_]+(?:\\/[A-Za-z_]+)?|[+-]\\d{2}:?\\d{2}|[A-Za-z]{1,5}(?:[+-]\\d{1,4})?(?![A-Za-z]))';

// iso ::= yyyy "-" mm "-" dd ("T" | " ") hh ":" mm [":" ss ["." fraction]] [zone]
const ISO = new RegExp(
  `^(\\d{4})-(\\d{2})-(\\d{2})(?:T|\\s+)(\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(?:\\s*(Z|[+-]\\d{2}(?::?\\d{2})?|(?:UTC|GMT)(?:[+-]\\d{1,4})?)(?![A-Za-z]))?(?![\\d:])`,
);
// rfc5322 ::= [weekday ","] d[d] month yyyy hh ":" mm [":" ss] [zone]
const RFC5322 = new RegExp(`^(?:${WEEKDAY})?(\\d{1,2})\\s+${MONTH}\\s+(\\d{4}|\\d{2})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s+${ZONE_TOKEN})?`, 'i');
// ctime ::= weekday month d[d] hh ":" mm ":" ss [zone] yyyy [zone]   (asctime and date(1))
const CTIME = new RegExp(`^(?:${WEEKDAY})${MONTH}\\s+(\\d{1,2})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})\\s+(?:${ZONE_TOKEN}\\s+)?(\\d{4})(?:\\s+${ZONE_TOKEN})?`, 'i');
// syslog ::= month d[d] hh ":" mm ":" ss       (no year, no zone)
const SYSLOG = new RegExp(`^${MONTH}\\s+(\\d{1,2})\\s+(\\d{2}):(\\d{2}):(\\d{2})(?![\\d:])`, 'i');
// long ::= monthname d[d] "," yyyy ["at"] h[h] ":" mm [":" ss] [AM|PM] [zone]
const LONG = new RegExp(`^(?:${WEEKDAY})?${MONTH}\\s+(\\d{1,2}),\\s+(\\d{4})(?:\\s+at)?\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s*(AM|PM)(?![A-Za-z]))?(?:\\s+${ZONE_TOKEN})?`, 'i');
// dotted ::= d[d] "." m[m] "." yyyy h[h] ":" mm [":" ss] [zone]   (day first, as in German)
const DOTTED = new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}),?\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s+${ZONE_TOKEN})?`);
// slashed ::= a "/" b "/" yyyy [h[h] ":" mm [":" ss] [AM|PM]] [zone]   (order ambiguous)
const SLASHED = new RegExp(`^(\\d{1,2})/(\\d{1,2})/(\\d{4})(?:,?\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s*(AM|PM)(?![A-Za-z]))?)?(?:\\s+${ZONE_TOKEN})?`, 'i');

function monthIndex(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function to24(hour: number, ampm: string | undefined): number {
  if (!ampm) return hour;
  const pm = ampm.toUpperCase() === 'PM';
  if (hour === 12) return pm ? 12 : 0;
  return pm ? hour + 12 : hour;
}

function fraction(text: string | undefined): number {
  if (!text) return 0;
  return Math.floor(Number(`0.${text}`) * 1000);
}

/** Splits a time text into its fields, or returns null when no notation matches. */
function readWallTime(text: string): WallTime | null {
  let m = ISO.exec(text);
  if (m) {
    return {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millis: fraction(m[7]),
      zoneText: m[8] ?? null,
    };
  }
  m = RFC5322.exec(text);
  if (m) {
    let year = Number(m[3]);
    // RFC 5322 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx.
    if ((m[3] ?? '').length === 2) year += year < 50 ? 2000 : 1900;
    return {
      year,
      month: monthIndex(m[2] ?? ''),
      day: Number(m[1]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millis: 0,
      zoneText: m[7] ?? null,
    };
  }
  m = CTIME.exec(text);
  if (m) {
    return {
      year: Number(m[7]),
      month: monthIndex(m[1] ?? ''),
      day: Number(m[2]),
      hour: Number(m[3]),
      minute: Number(m[4]),
      second: Number(m[5]),
      millis: 0,
      // A numeric offset wins over a trailing abbreviation ("+00:00 GMT").
      zoneText: pickZoneText(m[6], m[8]),
    };
  }
  m = LONG.exec(text);
  if (m) {
    return {
      year: Number(m[3]),
      month: monthIndex(m[1] ?? ''),
      day: Number(m[2]),
      hour: to24(Number(m[4]), m[7]),
      minute: Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millis: 0,
      zoneText: m[8] ?? null,
    };
  }
  m = SYSLOG.exec(text);
  if (m) {
    return {
      year: null,
      month: monthIndex(m[1] ?? ''),
      day: Number(m[2]),
      hour: Number(m[3]),
      minute: Number(m[4]),
      second: Number(m[5]),
      millis: 0,
      zoneText: null,
    };
  }
  m = DOTTED.exec(text);
  if (m) {
    return {
      year: Number(m[3]),
      month: Number(m[2]),
      day: Number(m[1]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millis: 0,
      zoneText: m[7] ?? null,
    };
  }
  m = SLASHED.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const wall: WallTime = {
      year: Number(m[3]),
      month: a,
      day: b,
      hour: to24(m[4] === undefined ? 0 : Number(m[4]), m[7]),
      minute: m[5] === undefined ? 0 : Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      millis: 0,
      zoneText: m[8] ?? null,
    };
    if (a > 12 && b <= 12) return { ...wall, month: b, day: a };
    if (a <= 12 && b <= 12 && a !== b) wall.swapped = { month: b, day: a };
    return wall;
  }
  return null;
}

/**
 * Keeps a token after a time only when it looks like a zone: an offset, an upper-case
 * abbreviation, or an IANA name. Ordinary words following a time ("at", "and") are not zones.
 */
function plausibleZoneText(text: string | null): string | null {
  if (text === null) return null;
  if (/^[+-]\d/.test(text)) return text;
  if (/^[A-Z]{1,5}(?:[+-]\d{1,4})?$/.test(text)) return text;
  if (/^[A-Z][A-Za-z]+\/[A-Za-z_]+(?:\/[A-Za-z_]+)?$/.test(text)) return text;
  return null;
}

function pickZoneText(before: string | undefined, after: string | undefined): string | null {
  const numeric = [before, after].find((z) => z !== undefined && /^[+-]\d/.test(z));
  return numeric ?? before ?? after ?? null;
}

/** Milliseconds of a wall time read as UTC, or null when a field is out of range. */
function wallMs(year: number, month: number, day: number, w: WallTime): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  if (w.hour > 23 || w.minute > 59 || w.second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, w.hour, w.minute, Math.min(w.second, 59), w.millis);
  const d = new Date(ms);
  // Date.UTC rolls 31 Feb over into March; a real calendar date round-trips.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return ms;
}

const DAY = 86_400_000;

/**
 * Reads one time. `text` may carry trailing words (they are ignored); the returned `original`
 * is `text` trimmed. Never throws: an unreadable text gives `utc: null` with a note.
 */
export function parseTime(text: string, role: TimeRole, field: string, context: TimeContext = {}): EventTime {
  const original = text.trim();
  const notes: string[] = [];
  const unplaced = (note: string): EventTime => ({
    original,
    utc: null,
    role,
    zone: 'unknown',
    field,
    notes: [...notes, note],
  });
  const wall = readWallTime(original.replace(/^['"]|['"]$/g, '').replace(/\s+/g, ' '));
  if (!wall) return unplaced(`"${original}" is not a time notation exitkit knows`);

  // Zone first: it is needed to compare candidate readings with the reference instant.
  let zone: Zone | null = null;
  let basis: ZoneBasis = 'unknown';
  const zoneText = plausibleZoneText(wall.zoneText);
  if (zoneText !== null) {
    zone = parseZone(zoneText);
    if (!zone) return unplaced(`unknown time zone "${zoneText}"`);
    basis = 'explicit';
  } else if (context.defaultZone) {
    zone = context.defaultZone.zone;
    basis = context.defaultZone.basis;
    notes.push(context.defaultZone.why);
  }

  const reference = context.reference && !Number.isNaN(context.reference.getTime()) ? context.reference : undefined;
  const candidates: Array<{ year: number; month: number; day: number; note?: string }> = [];
  if (wall.year === null) {
    if (!reference) return unplaced('the time has no year and the mail has no date to take it from');
    const refYear = reference.getUTCFullYear();
    candidates.push({ year: refYear, month: wall.month, day: wall.day });
    candidates.push({ year: refYear - 1, month: wall.month, day: wall.day });
  } else {
    candidates.push({ year: wall.year, month: wall.month, day: wall.day });
    if (wall.swapped) candidates.push({ year: wall.year, ...wall.swapped });
  }

  const placed = candidates
    .map((c) => {
      const ms = wallMs(c.year, c.month, c.day, wall);
      return ms === null ? null : { ...c, ms: zone ? wallToUtc(ms, zone) : ms };
    })
    .filter((c): c is NonNullable<typeof c> => c !== null);
  if (placed.length === 0) return unplaced(`"${original}" is not a valid calendar date or time`);

  let chosen = placed[0];
  if (placed.length > 1) {
    if (!reference) return unplaced('day and month order is ambiguous and the mail has no date to decide it');
    // A report describes the past: prefer the reading that is not after the mail (two days of
    // slack for clock and zone differences), and among those the closest one.
    const limit = reference.getTime() + 2 * DAY;
    const past = placed.filter((c) => c.ms <= limit);
    const pool = past.length > 0 ? past : placed;
    chosen = pool.reduce((best, c) =>
      Math.abs(c.ms - reference.getTime()) < Math.abs(best.ms - reference.getTime()) ? c : best,
    );
    if (wall.year === null) notes.push(`year ${chosen.year} taken from the mail's date`);
    else notes.push(`read as ${chosen.day} ${MONTH_NAMES[chosen.month - 1]} (day/month order taken from the mail's date)`);
  }
  if (!chosen) return unplaced(`"${original}" could not be placed`);
  if (!zone) {
    return {
      original,
      utc: null,
      role,
      zone: 'unknown',
      field,
      notes: [...notes, 'the report does not say which time zone this is in'],
    };
  }
  return { original, utc: formatUtc(chosen.ms), role, zone: basis, field, notes };
}

/** The zone a time text states itself (`... +0100`, `... UTC 2019`), or null when it has none. */
export function explicitZone(text: string): Zone | null {
  const wall = readWallTime(text.trim().replace(/\s+/g, ' '));
  const zoneText = plausibleZoneText(wall?.zoneText ?? null);
  return zoneText === null ? null : parseZone(zoneText);
}

/** The UTC instant of a time, or null. */
export function timeMs(time: EventTime): number | null {
  return time.utc === null ? null : Date.parse(time.utc);
}
