/**
 * Pieces of the policies tor 0.4.9.11 printed for `GETINFO exit-policy/full` (observed, fact
 * sheet §7.3), shared by the tests that pin tor's answers.
 */

/** ExitPolicyRejectPrivate's IPv4 rules, in tor's order. */
export const PRIV4 = [
  'reject 0.0.0.0/8:*',
  'reject 169.254.0.0/16:*',
  'reject 127.0.0.0/8:*',
  'reject 192.168.0.0/16:*',
  'reject 10.0.0.0/8:*',
  'reject 172.16.0.0/12:*',
];
/** ExitPolicyRejectPrivate's IPv6 rules, in tor's order. */
export const PRIV6 = [
  'reject6 [::]/8:*',
  'reject6 [fc00::]/7:*',
  'reject6 [fe80::]/10:*',
  'reject6 [fec0::]/10:*',
  'reject6 [ff00::]/8:*',
];
/** The ports tor's default exit policy rejects. */
export const DEFAULT_PORTS = ['25', '119', '135-139', '445', '563', '1214', '4661-4666', '6346-6429', '6699', '6881-6999'];
/** Tor's default IPv4 exit policy. */
export const DEFAULT4 = [...DEFAULT_PORTS.map((p) => `reject *:${p}`), 'accept *:*'];
/** The ports ReducedExitPolicy accepts. */
export const REDUCED_PORTS = [
  '20-23', '43', '53', '79-81', '88', '110', '143', '194', '220', '389', '443', '464', '465', '531',
  '543-544', '554', '563', '587', '636', '706', '749', '873', '902-904', '981', '989-995', '1194',
  '1220', '1293', '1500', '1533', '1677', '1723', '1755', '1863', '2082-2083', '2086-2087',
  '2095-2096', '2102-2104', '3128', '3389', '3690', '4321', '4643', '5050', '5190', '5222-5223',
  '5228', '5900', '6660-6669', '6679', '6697', '8000', '8008', '8074', '8080', '8082', '8087-8088',
  '8232-8233', '8332-8333', '8443', '8888', '9418', '9999', '10000', '11371', '18080-18081',
  '18089', '19294', '19638', '50002', '64738',
];
