/**
 * `riscstation [--help | --version | <command> [options]]`. Exit codes: 0 success, 1 the command
 * failed, 2 the command line was wrong (unknown command or option, bad value).
 */
import { parseArgs } from 'node:util';
import { packageInfo } from '../../platform/node/package-info.js';
import { UsageError, commandNames, loadCommand, type CliCommand, type CliIo } from './registry.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

async function mainHelp(): Promise<string> {
  const lines = [
    `RiscStation ${packageInfo().version}: a workstation for emulated 64-bit RISC-V computers`,
    '',
    'Usage: riscstation <command> [options]',
    '       riscstation --help | --version',
    '',
    'Commands:',
  ];
  // A command that fails to load (a broken build) must not take --help down with it.
  const rows = await Promise.all(
    commandNames().map(async (name) => {
      try {
        return [name, (await loadCommand(name))?.summary ?? ''] as const;
      } catch (error) {
        return [name, `(cannot load: ${error instanceof Error ? error.message : String(error)})`] as const;
      }
    }),
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, summary] of rows) lines.push(`  ${name.padEnd(width)}  ${summary}`);
  lines.push('', "Run 'riscstation <command> --help' for a command's options.");
  return lines.join('\n');
}

function commandHelp(command: CliCommand): string {
  const lines = [`Usage: riscstation ${command.name} ${command.usage}`.trimEnd(), '', command.summary];
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
}

/** Parses `argv` (without node and the script) and runs the command. Resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.out(await mainHelp());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.out(packageInfo().version);
    return EXIT_OK;
  }
  if (first.startsWith('-')) {
    io.err(`riscstation: unknown option '${first}'. Run 'riscstation --help' for usage.`);
    return EXIT_USAGE;
  }
  const command = await loadCommand(first);
  if (!command) {
    io.err(`riscstation: unknown command '${first}'. Commands: ${commandNames().join(', ')}. Run 'riscstation --help' for usage.`);
    return EXIT_USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    io.err(`riscstation ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    io.err(`Usage: riscstation ${command.name} ${command.usage}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.out(commandHelp(command));
    return EXIT_OK;
  }
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`riscstation ${command.name}: ${error.message}`);
      io.err(`Usage: riscstation ${command.name} ${command.usage}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
