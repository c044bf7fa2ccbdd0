import { describe, expect, test } from 'vitest';
import { EditSet } from '../../src/remedy/edits.js';
import { load, TORRC, DEFAULTS } from './helpers.js';

function fileOf(text: string, defaults?: string) {
  const relay = load({ torrc: text, defaults });
  return { relay, file: relay.config.file(TORRC)! };
}

describe('remedy/edits', () => {
  describe('EditSet#build', () => {
    test('applies several edits to one file, bottom up, leaving other lines byte-identical', () => {
      const { file } = fileOf('A1 x\nNickname One\n  # keep   me\nExitRelay 1\nContactInfo c\n'.replace('A1 x\n', 'Log notice stdout\n'));
      const [log, nick, , exitRelay, contact] = file.file.nodes;
      const changes = new EditSet()
        .insert({ file, node: nick!, where: 'before' }, [{ comment: 'before nick' }])
        .replace(file, exitRelay as never, { key: 'ExitRelay', value: '0' })
        .insert({ file, node: exitRelay!, where: 'after' }, [{ key: 'ExitPolicy', value: 'reject *:*' }])
        .remove(file, contact as never)
        .insert({ file, where: 'end' }, [{ comment: 'the end' }])
        .build();
      expect(log).toBeDefined();
      expect(changes).toHaveLength(1);
      expect(changes[0]?.after).toBe('Log notice stdout\n# before nick\nNickname One\n  # keep   me\nExitRelay 0\nExitPolicy reject *:*\n# the end\n');
      expect(changes[0]?.before).toBe(file.file.source);
      expect(changes[0]?.beforeSha256).toBe(file.sha256);
    });

    test('removes a range of nodes, comments included', () => {
      const { file } = fileOf('Nickname A\n# one\nExitPolicy accept *:80\n# two\nExitRelay 1\n');
      const nodes = file.file.nodes;
      const changes = new EditSet().removeRange(file, nodes[1]!, nodes[3]!).build();
      expect(changes[0]?.after).toBe('Nickname A\nExitRelay 1\n');
    });

    test('keeps the new files as it parsed them', () => {
      const { file } = fileOf('Nickname A\nExitRelay 1\n');
      const edits = new EditSet().insert({ file, node: file.file.nodes[1]!, where: 'after' }, [{ key: 'ExitPolicy', value: 'reject *:*' }]);
      const changes = edits.build();
      expect(edits.parsed.map((f) => [f.path, f.source])).toEqual([[TORRC, changes[0]?.after]]);
      expect(new EditSet().insert({ file, where: 'end' }, [{ comment: 'x' }]).build()).toHaveLength(1);
    });

    test('reports no change for an empty set', () => {
      expect(new EditSet().build()).toEqual([]);
      expect(new EditSet().empty).toBe(true);
    });

    test('refuses to edit the defaults file', () => {
      const { relay } = fileOf('Nickname A\n', 'ExitPolicy accept *:*\n');
      const defaults = relay.config.file(DEFAULTS)!;
      const set = new EditSet().insert({ file: defaults, where: 'end' }, [{ comment: 'x' }]);
      expect(() => set.build()).toThrow(expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE', location: { file: DEFAULTS, line: 1 } }));
    });

    test('refuses a value that would not read back as written', () => {
      const { file } = fileOf('Nickname A\n');
      const set = new EditSet().insert({ file, where: 'end' }, [{ key: 'ExitPolicy', value: 'reject *:* # not a comment' }]);
      expect(() => set.build()).toThrow(expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE' }));
    });

    test('refuses nodes that are not part of the file', () => {
      const { file } = fileOf('Nickname A\n# one\n');
      const { file: other } = fileOf('# elsewhere\n# too\n');
      expect(() => new EditSet().removeRange(file, other.file.nodes[1]!, other.file.nodes[1]!).build()).toThrow(
        expect.objectContaining({ code: 'REMEDY_FILE_NOT_EDITABLE' }),
      );
    });
  });
});
