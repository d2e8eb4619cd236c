/**
 * electron-builder.yml, checked with electron-builder's own schema validator (packaging itself
 * needs Electron's binary, which cannot be downloaded here).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string };
  files: string[];
  extraResources: { from: string; to: string }[];
  publish: unknown;
  linux: { target: string[] };
  win: { target: string[] };
  mac: { target: string[] };
}
const config = yaml.load(readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('passes electron-builder’s schema', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and builds AppImage + deb, nsis and dmg into out/', () => {
    expect(config.appId).toBe('dev.riscstation.app');
    expect(config.productName).toBe('RiscStation');
    expect(config.directories.output).toBe('out');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('bundles dist/, package.json and resources/, with no update feed', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**', 'package.json']));
    expect(config.extraResources[0]).toMatchObject({ from: 'resources', to: 'resources' });
    expect(config.publish).toBeNull();
  });
});
