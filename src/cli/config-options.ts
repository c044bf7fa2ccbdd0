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

/** Environment variable naming the torrc when `--torrc` is not given (one relay instance per shell). */
export const TORRC_ENV = 'EXITKIT_TORRC';
/** Environment variable naming the defaults file when `--defaults-torrc` is not given. */
export const DEFAULTS_TORRC_ENV = 'EXITKIT_DEFAULTS_TORRC';

/** True when the torrc was chosen on purpose (flag or environment), not the built-in default. */
export function torrcChosen(options: Partial<ConfigOptions>, io: CliIO): boolean {
  return options.torrc !== undefined || Boolean(io.env[TORRC_ENV]);
}

/**
 * Resolves paths against the working directory. Without `--defaults-torrc` (or
 * $EXITKIT_DEFAULTS_TORRC), Debian's defaults file is read when it exists, because tor's
 * service unit reads it too (it sets DataDirectory).
 */
export function resolveConfigOptions(options: Partial<ConfigOptions>, io: CliIO): ResolvedConfigOptions {
  const cwd = resolve(io.cwd, options.cwd ?? '.');
  let defaultsTorrc: string | undefined;
  const defaultsFromEnv = io.env[DEFAULTS_TORRC_ENV];
  if (typeof options.defaultsTorrc === 'string') defaultsTorrc = resolve(io.cwd, options.defaultsTorrc);
  else if (options.defaultsTorrc === undefined && defaultsFromEnv) defaultsTorrc = resolve(io.cwd, defaultsFromEnv);
  else if (options.defaultsTorrc === undefined && existsSync(DEBIAN_DEFAULTS_TORRC)) defaultsTorrc = DEBIAN_DEFAULTS_TORRC;
  return {
    torrc: resolve(io.cwd, options.torrc ?? (io.env[TORRC_ENV] || '/etc/tor/torrc')),
    defaultsTorrc,
    cwd,
    ownAddresses: options.ownAddress ?? [],
  };
}
