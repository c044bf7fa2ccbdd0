import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TorCommandError } from '../../src/tor/errors.js';
import { torProblemMessages, verifyTorConfig } from '../../src/tor/verify.js';

const FAKE_TOR = fileURLToPath(new URL('./fixtures/fake-tor', import.meta.url));

let dir: string;

beforeAll(async () => {
  // A fresh checkout may lose the executable bit; the fixture must run as a program.
  await chmod(FAKE_TOR, 0o755);
  dir = await mkdtemp(path.join(tmpdir(), 'exitkit-verify-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function torrc(mode: string): Promise<string> {
  const file = path.join(dir, `torrc-${mode}`);
  await writeFile(file, `${mode}\n`);
  return file;
}

function argAfter(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
}

describe('tor/verify', () => {
  describe('#verifyTorConfig', () => {
    test('a configuration tor accepts is valid, with its warnings', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('valid'), torBinary: FAKE_TOR });
      expect(result).toMatchObject({ valid: true, exitCode: 0, signal: undefined });
      expect(result.messages).toEqual([
        "[warn] You are running Tor as root. You don't need to, and you probably shouldn't.",
      ]);
      expect(result.output).toContain('Configuration was valid');
    });

    test('a configuration tor refuses is invalid with the [warn]/[err] lines, not an error', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('invalid'), torBinary: FAKE_TOR });
      expect(result).toMatchObject({ valid: false, exitCode: 1, signal: undefined });
      expect(result.messages).toEqual([
        "[warn] Failed to parse/validate config: Unknown option 'Bogus'.  Failing.",
        '[err] Reading config failed--see warnings above.',
      ]);
    });

    test('tor aborting on the configuration (assertion) is invalid, with the signal', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('abort'), torBinary: FAKE_TOR });
      expect(result).toMatchObject({ valid: false, exitCode: undefined, signal: 'SIGABRT' });
      expect(result.messages[0]).toMatch(/^\[err\] tor_assertion_failed_/);
    });

    test('exit 0 without "Configuration was valid" is not valid', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('silent-ok'), torBinary: FAKE_TOR });
      expect(result.valid).toBe(false);
    });

    test('passes --verify-config, the files and a DataDirectory that does not exist', async () => {
      const file = await torrc('valid');
      const result = await verifyTorConfig({ torrc: file, torBinary: FAKE_TOR });
      expect(result.argv[0]).toBe('--verify-config');
      expect(argAfter(result.argv, '-f')).toBe(file);
      const dataDirectory = argAfter(result.argv, '--DataDirectory');
      expect(dataDirectory).toBeDefined();
      expect(existsSync(dataDirectory!)).toBe(false);
      expect(result.output).toContain(`--DataDirectory ${dataDirectory}`);
    });

    test('without a defaults file tor gets an empty one, never its compiled-in default', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('valid'), torBinary: FAKE_TOR, defaultsTorrc: null });
      const defaults = argAfter(result.argv, '--defaults-torrc');
      expect(defaults).toMatch(/empty-defaults-torrc$/);
      expect(existsSync(defaults!)).toBe(false);
    });

    test('passes the defaults file, DataDirectory and extra arguments given', async () => {
      const result = await verifyTorConfig({
        torrc: await torrc('valid'),
        torBinary: FAKE_TOR,
        defaultsTorrc: '/usr/share/tor/tor-service-defaults-torrc',
        dataDirectory: '/var/lib/tor',
        extraArgs: ['--RunAsDaemon', '0'],
      });
      expect(argAfter(result.argv, '--defaults-torrc')).toBe('/usr/share/tor/tor-service-defaults-torrc');
      expect(argAfter(result.argv, '--DataDirectory')).toBe('/var/lib/tor');
      expect(result.argv.slice(-2)).toEqual(['--RunAsDaemon', '0']);
    });

    test('runs tor in the given working directory', async () => {
      const result = await verifyTorConfig({ torrc: await torrc('valid'), torBinary: FAKE_TOR, cwd: dir });
      expect(result.output).toContain(`cwd: ${dir}`);
    });

    test('a missing tor binary is TOR_NOT_FOUND with an install hint', async () => {
      const error = await verifyTorConfig({ torrc: await torrc('valid'), torBinary: path.join(dir, 'no-tor') }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TorCommandError);
      expect(error).toMatchObject({ code: 'TOR_NOT_FOUND', exitCode: undefined, name: 'TorCommandError' });
      expect((error as TorCommandError).hint).toContain('apt-get install -y tor');
      expect((error as TorCommandError).cause).toBeDefined();
    });

    test('tor killed from outside is TOR_KILLED', async () => {
      await expect(verifyTorConfig({ torrc: await torrc('killed'), torBinary: FAKE_TOR })).rejects.toMatchObject({
        code: 'TOR_KILLED',
        signal: 'SIGKILL',
      });
    });

    test('tor taking too long is stopped: TOR_TIMED_OUT', async () => {
      await expect(
        verifyTorConfig({ torrc: await torrc('slow'), torBinary: FAKE_TOR, timeoutMs: 200 }),
      ).rejects.toMatchObject({ code: 'TOR_TIMED_OUT' });
    });
  });

  describe('#torProblemMessages', () => {
    test.each([
      ['timestamped warn', 'Nov 25 12:28:52.485 [warn] Bad thing', ['[warn] Bad thing']],
      ['timestamped err', 'Jan  5 01:02:03.000 [err] Reading config failed', ['[err] Reading config failed']],
      ['without timestamp', '[warn] x', ['[warn] x']],
      ['notice is not a problem', 'Nov 25 12:28:52.485 [notice] Read configuration file', []],
      ['other output', 'Configuration was valid', []],
      ['CRLF', 'Nov 25 12:28:52.485 [warn] a\r\nNov 25 12:28:52.485 [warn] b\r\n', ['[warn] a', '[warn] b']],
    ])('%s', (_name, output, messages) => {
      expect(torProblemMessages(output)).toEqual(messages);
    });
  });
});
