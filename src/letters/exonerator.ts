/**
 * Links to ExoneraTor, the Tor Project's service that answers "was this address a Tor relay
 * on that day?" from the archived consensuses (it searches the given day and one day around it).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';
import { LetterError } from './errors.js';

/** The ExoneraTor page the links point to. */
export const EXONERATOR_PAGE = 'https://metrics.torproject.org/exonerator.html';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** ExoneraTor link for an address (IPv4, or IPv6 with or without brackets) and a `YYYY-MM-DD` date. */
export function exoneratorUrl(address: string, date: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  let ip: string;
  if (isIPv4(bare)) ip = bare;
  else if (isIPv6(bare) && !bare.includes('%')) ip = new Address6(bare).correctForm();
  else {
    throw new LetterError('LETTER_BAD_VALUE', `"${address}" is not an IP address ExoneraTor can look up`, {
      input: address,
      field: 'complaint.relayAddress',
      hint: 'give the relay address as an IPv4 or IPv6 address, without port',
    });
  }
  if (!isCalendarDate(date)) {
    throw new LetterError('LETTER_BAD_VALUE', `"${date}" is not a calendar date in the form YYYY-MM-DD`, {
      input: date,
      hint: 'e.g. 2025-11-18',
    });
  }
  // IPv6 goes in bare: ExoneraTor accepts it with or without brackets, and ':' is legal in a query.
  return `${EXONERATOR_PAGE}?ip=${ip}&timestamp=${date}&lang=en`;
}

function isCalendarDate(text: string): boolean {
  const match = DATE.exec(text);
  if (match === null) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}
