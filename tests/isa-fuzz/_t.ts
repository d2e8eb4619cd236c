import { generateEncodingSequence } from './generator.js';
import { runBatch } from './diff.js';
import { assemble, qemuTarget } from './toolchain.js';
import { hartTarget } from './hart-target.js';
const asm = (s: string) => assemble('/usr/bin/riscv64-unknown-elf-gcc', s);
for (const ks of [[723], [722, 723]]) {
  try {
    const r = runBatch(ks.map((k) => generateEncodingSequence(1, k)), asm, qemuTarget('/usr/bin/qemu-riscv64'), hartTarget());
    console.log(ks, JSON.stringify(r.differences, (_, v) => typeof v === 'bigint' ? v.toString(16) : v), r.notes);
  } catch (e) { console.log(ks, String(e).slice(0, 300)); }
}
