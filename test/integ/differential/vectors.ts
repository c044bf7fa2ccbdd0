/**
 * Named regression cases: the effective-policy vectors C1–C17 and the traps of the tor
 * 0.4.9.11 fact sheet (tor-semantics.md §7.3 and §8), as file sets. `expected` holds the
 * policy tor printed when the fact sheet recorded it ([observed]); `valid` holds tor's
 * verdict. Both are re-checked against the real tor by test/integ/oracle.
 */
import { type TorrcCase, makeCase } from '../../helpers/generate-torrc.js';
import { DEFAULT4, DEFAULT_PORTS, PRIV4, PRIV6, REDUCED_PORTS } from '../../helpers/observed-policies.js';

/** A named case with tor's recorded answer. */
export interface Vector {
  /** Short id (C1, T3.2, ...), used in test names. */
  id: string;
  /** What the case shows. */
  title: string;
  /** The files. */
  case: TorrcCase;
  /** Tor's verdict (`tor --verify-config`). */
  valid: boolean;
  /** Tor's `exit-policy/full` when recorded by the fact sheet; undefined when only the verdict is pinned. */
  expected?: string[] | undefined;
  /** True when tor aborts on the configuration (never send it to a running oracle). */
  crashes?: boolean | undefined;
  /**
   * Why LOADCONF on the oracle relay gives another verdict than `tor --verify-config` on the
   * files (the oracle's command line pins options such as ORPort).
   */
  loadconfDiffers?: string | undefined;
}

function single(id: string, torrc: string, features: string[] = []): TorrcCase {
  return makeCase({ name: id.replace(/[^A-Za-z0-9-]/g, '-'), files: [{ path: 'torrc', content: torrc }], features });
}

function withDefaults(id: string, defaults: string, torrc: string): TorrcCase {
  return makeCase({
    name: id.replace(/[^A-Za-z0-9-]/g, '-'),
    files: [
      { path: 'torrc', content: torrc },
      { path: 'defaults', content: defaults },
    ],
    defaults: 'defaults',
    features: ['defaults-file'],
  });
}

/** C1–C17 (tor-semantics.md §7.3). */
export const EFFECTIVE_POLICY_VECTORS: Vector[] = [
  { id: 'C1', title: 'ExitRelay auto with nothing else is not an exit', case: single('C1', 'ExitRelay auto\n'), valid: true, expected: ['reject *:*'] },
  { id: 'C2', title: 'ExitRelay 0 ignores ExitPolicy', case: single('C2', 'ExitRelay 0\nExitPolicy accept *:*\n'), valid: true, expected: ['reject *:*'] },
  { id: 'C3', title: 'ExitRelay 1 alone gives the default policy', case: single('C3', 'ExitRelay 1\n'), valid: true, expected: ['reject6 *:*', ...PRIV4, ...DEFAULT4] },
  { id: 'C4', title: 'an accept covered by the default accept is pruned', case: single('C4', 'ExitPolicy accept 5.6.0.0/16:22\n'), valid: true, expected: ['reject6 *:*', ...PRIV4, ...DEFAULT4] },
  { id: 'C5', title: 'a range reject goes before the default policy', case: single('C5', 'ExitPolicy reject 5.6.0.0/16:*\n'), valid: true, expected: ['reject6 *:*', ...PRIV4, 'reject 5.6.0.0/16:*', ...DEFAULT4] },
  {
    id: 'C6',
    title: 'a user catch-all cuts off the default policy',
    case: single('C6', 'ExitPolicy accept *:80,accept *:443,reject *:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'accept *:80', 'accept *:443', 'reject *:*'],
  },
  { id: 'C7', title: 'a reject after accept *:* is deleted silently', case: single('C7', 'ExitPolicy accept *:*, reject 1.2.3.4:*\n'), valid: true, expected: ['reject6 *:*', ...PRIV4, 'accept *:*'] },
  {
    id: 'C8',
    title: 'a shadowed accept is deleted',
    case: single('C8', 'ExitPolicy reject 1.2.3.0/24:*, accept 1.2.3.4:80, accept *:80, reject *:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 1.2.3.0/24:*', 'accept *:80', 'reject *:*'],
  },
  {
    id: 'C9',
    title: 'an accept before an intersecting reject is kept',
    case: single('C9', 'ExitPolicy accept 5.6.0.0/16:22, reject 5.0.0.0/8:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'accept 5.6.0.0/16:22', 'reject 5.0.0.0/8:*', ...DEFAULT4],
  },
  {
    id: 'C10',
    title: 'an IPv4-only catch-all keeps the IPv6 half of the default',
    case: single('C10', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitPolicy reject *4:*\nExitPolicy accept6 [2001:db8::]/32:443\n'),
    valid: true,
    expected: ['reject *:*', ...DEFAULT_PORTS.map((p) => `reject6 *:${p}`), 'accept6 *:*'],
  },
  {
    id: 'C11',
    title: 'IPv6Exit 1 alone: private networks of both families, default pairs',
    case: single('C11', 'IPv6Exit 1\n'),
    valid: true,
    expected: [...PRIV4, ...PRIV6, ...DEFAULT_PORTS.flatMap((p) => [`reject *:${p}`, `reject6 *:${p}`]), 'accept *:*', 'accept6 *:*'],
  },
  {
    id: 'C12',
    title: 'ReducedExitPolicy replaces the default; a covered accept is pruned',
    case: single('C12', 'ReducedExitPolicy 1\nExitPolicyRejectPrivate 0\nExitPolicy reject 5.6.0.0/16:*, accept *:6667\n'),
    valid: true,
    expected: ['reject6 *:*', 'reject 5.6.0.0/16:*', ...REDUCED_PORTS.map((p) => `accept *:${p}`), 'reject *:*'],
  },
  { id: 'C13', title: '/0 with any address is a full IPv4 wildcard', case: single('C13', 'ExitPolicy reject 1.2.3.4/0:*\n'), valid: true, expected: ['reject *:*'] },
  {
    id: 'C14',
    title: 'a bridge gets no default policy',
    case: single('C14', 'BridgeRelay 1\nORPort 127.0.0.1:9001\nExitPolicy accept *:80\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'accept *:80', 'reject *:*'],
  },
  {
    id: 'C15',
    title: 'reject6 private:* is dropped',
    case: single('C15', 'ExitPolicyRejectPrivate 0\nExitPolicy reject6 private:*\nExitPolicy accept *:*\n'),
    valid: true,
    expected: ['reject6 *:*', 'accept *:*'],
  },
  {
    id: 'C16',
    title: 'an empty ExitPolicyRejectPrivate turns private rejection off',
    case: single('C16', 'ExitPolicyRejectPrivate 1\nExitPolicyRejectPrivate\nExitRelay 1\n'),
    valid: true,
    expected: ['reject6 *:*', ...DEFAULT4],
  },
  {
    id: 'C17',
    title: 'IPv6Exit 1 + ExitPolicyRejectPrivate 0 without ExitPolicy aborts tor',
    case: single('C17', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\n'),
    valid: false,
    crashes: true,
  },
];

/** The traps of tor-semantics.md §8 (and the lexing traps of §1), one or more cases each. */
export const TRAP_VECTORS: Vector[] = [
  { id: 'T1.1', title: 'a reject appended after accept *:443 does nothing for 443', case: single('T1.1', 'ExitPolicy accept *:443, reject 5.6.0.0/16:*, reject *:*\n'), valid: true },
  { id: 'T1.2', title: 'rules after reject *:* are deleted silently', case: single('T1.2', 'ExitPolicy reject *:*\nExitPolicy accept *:80\n'), valid: true, expected: ['reject *:*'] },
  { id: 'T1.3', title: 'a duplicate rule is deleted', case: single('T1.3', 'ExitPolicy reject *:80, reject *:80\n'), valid: true },
  { id: 'T2', title: 'rules that cannot change a verdict are pruned before the default', case: single('T2', 'ExitPolicy accept 5.6.0.0/16:22, accept 7.0.0.0/8:443\n'), valid: true },
  { id: 'T3.1', title: '# anywhere in an unquoted value starts a comment', case: single('T3.1', 'ExitPolicy reject 1.2.3.4:80#,reject *:*\n'), valid: true },
  { id: 'T3.2', title: 'a comment on the last continued line swallows the next line', case: single('T3.2', 'ExitPolicy reject 1.1.1.1:*, \\\n  reject 2.2.2.2:* # note\nNickname abc\n'), valid: false },
  { id: 'T3.3', title: 'a blank line ends the swallowing', case: single('T3.3', 'ExitPolicy reject 1.1.1.1:*, \\\n  reject 2.2.2.2:* # note\n\nContactInfo abc\n'), valid: true },
  { id: 'T3.4', title: 'a comment line inside a continuation is skipped', case: single('T3.4', 'ExitPolicy reject 1.1.1.1:*, \\\n# inside\n  reject 2.2.2.2:*\n'), valid: true },
  { id: 'T3.5', title: 'a backslash at the end of a comment is no continuation', case: single('T3.5', 'ExitPolicy reject 1.1.1.1:* # note \\\nExitPolicy reject 3.3.3.3:*\n'), valid: true },
  { id: 'T4', title: 'an empty single-value option clears it to 0, not its default', case: single('T4', 'ExitPolicyRejectPrivate\nExitPolicy reject 5.6.0.0/16:*\n'), valid: true },
  { id: 'T4.2', title: 'an empty ExitRelay means 0, not auto', case: single('T4.2', 'ExitRelay\nExitPolicy accept *:80\n'), valid: true, expected: ['reject *:*'] },
  { id: 'T5.1', title: 'reject private needs a port', case: single('T5.1', 'ExitPolicy reject private\n'), valid: false },
  { id: 'T5.2', title: 'reject private:* expands to the private networks', case: single('T5.2', 'ExitPolicyRejectPrivate 0\nIPv6Exit 1\nExitPolicy reject private:*\n'), valid: true },
  { id: 'T5.3', title: '[1.2.3.4] is IPv4', case: single('T5.3', 'ExitPolicy reject [1.2.3.4]:*\n'), valid: true },
  { id: 'T5.4', title: 'unbracketed IPv6 only works before /mask', case: single('T5.4', 'IPv6Exit 1\nExitPolicy reject6 2607:5300::/32:80\n'), valid: true },
  { id: 'T5.5', title: 'unbracketed IPv6 without a mask is malformed', case: single('T5.5', 'IPv6Exit 1\nExitPolicy reject6 2001:db8::1:80\n'), valid: false },
  { id: 'T6', title: 'host bits are kept and printed', case: single('T6', 'ExitPolicy reject 1.2.3.4/16:*\n'), valid: true, expected: ['reject6 *:*', ...PRIV4, 'reject 1.2.3.4/16:*', ...DEFAULT4] },
  { id: 'T7.1', title: 'port 0 is fatal', case: single('T7.1', 'ExitPolicy reject 1.2.3.4:0\n'), valid: false },
  { id: 'T7.2', title: '+80 and 80-90garbage are accepted', case: single('T7.2', 'ExitPolicy reject 1.2.3.4:+443, reject 5.6.7.8:80-90xyz\n'), valid: true },
  { id: 'T8.1', title: 'ExitRelay auto without policy options is not an exit', case: single('T8.1', 'ContactInfo x\n'), valid: true, expected: ['reject *:*'] },
  { id: 'T8.2', title: 'ExitRelay 0 skips ExitPolicy validation', case: single('T8.2', 'ExitRelay 0\nExitPolicy bogus\n'), valid: true, expected: ['reject *:*'] },
  { id: 'T9.1', title: 'IPv6Exit 0 deletes every IPv6 rule', case: single('T9.1', 'ExitPolicy accept6 [2001:db8::]/32:443, reject 5.6.0.0/16:*\n'), valid: true },
  { id: 'T10', title: 'the reduced policy includes the Monero ports', case: single('T10', 'ReducedExitPolicy 1\n'), valid: true },
  { id: 'T12', title: 'a blocked /16 before the default policy', case: single('T12', 'ExitRelay 1\nExitPolicy reject 149.56.0.0/16:*\n'), valid: true },
  { id: 'L15', title: 'ExitPol is accepted as ExitPolicy', case: single('L15', 'ExitPol reject 3.3.3.3:*\n'), valid: true },
  { id: 'L16', title: '%Include is an unknown option', case: single('L16', '%Include /etc/tor/torrc.d\n'), valid: false },
  { id: 'P4', title: 'IPv4 under accept6 is ignored with a warning', case: single('P4', 'IPv6Exit 1\nExitPolicy accept6 1.2.3.4:*, reject *:25\n'), valid: true },
  { id: 'P32', title: 'reject *:80,443 is fatal', case: single('P32', 'ExitPolicy reject *:80,443\n'), valid: false },
  {
    id: 'S1.5a',
    title: 'a list line in the torrc replaces the defaults file lines',
    case: withDefaults('S1.5a', 'ExitPolicy reject 1.1.1.1:*\nExitPolicy reject 2.2.2.2:*\n', 'ExitPolicy reject 3.3.3.3:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 3.3.3.3:*', ...DEFAULT4],
  },
  {
    id: 'S1.5b',
    title: '+ExitPolicy appends to the defaults file lines',
    case: withDefaults('S1.5b', 'ExitPolicy reject 1.1.1.1:*\nExitPolicy reject 2.2.2.2:*\n', '+ExitPolicy reject 3.3.3.3:*\nExitPolicy reject 4.4.4.4:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 1.1.1.1:*', 'reject 2.2.2.2:*', 'reject 3.3.3.3:*', 'reject 4.4.4.4:*', ...DEFAULT4],
  },
  {
    id: 'S1.5c',
    title: '/ExitPolicy clears earlier lines of the same file',
    case: single('S1.5c', 'ExitPolicy reject 1.1.1.1:*\n/ExitPolicy\nExitPolicy reject 2.2.2.2:*\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 2.2.2.2:*', ...DEFAULT4],
  },
  {
    id: 'I1',
    title: 'a folder include reads files in byte order and skips dot files and subfolders',
    case: makeCase({
      name: 'I1',
      files: [
        { path: 'torrc', content: 'ExitPolicy reject 1.1.1.1:*\n%include @DIR@/d\nExitPolicy reject 2.2.2.2:*\n' },
        { path: 'd/10.conf', content: 'ExitPolicy reject 11.11.11.11/32:80\n' },
        { path: 'd/9.conf', content: 'ExitPolicy reject 9.9.9.9:80\n' },
        { path: 'd/Z.conf', content: 'ExitPolicy reject 26.0.0.0/8:80\n' },
        { path: 'd/a.conf', content: 'ExitPolicy reject 97.0.0.0/8:80\n' },
        { path: 'd/.hidden', content: 'ExitPolicy reject 46.0.0.0/8:*\n' },
        { path: 'd/sub/c.conf', content: 'ExitPolicy reject 99.0.0.0/8:*\n' },
        { path: 'd/empty.conf', content: '' },
      ],
      features: ['includes'],
    }),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 1.1.1.1:*', 'reject 11.11.11.11:80', 'reject 9.9.9.9:80', 'reject 26.0.0.0/8:80', 'reject 97.0.0.0/8:80', 'reject 2.2.2.2:*', ...DEFAULT4],
  },
  {
    id: 'I2',
    title: 'a missing include is fatal, a glob without matches is not',
    case: single('I2', '%include @DIR@/none/*.conf\nExitPolicy reject 1.1.1.1:*\n%include @DIR@/missing.conf\n'),
    valid: false,
  },
  {
    id: 'LI1',
    title: "ExitPolicyRejectLocalInterfaces rejects the machine's public addresses after the private ones",
    case: single('LI1', 'ExitRelay 1\nExitPolicyRejectLocalInterfaces 1\n'),
    valid: true,
  },
  {
    id: 'LI2',
    title: 'interface addresses are rejected even with ExitPolicyRejectPrivate 0, IPv6 ones only with IPv6Exit 1',
    case: single('LI2', 'IPv6Exit 1\nExitPolicyRejectLocalInterfaces 1\nExitPolicyRejectPrivate 0\nExitPolicy accept *:*\n'),
    valid: true,
  },
  {
    id: 'C17b',
    title: 'the C17 combination does not abort when a public interface address is rejected',
    case: single('C17b', 'IPv6Exit 1\nExitPolicyRejectPrivate 0\nExitPolicyRejectLocalInterfaces 1\n'),
    valid: true,
  },
  {
    id: 'V1',
    title: 'a bridge needs an ORPort',
    case: single('V1', 'BridgeRelay 1\n'),
    valid: false,
    loadconfDiffers: "the oracle's command line gives it an ORPort",
  },
  {
    id: 'V2',
    title: '`Reduced` abbreviates ReducedCircuitPadding, which a relay cannot set',
    case: single('V2', 'ORPort 127.0.0.1:9001\nReduced 1\n'),
    valid: false,
  },
  {
    id: 'V3',
    title: '`ExitPolicyR` abbreviates ExitPolicyRejectLocalInterfaces, not ExitPolicyRejectPrivate',
    case: single('V3', 'ExitRelay 1\nExitPolicyR 1\n'),
    valid: true,
  },
  {
    id: 'V4',
    title: 'backslash continuations work in CRLF files',
    case: single('V4', 'ExitPolicy reject 1.1.1.1:*, \\\r\n  reject 2.2.2.2:*\r\n'),
    valid: true,
  },
  { id: 'I3', title: 'a glob without matches is fine', case: single('I3', '%include @DIR@/none/*.conf\nExitPolicy reject 1.1.1.1:*\n'), valid: true },
];

/**
 * The relay's own addresses (tor-semantics §3.2 step 3), for an oracle that advertises the
 * namespace's public documentation addresses (198.51.100.7 and 2001:db8:7::7). Each case has
 * the ORPort lines that make tor publish an address of that family.
 */
export const OWN_ADDRESS_VECTORS: Vector[] = [
  {
    id: 'OA1',
    title: "ExitPolicyRejectPrivate rejects the relay's own IPv4 address after the private networks",
    case: single('OA1', 'ORPort 9001\nExitRelay 1\n'),
    valid: true,
    expected: ['reject6 *:*', ...PRIV4, 'reject 198.51.100.7:*', ...DEFAULT4],
  },
  {
    id: 'OA2',
    title: 'with IPv6Exit 1 the own IPv6 address is rejected too',
    case: single('OA2', 'ORPort 9001\nORPort [::]:9001\nIPv6Exit 1\nExitPolicy accept *:*\n'),
    valid: true,
  },
  {
    id: 'OA3',
    title: 'ExitPolicyRejectPrivate 0 keeps the own address open',
    case: single('OA3', 'ORPort 9001\nExitRelay 1\nExitPolicyRejectPrivate 0\n'),
    valid: true,
    expected: ['reject6 *:*', ...DEFAULT4],
  },
  {
    id: 'OA4',
    title: 'an own address that is also an interface address is rejected once',
    case: single('OA4', 'ORPort 9001\nORPort [::]:9001\nIPv6Exit 1\nExitPolicyRejectLocalInterfaces 1\nExitPolicy reject 1.2.3.4:*\n'),
    valid: true,
  },
  {
    id: 'OA5',
    title: 'an accept for the own address is shadowed by its reject',
    case: single('OA5', 'ORPort 9001\nExitPolicy accept 198.51.100.7:80, reject 198.51.100.0/24:*\n'),
    valid: true,
  },
];
