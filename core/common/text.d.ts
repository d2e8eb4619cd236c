// TextEncoder/TextDecoder for core compiled without DOM or Node types (core/tsconfig.json only;
// the Node configs get them from @types/node).
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
