import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_NICKNAME, publishedAddresses, relayIdentityFromConfig } from '../../src/letters/relay.js';
import type { ReadTextFile } from '../../src/letters/relay.js';
import { FIXTURES, configView } from './helpers.js';

const FINGERPRINT = 'F4D08C507CB528A62DEDC4E67E8682FF82CB5925';
const readUtf8: ReadTextFile = (path) => readFile(path, 'utf8');
const files = (content: Record<string, string>): ReadTextFile => async (path) => {
  const text = content[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};

describe('letters/relay', () => {
  describe('#relayIdentityFromConfig', () => {
    test('reads nickname, ContactInfo, addresses and the fingerprint file of DataDirectory', async () => {
      const config = configView([
        ['Nickname', 'ExampleExit01'],
        ['ContactInfo', 'email:abuse[]relay.example.org ciissversion:2'],
        ['DataDirectory', join(FIXTURES, 'datadir')],
        ['Address', '192.0.2.10'],
        ['ORPort', '443'],
        ['ORPort', '[2001:DB8:10::10]:443'],
      ]);
      await expect(relayIdentityFromConfig(config, readUtf8)).resolves.toEqual({
        nickname: 'ExampleExit01',
        fingerprint: FINGERPRINT,
        addresses: ['192.0.2.10', '2001:db8:10::10'],
        contactInfo: 'email:abuse[]relay.example.org ciissversion:2',
      });
    });

    test('uses Unnamed, as tor does, when Nickname is unset or empty, and omits an empty ContactInfo', async () => {
      const read = files({ '/var/lib/tor/fingerprint': `Unnamed ${FINGERPRINT}\n` });
      for (const entries of [[], [['Nickname', '']]] as Array<Array<[string, string]>>) {
        const config = configView([...entries, ['DataDirectory', '/var/lib/tor'], ['ContactInfo', '']]);
        const identity = await relayIdentityFromConfig(config, read);
        expect(identity.nickname).toBe(DEFAULT_NICKNAME);
        expect(identity).not.toHaveProperty('contactInfo');
      }
    });

    test('takes the DataDirectory from the defaults file (the last value wins)', async () => {
      const config = configView([
        ['DataDirectory', '/var/lib/tor'],
        ['DataDirectory', '/srv/tor'],
      ]);
      const identity = await relayIdentityFromConfig(config, files({ '/srv/tor/fingerprint': `Unnamed ${FINGERPRINT}\n` }));
      expect(identity.fingerprint).toBe(FINGERPRINT);
    });

    test('falls back to the given data directory and resolves a relative one against cwd', async () => {
      const read = files({ '/var/lib/tor/fingerprint': `Unnamed ${FINGERPRINT}` });
      await expect(relayIdentityFromConfig(configView([]), read, { dataDirectory: '/var/lib/tor' })).resolves.toMatchObject({ fingerprint: FINGERPRINT });
      await expect(relayIdentityFromConfig(configView([['DataDirectory', 'tor']]), read, { cwd: '/var/lib' })).resolves.toMatchObject({ fingerprint: FINGERPRINT });
    });

    test.each<[string, Array<[string, string]>, Record<string, string>, string]>([
      ['no DataDirectory anywhere', [], {}, 'RELAY_NO_DATA_DIRECTORY'],
      ['a DataDirectory under ~', [['DataDirectory', '~/.tor']], {}, 'RELAY_NO_DATA_DIRECTORY'],
      ['a relative DataDirectory without cwd', [['DataDirectory', 'tor']], {}, 'RELAY_NO_DATA_DIRECTORY'],
      ['a missing fingerprint file', [['DataDirectory', '/var/lib/tor']], {}, 'RELAY_FINGERPRINT_UNREADABLE'],
      ['lowercase hex', [['DataDirectory', '/d']], { '/d/fingerprint': `Unnamed ${FINGERPRINT.toLowerCase()}\n` }, 'RELAY_FINGERPRINT_MALFORMED'],
      ['a spaced fingerprint', [['DataDirectory', '/d']], { '/d/fingerprint': 'Unnamed F4D0 8C50 7CB5 28A6 2DED C4E6 7E86 82FF 82CB 5925\n' }, 'RELAY_FINGERPRINT_MALFORMED'],
      ['a short fingerprint', [['DataDirectory', '/d']], { '/d/fingerprint': `Unnamed ${FINGERPRINT.slice(1)}\n` }, 'RELAY_FINGERPRINT_MALFORMED'],
      ['an empty file', [['DataDirectory', '/d']], { '/d/fingerprint': '' }, 'RELAY_FINGERPRINT_MALFORMED'],
      ['a second line', [['DataDirectory', '/d']], { '/d/fingerprint': `Unnamed ${FINGERPRINT}\nextra\n` }, 'RELAY_FINGERPRINT_MALFORMED'],
      ['a nickname tor refuses', [['Nickname', 'exit-01'], ['DataDirectory', '/d']], { '/d/fingerprint': `Unnamed ${FINGERPRINT}\n` }, 'RELAY_BAD_NICKNAME'],
      ['a nickname of 20 characters', [['Nickname', 'A'.repeat(20)], ['DataDirectory', '/d']], { '/d/fingerprint': `Unnamed ${FINGERPRINT}\n` }, 'RELAY_BAD_NICKNAME'],
    ])('refuses %s', async (_name, entries, content, code) => {
      await expect(relayIdentityFromConfig(configView(entries), files(content))).rejects.toMatchObject({ code });
    });

    test('points at the fingerprint file when it is malformed', async () => {
      const config = configView([['DataDirectory', '/d']]);
      await expect(relayIdentityFromConfig(config, files({ '/d/fingerprint': 'garbage\n' }))).rejects.toMatchObject({
        code: 'RELAY_FINGERPRINT_MALFORMED',
        location: { file: '/d/fingerprint', line: 1 },
      });
    });
  });

  describe('#publishedAddresses', () => {
    test.each<[string, Array<[string, string]>, string[]]>([
      ['Address lines', [['Address', '192.0.2.10'], ['Address', '2001:db8::10']], ['192.0.2.10', '2001:db8::10']],
      ['a bracketed IPv6 Address', [['Address', '[2001:db8::10]']], ['2001:db8::10']],
      ['ORPort addresses when Address is unset', [['ORPort', '192.0.2.20:9001'], ['ORPort', '[2001:db8::20]:9001']], ['192.0.2.20', '2001:db8::20']],
      ['Address ahead of ORPort for the same family', [['ORPort', '192.0.2.20:9001'], ['Address', '192.0.2.10']], ['192.0.2.10']],
      ['IPv4 first whatever the order', [['Address', '2001:db8::10'], ['Address', '192.0.2.10']], ['192.0.2.10', '2001:db8::10']],
      ['no address from a bare port', [['ORPort', '443']], []],
      ['no address from auto', [['ORPort', 'auto']], []],
      ['no address from wildcard binds', [['ORPort', '0.0.0.0:443'], ['ORPort', '[::]:443']], []],
      ['no address from a NoAdvertise port', [['ORPort', '192.0.2.20:443 NoAdvertise'], ['ORPort', '192.0.2.30:9001 NoListen']], ['192.0.2.30']],
      ['no hostname', [['Address', 'relay.example.org']], []],
      ['canonical IPv6', [['Address', '2001:0DB8:0:0:0:0:0:0010']], ['2001:db8::10']],
    ])('%s', (_name, entries, expected) => {
      expect(publishedAddresses(configView(entries))).toEqual(expected);
    });
  });
});

describe('letters/relay with the torrc layer', () => {
  test('finds DataDirectory in the defaults file and the identity in the torrc, as tor reads them', async () => {
    // Imported here so that the rest of this file does not depend on the torrc layer loading.
    const { loadConfig } = await import('../../src/torrc/config.js');
    const config = await loadConfig({
      torrc: join(FIXTURES, 'relay', 'torrc'),
      defaultsTorrc: join(FIXTURES, 'relay', 'defaults-torrc'),
      cwd: FIXTURES,
    });
    expect(config.valid).toBe(true);
    // The defaults file names the fixture's data directory relative to tor's working directory.
    await expect(relayIdentityFromConfig(config, readUtf8, { cwd: FIXTURES })).resolves.toEqual({
      nickname: 'ExampleExit01',
      fingerprint: FINGERPRINT,
      addresses: ['192.0.2.10', '2001:db8:10::10'],
      contactInfo: 'email:abuse[]relay.example.org url:https://relay.example.org ciissversion:2',
    });
  });
});
