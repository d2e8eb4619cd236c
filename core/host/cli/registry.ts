/**
 * The CLI's commands and how they are found: each command is one file in ./commands/ named after
 * it (`riscstation serve` → commands/serve.ts) exporting `command: CliCommand`. Adding a command
 * is adding a file; nothing else lists them.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** What a command gets besides its arguments. */
export interface CliIo {
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
  /** Aborted on Ctrl+C or SIGTERM: long-running commands stop cleanly when it fires. */
  signal: AbortSignal;
}

export type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CliCommand {
  /** The word after `riscstation`; equals the file name. */
  name: string;
  /** One line for `riscstation --help`. */
  summary: string;
  /** Arguments after the name, e.g. '[--host ADDR] [--port N]'. */
  usage: string;
  /** Option descriptions for `riscstation <name> --help`, one per line. */
  details?: string;
  /** node:util parseArgs options (`--help` is added for every command). */
  options: ParseArgsOptionsConfig;
  /** Accepts positional arguments (default: none allowed). */
  allowPositionals?: boolean;
  /** Runs the command; resolves with the process exit code. Throw `UsageError` for bad arguments (exit 2). */
  run(args: { values: CliValues; positionals: string[] }, io: CliIo): Promise<number>;
}

/** A mistake in how the command was typed: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMANDS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'commands');
/** From dist/ the commands are .js; under vitest they are the .ts sources. */
const COMMAND_FILE = /^([a-z][a-z0-9-]*)\.(js|ts)$/;

/** The names of all commands (sorted). */
export function commandNames(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(COMMANDS_DIR)) {
    const match = COMMAND_FILE.exec(file);
    if (match && !file.endsWith('.d.ts')) names.add(match[1]);
  }
  return [...names].sort();
}

/** Loads one command by name, or null when there is none. */
export async function loadCommand(name: string): Promise<CliCommand | null> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) return null;
  const files = readdirSync(COMMANDS_DIR);
  const file = files.includes(`${name}.js`) ? `${name}.js` : files.includes(`${name}.ts`) ? `${name}.ts` : null;
  if (!file) return null;
  const module = (await import(pathToFileURL(join(COMMANDS_DIR, file)).href)) as { command?: CliCommand };
  if (!module.command || module.command.name !== name) {
    throw new Error(`core/host/cli/commands/${file} must export \`command\` with name '${name}'`);
  }
  return module.command;
}
