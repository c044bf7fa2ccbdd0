/**
 * The relay the case and letter tests answer complaints for: 192.0.2.10, exiting to ports
 * 22, 80 and 443. `@DATA@` stands for its DataDirectory, which each test creates.
 */
import { source } from './source.js';

/** Its torrc. */
export const CASE_RELAY_TORRC = source`
  Nickname CaseTestExit
  Address 192.0.2.10
  ORPort 443
  DataDirectory @DATA@
  ExitRelay 1
  ExitPolicy accept *:22
  ExitPolicy accept *:80
  ExitPolicy accept *:443
  ExitPolicy reject *:*
`;
