import { describe, expect, test } from 'vitest';
import { EXONERATOR_PAGE, exoneratorUrl } from '../../src/letters/exonerator.js';

describe('letters/exonerator', () => {
  describe('#exoneratorUrl', () => {
    test.each([
      ['192.0.2.10', '2025-11-18', `${EXONERATOR_PAGE}?ip=192.0.2.10&timestamp=2025-11-18&lang=en`],
      ['2001:db8::1', '2024-02-29', `${EXONERATOR_PAGE}?ip=2001:db8::1&timestamp=2024-02-29&lang=en`],
      ['[2001:db8::1]', '2024-02-29', `${EXONERATOR_PAGE}?ip=2001:db8::1&timestamp=2024-02-29&lang=en`],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2025-01-01', `${EXONERATOR_PAGE}?ip=2001:db8::1&timestamp=2025-01-01&lang=en`],
    ])('links %s on %s', (address, date, expected) => {
      expect(exoneratorUrl(address, date)).toBe(expected);
    });

    test.each([
      ['a hostname', 'relay.example.org', '2025-11-18'],
      ['an address with a port', '192.0.2.10:443', '2025-11-18'],
      ['a CIDR', '192.0.2.0/24', '2025-11-18'],
      ['a zone id', 'fe80::1%eth0', '2025-11-18'],
      ['an address with a line break', '192.0.2.10\n', '2025-11-18'],
      ['a date with a time', '192.0.2.10', '2025-11-18T10:00:00Z'],
      ['a date that does not exist', '192.0.2.10', '2025-02-30'],
      ['a date in another order', '192.0.2.10', '18-11-2025'],
      ['an empty date', '192.0.2.10', ''],
    ])('refuses %s', (_name, address, date) => {
      expect(() => exoneratorUrl(address, date)).toThrow(expect.objectContaining({ code: 'LETTER_BAD_VALUE' }));
    });
  });
});
