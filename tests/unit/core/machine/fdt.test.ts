import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FdtBuilder } from '../../../../core/machine/fdt.js';
import { oracle } from '../../../helpers/oracles.js';

const dtc = oracle('dtc', 'device-tree-compiler');

describe.skipIf(!dtc.available)('FDT builder', () => {
  it('writes a v17 blob that dtc reads back with every property type and the reservation map', () => {
    const fdt = new FdtBuilder();
    fdt.addReservation(0x8000_0000n, 0x1000n);
    fdt.beginNode('');
    fdt.propU32('#address-cells', 2);
    fdt.propU32('#size-cells', 2);
    fdt.propString('model', 'test');
    fdt.beginNode('node@1000');
    fdt.propU64('reg', 0x1000n, 0x20n);
    fdt.propStrings('compatible', ['a,b', 'c']);
    fdt.propEmpty('flag');
    fdt.prop('bytes', new Uint8Array([1, 2, 3]));
    fdt.endNode();
    fdt.endNode();
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    writeFileSync(join(dir, 't.dtb'), fdt.finish());
    const r = spawnSync(dtc.path, ['-I', 'dtb', '-O', 'dts', join(dir, 't.dtb')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`/dts-v1/;

/memreserve/\t0x0000000080000000 0x0000000000001000;
/ {
\t#address-cells = <0x02>;
\t#size-cells = <0x02>;
\tmodel = "test";

\tnode@1000 {
\t\treg = <0x00 0x1000 0x00 0x20>;
\t\tcompatible = "a,b\\0c";
\t\tflag;
\t\tbytes = [01 02 03];
\t};
};
`);
  });

  it('refuses to finish with open nodes', () => {
    const fdt = new FdtBuilder();
    fdt.beginNode('');
    expect(() => fdt.finish()).toThrow(/left open/);
  });
});
