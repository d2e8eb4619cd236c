#!/usr/bin/env node
/**
 * The `riscstation` executable (package.json "bin"). Wires the process (argv, stdout, signals,
 * exit code) to runCli; everything else is testable without a process.
 */
import { EXIT_FAILURE, runCli } from './run-cli.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals) => {
  signals += 1;
  if (signals > 1) process.exit(130); // a second Ctrl+C: stop waiting for a clean shutdown
  controller.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    signal: controller.signal,
  });
} catch (error) {
  process.stderr.write(`riscstation: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = EXIT_FAILURE;
}
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
