/**
 * Resolves the configuration options every reading command shares into absolute paths, the
 * way the relay's tor would be started.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIO } from './io.js';
import { DEBIAN_DEFAULTS_TORRC, type ConfigOptions } from './main.js';

/** The configuration files and facts a command reads, resolved. */
export interface ResolvedConfigOptions {
  /** Absolute path of the torrc. */
  torrc: string;
  /** Absolute path of the defaults file, or undefined for none. */
  defaultsTorrc: string | undefined;
  /** Absolute directory tor resolves relative `%include` paths against. */
  cwd: string;
  /** Public addresses of the relay given on the command line. */
  ownAddresses: string[];
}

/**
 * Resolves paths against the working directory. Without `--defaults-torrc`, Debian's defaults
 * file is read when it exists, because tor's service unit reads it too (it sets DataDirectory).
 */
export function resolveConfigOptions(options: Partial<ConfigOptions>, io: CliIO): ResolvedConfigOptions {
  const cwd = resolve(io.cwd, options.cwd ?? '.');
  let defaultsTorrc: string | undefined;
  if (typeof options.defaultsTorrc === 'string') defaultsTorrc = resolve(io.cwd, options.defaultsTorrc);
  else if (options.defaultsTorrc === undefined && existsSync(DEBIAN_DEFAULTS_TORRC)) defaultsTorrc = DEBIAN_DEFAULTS_TORRC;
  return {
    torrc: resolve(io.cwd, options.torrc ?? '/etc/tor/torrc'),
    defaultsTorrc,
    cwd,
    ownAddresses: options.ownAddress ?? [],
  };
}
