import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../../../core/host/cli/run-cli.js';
import { commandNames } from '../../../../../core/host/cli/registry.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('riscstation CLI', () => {
  it('--help lists every command file with its summary', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: riscstation <command> [options]');
    for (const name of commandNames()) expect(out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(commandNames()).toContain('serve');
  });

  it('--version prints the version from package.json', async () => {
    expect(await cli('--version')).toEqual({ code: 0, out: packageVersion, err: '' });
  });

  it('an unknown command exits 2 naming the known ones', async () => {
    const { code, err } = await cli('frobnicate');
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
    expect(err).toContain('serve');
  });

  it('an unknown option exits 2 with the usage', async () => {
    expect(await cli('--frob')).toMatchObject({ code: 2 });
    const { code, err } = await cli('serve', '--frob');
    expect(code).toBe(2);
    expect(err).toContain("'--frob'");
    expect(err).toContain('Usage: riscstation serve');
  });

  it('a bad value exits 2 saying what is allowed', async () => {
    const { code, err } = await cli('serve', '--port', '70000');
    expect(code).toBe(2);
    expect(err).toContain('--port must be a whole number from 0 to 65535');
    expect((await cli('serve', 'extra')).code).toBe(2);
    expect((await cli('serve', '--port')).code).toBe(2);
  });

  it('<command> --help prints that command’s options', async () => {
    const { code, out } = await cli('serve', '--help');
    expect(code).toBe(0);
    expect(out).toContain('Usage: riscstation serve [--host ADDR] [--port N]');
    expect(out).toContain('--port N');
  });
});
