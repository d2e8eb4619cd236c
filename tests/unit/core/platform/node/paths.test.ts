import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../../../core/platform/node/paths.js';
import { packageInfo, rendererDir } from '../../../../../core/platform/node/package-info.js';

describe('defaultDataDir', () => {
  it('RISCSTATION_HOME wins on every OS', () => {
    expect(defaultDataDir({ RISCSTATION_HOME: '/srv/rs', XDG_DATA_HOME: '/x' }, 'linux', '/home/u')).toBe('/srv/rs');
  });

  it('follows each OS’s convention', () => {
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe(join('/home/u', '.local', 'share', 'riscstation'));
    expect(defaultDataDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u')).toBe(join('/data', 'riscstation'));
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe(join('/Users/u', 'Library', 'Application Support', 'RiscStation'));
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      join('C:\\Users\\u\\AppData\\Roaming', 'RiscStation'),
    );
  });
});

describe('packageInfo', () => {
  it('finds RiscStation’s package root from the sources', () => {
    const info = packageInfo();
    expect(info.name).toBe('riscstation');
    expect(join(info.root, 'core', 'platform', 'node')).toBe(join(new URL('../../../../../', import.meta.url).pathname, 'core', 'platform', 'node'));
    expect(rendererDir()).toBe(join(info.root, 'dist', 'renderer'));
  });
});
