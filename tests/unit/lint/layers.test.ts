import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { checkImport } from '../../../scripts/eslint/layers.js';

const root = join(import.meta.dirname, '..', '..', '..');
const fixture = (name: string) => readFileSync(join(root, 'tests', 'fixtures', 'layers', name), 'utf8');

async function lintAs(filePath: string, code: string) {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return result.messages.filter((m) => m.ruleId === 'riscstation/layers');
}

describe('the layer rule', () => {
  it('rejects a node: import inside core/cpu when linting', async () => {
    const messages = await lintAs('core/cpu/example.ts', fixture('cpu-imports-node.ts'));
    expect(messages).toHaveLength(1);
    expect(messages[0].message).toMatch(/only core\/platform\/node, core\/host and electron/);
  }, 30_000);

  it('accepts the same kind of file importing a layer below it', async () => {
    expect(await lintAs('core/cpu/example.ts', fixture('cpu-imports-isa.ts'))).toEqual([]);
  }, 30_000);

  it('keeps the renderer to core/api and the pure modules', () => {
    expect(checkImport('renderer/stores/vm.ts', '../../core/api/commands.js')).toBeNull();
    expect(checkImport('renderer/stores/vm.ts', '../../core/hypervisor/library.js')).toMatch(/renderer\/ may import only/);
    expect(checkImport('renderer/stores/vm.ts', 'node:fs')).toMatch(/Node module/);
    expect(checkImport('renderer/stores/vm.ts', 'electron')).toMatch(/may not be imported/);
  });

  it('points core dependencies one way', () => {
    expect(checkImport('core/devices/uart16550.ts', '../memory/mmio.js')).toBeNull();
    expect(checkImport('core/devices/uart16550.ts', '../hypervisor/library.js')).toMatch(/may not import core\/hypervisor/);
    expect(checkImport('core/common/errors.ts', '../cpu/hart.js')).toMatch(/may not import core\/cpu/);
    expect(checkImport('core/cpu/hart.ts', '../../renderer/main.js')).toMatch(/never out/);
    expect(checkImport('core/host/cli/main.ts', 'node:fs')).toBeNull();
    expect(checkImport('core/platform/node/files.ts', 'node:fs')).toBeNull();
    expect(checkImport('electron/main/main.ts', 'electron')).toBeNull();
  });
});
