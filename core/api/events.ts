/**
 * Events the host pushes to every connected front end (and console output only to the connections
 * attached to that console).
 */
import { z } from 'zod';
import { base64Schema, consoleNameSchema, operationIdSchema } from './commands.js';
import { vmIdSchema, vmStateSchema, vmSummarySchema } from './vm-config.js';

export const eventSchema = z.discriminatedUnion('type', [
  /** A VM moved between lifecycle states; `reason` says why when it was not asked for ("guest powered off", "crashed: ..."). */
  z.object({
    type: z.literal('vm.stateChanged'),
    id: vmIdSchema,
    state: vmStateSchema,
    previous: vmStateSchema,
    reason: z.string().optional(),
  }),
  /** A VM joined the library (created or imported). */
  z.object({ type: z.literal('vm.added'), vm: vmSummarySchema }),
  /** A VM's summary changed (renamed, reconfigured). */
  z.object({ type: z.literal('vm.updated'), vm: vmSummarySchema }),
  /** A VM left the library. */
  z.object({ type: z.literal('vm.removed'), id: vmIdSchema }),
  /**
   * Bytes a VM wrote to a console, base64: sent only to the connections attached to that VM's
   * console. `offset` is the stream position of the first byte (see `console.attach`).
   */
  z.object({
    type: z.literal('console.output'),
    vmId: vmIdSchema,
    console: consoleNameSchema,
    offset: z.number().int().nonnegative(),
    data: base64Schema,
  }),
  /**
   * How far a long operation has got; `what` names the step for people ("copying root.ext4").
   * Byte-based work (`vm.create` copying a template's disk): `doneBytes` of `totalBytes`.
   * Step-based work (`template.build`): step `step` (from 1) of `steps`, with `detail` saying what
   * the step is doing now ("make: CC fs/ext4/inode.o (12 min so far)"); the byte counts are 0.
   */
  z.object({
    type: z.literal('operation.progress'),
    operationId: operationIdSchema,
    what: z.string(),
    doneBytes: z.number().nonnegative(),
    totalBytes: z.number().nonnegative(),
    step: z.number().int().positive().optional(),
    steps: z.number().int().positive().optional(),
    detail: z.string().optional(),
  }),
  /** The host is shutting down (Ctrl-C on `riscstation serve`, app quit): connections close next. */
  z.object({ type: z.literal('host.shuttingDown'), reason: z.string() }),
]);

export type ApiEvent = z.infer<typeof eventSchema>;
export type ApiEventType = ApiEvent['type'];
export type EventOf<T extends ApiEventType> = Extract<ApiEvent, { type: T }>;
