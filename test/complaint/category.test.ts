import { describe, expect, test } from 'vitest';
import { categoryFromText, categoryFromType, normaliseType } from '../../src/complaint/category.js';

describe('complaint/category', () => {
  describe('#normaliseType', () => {
    test.each([
      ['PortScan', 'port-scan'],
      ['login_attack', 'login-attack'],
      ['Spam/Trap', 'spam-trap'],
      [' ssh brute force ', 'ssh-brute-force'],
    ])('%j → %j', (type, normal) => {
      expect(normaliseType(type)).toBe(normal);
    });
  });

  describe('#categoryFromType', () => {
    test.each([
      ['login-attack', 'brute-force'],
      ['LoginAttack', 'brute-force'],
      ['auth_failure', 'brute-force'],
      ['ssh-brute-force', 'brute-force'],
      ['port_scan', 'scan'],
      ['port-probe', 'scan'],
      ['reconnaissance', 'scan'],
      ['sql_injection', 'scan'],
      ['web-attack', 'scan'],
      ['honeypot_darknet', 'scan'],
      ['ddos', 'dos'],
      ['ddos_amplification', 'dos'],
      ['scraping', 'dos'],
      ['spam', 'spam'],
      ['regbot', 'spam'],
      ['phishing', 'fraud'],
      ['Copyright', 'copyright'],
      ['p2p', 'copyright'],
      ['botnet', null],
      ['info', null],
      ['abuse', null],
      ['', null],
      [null, null],
    ])('%j → %j', (type, category) => {
      expect(categoryFromType(type)).toBe(category);
    });
  });

  describe('#categoryFromText', () => {
    test.each([
      ['Notice of Claimed Infringement', 'copyright'],
      ['DDoS from your IPs to Google', 'dos'],
      ['SSH Brute Force Attacks from 1.2.3.4', 'brute-force'],
      ['Failed password for root', 'brute-force'],
      ['NetscanInLevel: scansnarf-ng detected Netscan', 'scan'],
      ['IP address attacking a web application', 'scan'],
      ['[SpamCop] *****SPAM*****', 'spam'],
      ['you are a spammer', 'spam'],
      ['This email has been scanned for threats', null],
      ['Hello there', null],
    ])('%j → %j', (text, category) => {
      expect(categoryFromText(text)).toBe(category);
    });
  });
});
