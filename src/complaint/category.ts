/**
 * Mapping from the words reports use for the kind of abuse to exitkit's categories, which in
 * turn pick the letter. Structured reports name a type (`login-attack`, `PortScan`,
 * `ssh-brute-force`); prose is classified by keywords, more specific ones first.
 */
import type { ComplaintCategory } from './types.js';

// Ordered: the first rule whose pattern matches the normalised type word wins. Types are
// normalised to lower case with `_`, ` ` and camel-case humps turned into `-`.
const TYPE_RULES: ReadonlyArray<readonly [RegExp, ComplaintCategory]> = [
  [/copyright|infring|dmca|p2p|bittorrent|piracy|cyberlocker|usenet/, 'copyright'],
  [/phish|fraud|scam|carding|fake-shop/, 'fraud'],
  [/spam|trap|messaging|bulk|regbot|forum|comment|harvest/, 'spam'],
  [/ddos|dos|flood|amplif|scraping|crawl/, 'dos'],
  [/brute|login|auth-fail|password|credential|ssh$|imap$|pop3$|ftp$|telnet$|smtp-auth/, 'brute-force'],
  [/scan|probe|recon|sql-injection|injection|web-attack|exploit|hack|vulnerab|intrusion|netscan|darknet|http-scan/, 'scan'],
];

/** Normalises a report's type word: `PortScan` → `port-scan`, `login_attack` → `login-attack`. */
export function normaliseType(type: string): string {
  return type
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[_\s/]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The category a report type word stands for, or null when it says nothing specific. */
export function categoryFromType(type: string | null | undefined): ComplaintCategory | null {
  if (!type) return null;
  const t = normaliseType(type);
  if (t === 'info' || t === 'other' || t === 'generic' || t === 'abuse' || t === 'activity') return null;
  for (const [pattern, category] of TYPE_RULES) if (pattern.test(t)) return category;
  return null;
}

// Keywords in free text (subject and body), most telling first.
const TEXT_RULES: ReadonlyArray<readonly [RegExp, ComplaintCategory]> = [
  [/\b(?:copyright|infringement|dmca|unauthori[sz]ed (?:use|distribution)|bittorrent)\b/i, 'copyright'],
  [/\b(?:phishing|fraud(?:ulent)?|scam)\b/i, 'fraud'],
  [/\b(?:d?dos|denial of service|flood(?:ing)?|amplification)\b/i, 'dos'],
  [/\b(?:brute[ -]?force|login attempts?|failed password|authentication failures?|auth(?:entication)? failure|invalid user|login-attack)\b/i, 'brute-force'],
  [/\b(?:port ?scan(?:ning)?|net ?scan|scann(?:ing|er)|probes?|attacking a web application|web attacks?|sql injection|exploit)\b/i, 'scan'],
  [/\b(?:spam(?:trap|mers?)?|unsolicited|junk mail|bulk mail|feedback loop)\b/i, 'spam'],
];

/** The category free text points to, or null. */
export function categoryFromText(text: string): ComplaintCategory | null {
  for (const [pattern, category] of TEXT_RULES) if (pattern.test(text)) return category;
  return null;
}
