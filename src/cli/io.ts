/**
 * The CLI's connection to the outside world, injected so tests can drive `main()` without a
 * process: output streams, working directory, environment and clock.
 */
export interface CliIO {
  /** Writes to standard output (text is written as given; callers add newlines). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Environment variables (EXITKIT_* settings). */
  env: Readonly<Record<string, string | undefined>>;
  /** The current time (injected so plans and letters are reproducible in tests). */
  now(): Date;
  /**
   * Asks the operator a yes/no question on the terminal; undefined when there is no terminal
   * to ask (then commands that need consent require `--yes`).
   */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
}

/** The real process's streams, working directory, environment and clock. */
export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
    confirm: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await terminal.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    terminal.close();
  }
}
