// WebAssembly's JS API, for the parts of core compiled without DOM types (core/tsconfig.json,
// and the Node configs: @types/node does not declare it). Only what the project uses.
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
    grow(delta: number): number;
  }
  type HostFunction = (...args: never[]) => unknown;
  type ImportValue = HostFunction | Global | Memory | Table | number;
  type Imports = Record<string, Record<string, ImportValue>>;
  type Exports = Record<string, HostFunction | Global | Memory | Table>;
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  interface GlobalDescriptor { value: 'i32' | 'i64' | 'f32' | 'f64'; mutable?: boolean }
  class Global {
    constructor(descriptor: GlobalDescriptor, value?: number | bigint);
    value: number | bigint;
  }
  interface TableDescriptor { element: 'anyfunc' | 'externref'; initial: number; maximum?: number }
  class Table {
    constructor(descriptor: TableDescriptor);
    readonly length: number;
    get(index: number): unknown;
    set(index: number, value?: unknown): void;
    grow(delta: number): number;
  }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
