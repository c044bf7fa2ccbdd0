import { describe, expect, test } from 'vitest';
import { mainTorrc, policyLayout } from '../../src/remedy/layout.js';
import { DEFAULTS, load, TORRC, type Tree } from './helpers.js';

function layoutOf(tree: Tree) {
  const relay = load(tree);
  return policyLayout(relay.config, relay.inputs.exitPolicy);
}

const lineOf = (e: { location: { file: string; line: number } }) => `${e.location.file}:${e.location.line}`;

describe('remedy/layout', () => {
  describe('#policyLayout', () => {
    test.each([
      ['torrc lines only', { torrc: 'ExitPolicy accept *:80\nExitPolicy reject *:*\n' }, [], [`${TORRC}:1`, `${TORRC}:2`]],
      ['defaults lines replaced by a plain torrc line', { defaults: 'ExitPolicy accept *:25\n', torrc: 'ExitPolicy accept *:80\n' }, [], [`${TORRC}:1`]],
      ['defaults lines kept by +ExitPolicy', { defaults: 'ExitPolicy accept *:25\n', torrc: '+ExitPolicy accept *:80\n' }, [`${DEFAULTS}:1`], [`${TORRC}:1`]],
      ['defaults lines only', { defaults: 'ExitPolicy accept *:25\n', torrc: 'Nickname A\n' }, [`${DEFAULTS}:1`], []],
      ['defaults lines cleared by /ExitPolicy', { defaults: 'ExitPolicy accept *:25\n', torrc: '/ExitPolicy\n' }, [], []],
    ])('splits %s by source', (_name, tree, defaults, torrc) => {
      const layout = layoutOf(tree);
      expect(layout.defaults.map(lineOf)).toEqual(defaults);
      expect(layout.torrc.map(lineOf)).toEqual(torrc);
    });

    test.each([
      ['after the ExitRelay line', { torrc: 'Nickname A\nExitRelay 1\nContactInfo x\n' }, { where: 'after', line: 2 }],
      ['after the last /ExitPolicy when it follows ExitRelay', { torrc: 'ExitRelay 1\n/ExitPolicy\nNickname A\n' }, { where: 'after', line: 2 }],
      ['after ExitRelay when it follows the last /ExitPolicy', { torrc: '/ExitPolicy\nExitRelay 1\nNickname A\n' }, { where: 'after', line: 2 }],
      ['at the end of the main torrc without either', { torrc: 'Nickname A\n%include /etc/tor/x.conf\n', files: { '/etc/tor/x.conf': 'ContactInfo x\n' } }, { where: 'end' }],
      ['at the end of the main torrc when ExitRelay is in the defaults file', { defaults: 'ExitRelay 1\n', torrc: 'Nickname A\n' }, { where: 'end' }],
    ])('puts new lines %s when no ExitPolicy line is kept', (_name, tree, spot) => {
      const layout = layoutOf(tree);
      expect(layout.spot.where).toBe(spot.where);
      if (layout.spot.where !== 'end' && 'line' in spot) expect(layout.spot.node.firstLine).toBe(spot.line);
      expect(layout.spot.file.path).toBe(TORRC);
    });
  });

  describe('#mainTorrc', () => {
    test('is the torrc as loaded', () => {
      const relay = load({ torrc: 'Nickname A\n' });
      expect(mainTorrc(relay.config).path).toBe(TORRC);
    });
  });
});
