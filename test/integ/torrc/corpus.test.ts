import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeTorrcBytes, loadConfigSync } from '../../../src/torrc/config.js';
import { parseTorrc } from '../../../src/torrc/cst.js';
import { lookupOption } from '../../../src/torrc/options.js';
import { isCi } from '../../helpers/require-tool.js';
import { Scratch, dump, makeCase, pool, tor, verify } from './tor.js';

const scratch = new Scratch();
afterAll(() => scratch.remove());

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const corpusDir = path.resolve(repoRoot, '../shared/corpus/torrc');
const present = existsSync(corpusDir);
if (!present && isCi()) throw new Error(`the shared torrc corpus is missing at ${corpusDir}; CI=true needs it`);
if (!present) console.warn(`SKIPPED: corpus differential, ${corpusDir} is missing`);

function list(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? list(path.join(dir, name)) : [path.join(dir, name)]));
}

// Options that listen, switch users, write files, reach other machines, or make the relay an
// exit (ExitRelay 0 comes from the defaults file, so ExitPolicy stays unparsed) are taken out
// before tor sees the file. Everything else, and every byte around it, is left as it is.
const RISKY = /^(.*Port|.*PortLines|__.*|Address|AddressDisableIPv6|OutboundBindAddress.*|User|Log|DataDirectory|CacheDirectory|KeyDirectory|PidFile|RunAsDaemon|Sandbox|HiddenService.*|ControlSocket|.*CookieAuthFile|ControlPortWriteToFile|DirAuthority|AlternateDirAuthority|AlternateBridgeAuthority|FallbackDir|Bridge|BridgeRelay|UseBridges|.*TransportPlugin|ServerTransport.*|.*Proxy.*|GeoIP.*File|DirPortFrontPage|ServerDNSResolvConfFile|TestingTorNetwork|.*Authoritative.*|ExitRelay|AccountingStart|HardwareAccel|AccelName|AccelDir)$/;

function sanitize(text: string): string {
  const file = parseTorrc(text, '/corpus');
  return file.nodes
    .filter((node) => node.kind !== 'entry' || !lookupOption(node.key).option || !RISKY.test(lookupOption(node.key).option?.name ?? ''))
    .map((node) => node.raw)
    .join('');
}

/** Which exitkit codes stand for tor's first error message; undefined when exitkit does not check that. */
function expectedCodes(message: string): string[] | undefined {
  if (message.includes('Unknown option')) return ['TORRC_UNKNOWN_OPTION', 'TORRC_BOM'];
  if (/Could not parse \S+: Unrecognized value .* Allowed values are 0 and 1/.test(message)) return ['TORRC_BAD_BOOL'];
  if (/Could not parse \S+: Unrecognized value/.test(message)) return ['TORRC_BAD_AUTOBOOL'];
  if (/Could not parse \S+: Provided value is malformed/.test(message)) return ['TORRC_BAD_DATA_SIZE', 'TORRC_BAD_INTERVAL'];
  if (/Could not parse \S+: Integer/.test(message)) return ['TORRC_BAD_INTEGER'];
  if (message.includes('Nickname')) return ['TORRC_BAD_NICKNAME'];
  if (message.includes('Error while parsing configuration')) return ['TORRC_BAD_QUOTED_STRING', 'TORRC_EXCESS_AFTER_QUOTE', 'TORRC_INCLUDE_TOO_DEEP'];
  if (message.includes('virtual option')) return ['TORRC_VIRTUAL_OPTION'];
  return undefined;
}

describe.skipIf(!tor.available || !present)('torrc on the corpus against tor 0.4.9.11', () => {
  test('gives the same verdict and values as tor for every corpus file (risky options removed)', async () => {
    const files = list(corpusDir);
    const results = await pool(files, 2, async (file) => {
      const { text } = decodeTorrcBytes(readFileSync(file));
      const c = { ...makeCase(scratch, sanitize(text), 'ExitRelay 0\n'), isolate: true };
      return { file: path.relative(corpusDir, file), c, verdict: await verify(c), options: await dump(c, 'short') };
    });
    let agreed = 0;
    let outside = 0;
    for (const { file, c, verdict, options } of results) {
      const ours = loadConfigSync({ torrc: c.torrc, defaultsTorrc: c.defaults, cwd: c.cwd });
      const ourCodes = ours.errors.map((e) => e.code);
      if (verdict.valid) {
        expect({ file, ourCodes }).toEqual({ file, ourCodes: [] });
        const torValues = (key: string): string[] => (options ?? []).filter(([k]) => k === key).map(([, v]) => v);
        const single = (key: string): string[] => (ours.value(key)?.value ? [ours.value(key)?.value as string] : []);
        expect({ file, ContactInfo: single('ContactInfo'), Nickname: single('Nickname') }).toEqual({ file, ContactInfo: torValues('ContactInfo'), Nickname: torValues('Nickname') });
        expect({ file, ExitPolicy: ours.lines('ExitPolicy').map((l) => l.value) }).toEqual({ file, ExitPolicy: torValues('ExitPolicy') });
        agreed++;
        continue;
      }
      const codes = expectedCodes(verdict.message);
      if (codes === undefined) {
        outside++;
        console.info(`corpus: ${file} refused by tor for a reason exitkit does not check: ${verdict.message.split('\n')[0]}`);
        continue;
      }
      expect({ file, message: verdict.message, found: ourCodes.some((code) => codes.includes(code)) }).toEqual({ file, message: verdict.message, found: true });
      agreed++;
    }
    console.info(`corpus: ${agreed} of ${results.length} files compared and agreed; ${outside} refused by tor for reasons exitkit does not check`);
    expect(agreed).toBeGreaterThan(results.length * 0.8);
  }, 180_000);
});
