/** RV64GC as data: the instruction table, field extractors and CSR numbers. */
export * from './instructions.js';
export * from './fields.js';
export * from './csr.js';
