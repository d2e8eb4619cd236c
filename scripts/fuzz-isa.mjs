#!/usr/bin/env node
// Differential ISA fuzzer (tests/isa-fuzz): our hart against qemu-riscv64. See tests/isa-fuzz/cli.ts.
// The harness is TypeScript; Vite's module runner (a dev dependency already) loads it without a build.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('../tests/isa-fuzz/cli.ts', import.meta.url).pathname);
try {
  process.exitCode = module.main(process.argv.slice(2));
} catch (error) {
  console.error(`fuzz:isa: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
