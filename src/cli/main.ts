/**
 * The `exitkit` command line: a thin shell over the library. Every command's work is done by
 * a handler in `src/cli/commands/`, loaded only when that command runs so that `--help` and
 * small commands start fast. `main()` never exits the process; it returns the exit code.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ExitkitError, formatError } from '../errors.js';
import { EXIT_CODE_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { processIO, type CliIO } from './io.js';

/** Debian's defaults file, read when it exists and no `--defaults-torrc` is given. */
export const DEBIAN_DEFAULTS_TORRC = '/usr/share/tor/tor-service-defaults-torrc';

/** Options shared by every command that reads a relay's configuration. */
export interface ConfigOptions {
  /** The torrc tor is started with (`-f`); undefined for $EXITKIT_TORRC or /etc/tor/torrc. */
  torrc: string | undefined;
  /** The defaults file (`--defaults-torrc`), false for none, undefined for Debian's when present. */
  defaultsTorrc: string | false | undefined;
  /** Directory tor resolves relative `%include` paths against. */
  cwd: string | undefined;
  /** Public addresses of the relay that the torrc does not name (auto-detected by tor). */
  ownAddress: string[] | undefined;
}

/** What every handler receives: the parsed options and the injected I/O. */
export interface CommandContext<O> {
  /** Parsed options of the command. */
  options: O;
  /** Positional arguments. */
  args: string[];
  /** Streams, working directory, environment and clock. */
  io: CliIO;
}

/** A command handler: does the work and returns the exit code. */
export type Handler<O> = (context: CommandContext<O>) => Promise<ExitCodeValue>;

/**
 * Runs exitkit with `argv` (without `node` and the script name) and returns the exit code.
 * Usage errors are reported by commander; library errors are formatted with their location
 * and hint and mapped to an exit code by kind.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCodeValue> {
  let exitCode: ExitCodeValue = ExitCode.OK;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

/** Maps an error to an exit code and prints it. Unknown errors keep their stack. */
export function reportError(error: unknown, io: CliIO): ExitCodeValue {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help text).
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') {
      return ExitCode.OK;
    }
    return ExitCode.USAGE;
  }
  if (error instanceof ExitkitError) {
    io.stderr(`${formatError(error)}\n`);
    return exitCodeFor(error);
  }
  io.stderr(`exitkit: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.FAILURE;
}

/** The exit code for a library error, by the error's kind. */
export function exitCodeFor(error: ExitkitError): ExitCodeValue {
  const carried = (error as { exitCode?: unknown }).exitCode;
  if (typeof carried === 'number' && (Object.values(ExitCode) as number[]).includes(carried)) {
    return carried as ExitCodeValue;
  }
  switch (error.name) {
    case 'InputError':
    case 'UsageError':
    case 'RemedyInputError':
      return ExitCode.USAGE;
    case 'TorrcError':
    case 'PolicyError':
    case 'PolicyBuildError':
    case 'InvalidConfigError':
      return ExitCode.INVALID_CONFIG;
    default:
      return ExitCode.REFUSED;
  }
}

/** Turns a library validation error into commander's argument error, keeping the message. */
export function argumentParser<T>(parse: (text: string) => T): (text: string, previous?: unknown) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof ExitkitError) {
        throw new InvalidArgumentError(`\n${formatError(error)}`);
      }
      throw error;
    }
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --torrc, --defaults-torrc, --no-defaults-torrc, --cwd and --own-address to a command. */
export function withConfigOptions(command: Command): Command {
  return command
    .option('--torrc <file>', 'the torrc tor is started with (default: $EXITKIT_TORRC or /etc/tor/torrc)')
    .option(
      '--defaults-torrc <file>',
      `tor's defaults file (default: $EXITKIT_DEFAULTS_TORRC, else ${DEBIAN_DEFAULTS_TORRC} when it exists)`,
    )
    .option('--no-defaults-torrc', 'read no defaults file')
    .option('--cwd <dir>', 'directory tor resolves relative %include paths against (default: the current directory)')
    .option(
      '--own-address <addr>',
      'a public address of the relay not named in the torrc (tor rejects exits to it); repeatable',
      collect,
    );
}

/** Builds the commander program. `setExit` receives each handler's exit code. */
export function createProgram(io: CliIO, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command('exitkit')
    .description(
      'Answer abuse complaints on a Tor exit relay: read the torrc as Tor does, plan a remedy as a ' +
        'reviewable diff, apply it safely, and write the follow-up letter.',
    )
    .version(PACKAGE_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODE_HELP}\n`);

  const run =
    <O>(load: () => Promise<Handler<O>>) =>
    async (...actionArgs: unknown[]): Promise<void> => {
      // commander passes the positional arguments, then the options object, then the command.
      const command = actionArgs.at(-1) as Command;
      const options = command.opts() as O;
      const handler = await load();
      setExit(await handler({ options, args: command.args, io }));
    };

  const inherit = (command: Command): Command =>
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    });

  withConfigOptions(
    inherit(
      program
        .command('policy')
        .description('show the effective exit policy, each rule with the line or Tor feature it comes from')
        .addOption(
          new Option('--format <format>', 'text, tor (exactly what tor prints for GETINFO exit-policy/full) or json')
            .choices(['text', 'tor', 'json'])
            .default('text'),
        ),
    ),
  ).action(run(async () => (await import('./commands/inspect.js')).policyCommand));

  withConfigOptions(
    inherit(
      program
        .command('check')
        .description(
          'say whether the relay exits to each destination (ADDR:PORT, [IPv6]:PORT, or ADDR for every port) and which rule decides',
        )
        .argument('<destination...>', 'e.g. 203.0.113.7:443, [2001:db8::1]:80, 198.51.100.9')
        .option('--json', 'print JSON'),
    ),
  ).action(run(async () => (await import('./commands/inspect.js')).checkCommand));

  withConfigOptions(
    inherit(
      program
        .command('lint')
        .description('list what Tor mis-reads, ignores or silently deletes in the exit policy, each at its file:line')
        .option('--json', 'print JSON'),
    ),
  ).action(run(async () => (await import('./commands/inspect.js')).lintCommand));

  registerPlanCommands(program, inherit, run);
  registerApplyCommands(program, inherit, run);
  registerLetterCommands(program, inherit, run);
  registerCaseCommands(program, inherit, run);

  return program;
}

type Inherit = (command: Command) => Command;
type Run = <O>(load: () => Promise<Handler<O>>) => (...actionArgs: unknown[]) => Promise<void>;

/** Adds options shared by the `plan` subcommands. */
function withPlanOptions(command: Command): Command {
  return withConfigOptions(command)
    .option('--case <id>', 'case id: named in the torrc comment, the plan folder and the letters')
    .option('--out <dir>', 'folder to write the plan into (default: the case\'s plans folder, else a new folder named by case id or time)')
    .option('--state-dir <dir>', 'state directory of the case ledger (default: $EXITKIT_STATE_DIR or /var/lib/exitkit)')
    .option('--json', 'print the plan document as JSON instead of the summary');
}

function registerPlanCommands(program: Command, inherit: Inherit, run: Run): void {
  const plan = inherit(
    program
      .command('plan')
      .description('plan a remedy: writes torrc.diff and plan.json for review; nothing live changes until `exitkit apply`'),
  );
  withPlanOptions(
    inherit(
      plan
        .command('block')
        .description('reject traffic to address ranges (all ports, or the listed ones), placed where Tor makes it effective')
        .argument('<cidr...>', 'IPv4 or IPv6 ranges, e.g. 203.0.113.0/24 2001:db8::/32')
        .option('--ports <list>', 'only these ports, e.g. 80,443,6660-6669')
        .option('--reason <text>', 'why, in one line (kept in the torrc comment)')
        .option('--allow-host-bits', 'accept a range with host bits set, e.g. 10.0.0.1/8, as its network'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).planBlockCommand));
  withPlanOptions(
    inherit(
      plan
        .command('unblock')
        .description('remove a block that exitkit added, by its case id')
        .argument('<case-id>', 'the case id named in the block comment (see `exitkit blocks`)'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).planUnblockCommand));
  withPlanOptions(
    inherit(
      plan
        .command('reduce-ports')
        .description("exit only to a list of ports, keeping every existing reject ahead of it")
        .option('--tor-reduced', "Tor's reduced exit policy port list, written out explicitly")
        .option('--ports <list>', 'the ports to keep open, e.g. 80,443')
        .option('--reason <text>', 'why, in one line (kept in the torrc comment)'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).planReducePortsCommand));
  withPlanOptions(
    inherit(
      plan
        .command('middle')
        .description('stop exiting (ExitRelay 0), keeping the exit policy for a later switch back')
        .option('--reason <text>', 'why, in one line (kept in the torrc comment)'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).planMiddleCommand));
  withPlanOptions(
    inherit(
      plan
        .command('exit')
        .description('exit again (ExitRelay 1) with the exit policy in the torrc')
        .option('--reason <text>', 'why, in one line (kept in the torrc comment)'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).planExitCommand));

  withConfigOptions(
    inherit(
      program
        .command('blocks')
        .description('list the blocks exitkit added to the torrc, with case id, date, reason and whether each rule is effective')
        .option('--json', 'print JSON'),
    ),
  ).action(run(async () => (await import('./commands/plan.js')).blocksCommand));
}

function registerApplyCommands(program: Command, inherit: Inherit, run: Run): void {
  for (const verb of ['apply', 'revert'] as const) {
    inherit(
      program
        .command(verb)
        .description(
          verb === 'apply'
            ? 'put a reviewed plan in force: lock, check, back up, verify with tor, replace atomically, reload, confirm'
            : 'restore the files an applied plan replaced, with the same checks',
        )
        .argument('<dir>', 'the plan folder')
        .addOption(
          new Option('--reload <method>', 'how to make tor read the new configuration')
            .choices(['systemd', 'hup', 'control', 'none'])
            .default('systemd'),
        )
        .option('--restart', 'restart tor (systemd) instead of reloading; closes connections already open')
        .option('--unit <name>', 'systemd unit of the relay', 'tor@default')
        .option('--yes', 'do not ask for confirmation')
        .option('--json', 'print the result as JSON'),
    ).action(
      run(async () => {
        const commands = await import('./commands/apply.js');
        return verb === 'apply' ? commands.applyCommand : commands.revertCommand;
      }),
    );
  }
}

function registerLetterCommands(program: Command, inherit: Inherit, run: Run): void {
  withConfigOptions(
    inherit(
      program
        .command('letter')
        .description('write a letter: an initial reply for a complaint category, or the follow-up that documents a plan')
        .argument('<kind>', 'e.g. dmca, portscan, bruteforce, generic, followup (see `exitkit templates list`)')
        .option('--plan <dir>', 'the plan the follow-up letter documents')
        .option('--case <id>', 'take the complaint (and the plan) from this case')
        .addOption(new Option('--audience <who>', 'who the letter is for').choices(['isp', 'complainant']))
        .option('--to <address>', 'recipient e-mail address; repeatable', collect)
        .option('--to-name <name>', 'recipient name for the greeting')
        .option('--complaint-ref <ref>', "the complainant's reference or ticket number")
        .option('--complaint-date <date>', 'when the complaint arrived (YYYY-MM-DD)')
        .option('--message-id <id>', 'Message-ID of the complaint, for In-Reply-To')
        .option('--subject <text>', 'subject of the complaint')
        .option('--relay-address <addr>', 'the relay address the complaint names')
        .option('--templates <dir>', 'user templates that override the built-in ones by name')
        .option('--profile <file>', 'operator profile (default: $EXITKIT_PROFILE or /etc/exitkit/profile.json)')
        .addOption(new Option('--format <format>', 'plain text or an RFC 5322 message').choices(['txt', 'eml']).default('txt'))
        .option('--out <file>', 'write the letter to a file instead of standard output'),
    ),
  ).action(run(async () => (await import('./commands/letters.js')).letterCommand));

  const templates = inherit(program.command('templates').description('list or show the letter templates'));
  inherit(
    templates
      .command('list')
      .description('list every template with when to use it')
      .option('--templates <dir>', 'user templates that override the built-in ones by name')
      .option('--profile <file>', 'operator profile'),
  ).action(run(async () => (await import('./commands/letters.js')).templatesListCommand));
  inherit(
    templates
      .command('show')
      .description('print a template')
      .argument('<kind>', 'KIND or KIND.AUDIENCE, e.g. dmca.isp')
      .option('--templates <dir>', 'user templates that override the built-in ones by name')
      .option('--profile <file>', 'operator profile'),
  ).action(run(async () => (await import('./commands/letters.js')).templatesShowCommand));

  inherit(
    program
      .command('init')
      .description('create the operator profile used to sign letters')
      .requiredOption('--name <name>', 'your name as it should appear under letters')
      .requiredOption('--email <address>', 'the address complaints should be answered from')
      .option('--organisation <name>', 'your organisation, if any')
      .option('--signature <line>', 'an extra signature line (phone, web page); repeatable', collect)
      .option('--templates <dir>', 'your own template folder')
      .option('--profile <file>', 'where to write the profile (default: $EXITKIT_PROFILE or /etc/exitkit/profile.json)')
      .option('--force', 'overwrite an existing profile'),
  ).action(run(async () => (await import('./commands/letters.js')).initCommand));
}

function registerCaseCommands(program: Command, inherit: Inherit, run: Run): void {
  const complaint = inherit(program.command('complaint').description('read abuse complaints'));
  withConfigOptions(
    inherit(
      complaint
        .command('parse')
        .description('extract format, source, destinations, times, complainant and category from a complaint, and suggest a remedy')
        .argument('<file>', 'the complaint as received (.eml, XARF .json, Shadowserver .csv)')
        .option('--json', 'print JSON'),
    ),
  ).action(run(async () => (await import('./commands/case.js')).complaintParseCommand));

  const kase = inherit(program.command('case').description('track complaints from intake to follow-up'));
  const stateDir = (command: Command): Command =>
    command.option('--state-dir <dir>', 'state directory; cases live in its cases/ folder (default: $EXITKIT_STATE_DIR or /var/lib/exitkit)');
  withConfigOptions(
    stateDir(
      inherit(
        kase
          .command('open')
          .description('open a case from a complaint: stores it, parses it, checks the address is ours, suggests a remedy')
          .argument('<file>', 'the complaint as received')
          .option('--id <id>', 'case id (default: from the reference or the date)')
          .option('--json', 'print JSON'),
      ),
    ),
  ).action(run(async () => (await import('./commands/case.js')).caseOpenCommand));
  stateDir(
    inherit(
      kase
        .command('list')
        .description('list open cases, overdue follow-ups first')
        .option('--all', 'include closed cases')
        .option('--json', 'print JSON'),
    ),
  ).action(run(async () => (await import('./commands/case.js')).caseListCommand));
  stateDir(
    inherit(kase.command('show').description('show a case').argument('<id>', 'case id').option('--json', 'print JSON')),
  ).action(run(async () => (await import('./commands/case.js')).caseShowCommand));
  stateDir(
    inherit(
      kase
        .command('close')
        .description('close a case')
        .argument('<id>', 'case id')
        .option('--note <text>', 'why it is closed'),
    ),
  ).action(run(async () => (await import('./commands/case.js')).caseCloseCommand));

  withConfigOptions(
    stateDir(
      inherit(
        program
          .command('followup')
          .description(
            "check that every change a case promised is still in force (torrc, running tor, verdicts), then write the follow-up letter",
          )
          .argument('<id>', 'case id')
          .option('--to <address>', 'recipient e-mail address; repeatable', collect)
          .option('--templates <dir>', 'user templates that override the built-in ones by name')
          .option('--profile <file>', 'operator profile')
          .addOption(new Option('--format <format>', 'letter format').choices(['txt', 'eml']).default('txt'))
          .option('--out <file>', 'write the letter to a file')
          .option('--json', 'print the check result as JSON'),
      ),
    ),
  ).action(run(async () => (await import('./commands/case.js')).followupCommand));
}

/** The package version, kept in sync with package.json by a test. */
export const PACKAGE_VERSION = '0.1.0';
