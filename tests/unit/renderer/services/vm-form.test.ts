import { describe, expect, it } from 'vitest';
import { vmConfigPatchSchema, vmConfigSchema } from '../../../../core/api/index.js';
import {
  fieldOfHostError,
  formFromConfig,
  formToConfig,
  formToPatch,
  isAbsolutePath,
  stepOfField,
  validateForm,
  validateStep,
} from '../../../../renderer/services/vm-form.js';

const uboot = {
  firmware: { kind: 'file', path: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin' },
  kernel: '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin',
  harts: 1,
  memoryMiB: 256,
} as const;

describe('the VM form', () => {
  it('round-trips a template configuration into a vm.create config the API accepts', () => {
    const form = formFromConfig({ ...uboot, name: 'U-Boot' });
    const config = formToConfig(form);
    expect(vmConfigSchema.parse(config)).toEqual({
      name: 'U-Boot',
      notes: '',
      harts: 1,
      memoryMiB: 256,
      firmware: uboot.firmware,
      kernel: uboot.kernel,
      initrd: null,
      cmdline: '',
      disks: [],
      cpuCapPercent: 100,
    });
  });

  it('turns empty optional paths into null and trims the name and paths', () => {
    const form = formFromConfig({ name: '  Bare  ' });
    form.firmwareKind = 'none';
    form.kernel = ' /tmp/prog.elf ';
    form.initrd = '   ';
    expect(formToConfig(form)).toMatchObject({ name: 'Bare', firmware: { kind: 'none' }, kernel: '/tmp/prog.elf', initrd: null });
  });

  it('patches only the fields that changed', () => {
    const before = vmConfigSchema.parse({ ...uboot, name: 'U-Boot' });
    const form = formFromConfig(before);
    expect(formToPatch(before, form)).toEqual({});
    form.harts = 2;
    form.disks.push({ path: '/var/disk.img', format: 'raw', readOnly: true });
    const patch = formToPatch(before, form);
    expect(patch).toEqual({ harts: 2, disks: [{ path: '/var/disk.img', format: 'raw', readOnly: true }] });
    expect(vmConfigPatchSchema.safeParse(patch).success).toBe(true);
  });

  it('refuses an empty, too long or already used name, ignoring case', () => {
    const form = formFromConfig({ name: '  ' });
    expect(validateStep(form, 'name')).toEqual({ name: { key: 'nameMissing' } });
    form.name = 'x'.repeat(65);
    expect(validateStep(form, 'name')).toEqual({ name: { key: 'nameTooLong', params: { max: 64 } } });
    form.name = 'u-boot';
    expect(validateStep(form, 'name', ['U-Boot'])).toEqual({ name: { key: 'nameTaken', params: { name: 'u-boot' } } });
    expect(validateStep(form, 'name', ['Other'])).toEqual({});
  });

  it('checks harts, memory and CPU cap against the limits of the API schema', () => {
    const form = formFromConfig({ name: 'x' });
    form.harts = 9;
    form.memoryMiB = Number.NaN;
    form.cpuCapPercent = 12.5;
    expect(validateStep(form, 'hardware')).toEqual({
      harts: { key: 'hartsRange', params: { min: 1, max: 8 } },
      memoryMiB: { key: 'memoryMissing', params: { min: 16, max: 2048 } },
      cpuCapPercent: { key: 'cpuCapWhole', params: { min: 1, max: 100 } },
    });
    // What the form accepts, the API schema accepts, and the other way round at the edges.
    for (const [harts, memoryMiB, cpuCapPercent] of [
      [1, 16, 1],
      [8, 2048, 100],
      [0, 16, 1],
      [1, 15, 1],
      [1, 2049, 1],
      [1, 16, 101],
    ]) {
      Object.assign(form, { harts, memoryMiB, cpuCapPercent });
      const ok = Object.keys(validateStep(form, 'hardware')).length === 0;
      expect(vmConfigSchema.safeParse(formToConfig(form)).success, `${harts} ${memoryMiB} ${cpuCapPercent}`).toBe(ok);
    }
  });

  it('asks for full host paths, a kernel when there is no firmware, and a kernel for an initrd', () => {
    const form = formFromConfig({ name: 'x', firmware: { kind: 'none' } });
    expect(validateStep(form, 'boot')).toEqual({ kernel: { key: 'pathMissing', params: { what: 'kernel' } } });
    form.kernel = 'prog.elf';
    expect(validateStep(form, 'boot')).toEqual({ kernel: { key: 'pathRelative', params: { what: 'kernel' } } });
    form.kernel = '';
    form.firmwareKind = 'default';
    form.initrd = '/boot/initrd';
    expect(validateStep(form, 'boot')).toEqual({ initrd: { key: 'initrdNeedsKernel' } });
    form.initrd = '';
    form.firmwareKind = 'file';
    form.disks.push({ path: '', format: 'qcow2', readOnly: false });
    expect(validateStep(form, 'boot')).toEqual({
      firmwarePath: { key: 'pathMissing', params: { what: 'firmware' } },
      'disk.0': { key: 'pathMissing', params: { what: 'disk' } },
    });
  });

  it('knows absolute paths on POSIX and Windows hosts', () => {
    expect(isAbsolutePath('/usr/lib/x')).toBe(true);
    expect(isAbsolutePath('C:\\images\\disk.img')).toBe(true);
    expect(isAbsolutePath('\\\\server\\share\\disk.img')).toBe(true);
    expect(isAbsolutePath('images/disk.img')).toBe(false);
    expect(isAbsolutePath('~/disk.img')).toBe(false);
  });

  it('validates every step at once for the settings editor', () => {
    const form = formFromConfig({ name: '', harts: 0 });
    expect(Object.keys(validateForm(form)).sort()).toEqual(['harts', 'name']);
  });

  it('points a host refusal at the input whose path it names, longest path first', () => {
    const form = formFromConfig({ ...uboot, name: 'x' });
    form.disks.push({ path: '/img/a.raw', format: 'raw', readOnly: false }, { path: '/img/a.raw.bak', format: 'raw', readOnly: false });
    expect(fieldOfHostError(form, 'the kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin is empty')).toBe('kernel');
    expect(fieldOfHostError(form, 'the disk /img/a.raw.bak is locked')).toBe('disk.1');
    expect(fieldOfHostError(form, "a VM named 'x' already exists (id x); choose another name")).toBe('name');
    expect(fieldOfHostError(form, 'something unrelated happened')).toBeNull();
    expect(stepOfField('disk.1')).toBe('boot');
    expect(stepOfField('memoryMiB')).toBe('hardware');
  });
});
