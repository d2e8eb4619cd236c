/**
 * The API contract every front end speaks (renderer, Electron main, web host, CLI, tests).
 * See protocol.ts for the wire messages and client.ts for the typed client.
 */
import './zod-config.js';

export * from './errors.js';
export * from './vm-config.js';
export * from './commands.js';
export * from './events.js';
export * from './protocol.js';
export * from './transport.js';
export * from './server.js';
export * from './bridge.js';
export * from './client.js';
export * from './bytes.js';
export * from './console-follow.js';
export * from './library-files.js';
