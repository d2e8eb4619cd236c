/**
 * The one error shape every front end sees: a stable machine-readable `code` and a `message` a
 * user can act on ("VM 'alpine' is running: stop it before deleting it").
 */
import { z } from 'zod';

/** Every error code the API returns. Front ends may branch on these; messages are for people. */
export const API_ERROR_CODES = [
  /** The message was not valid JSON, not a known command, or failed the command's schema. */
  'bad-request',
  /** The message exceeded the size cap of the transport. */
  'message-too-large',
  /** The command is part of the contract but this build does not implement it yet. */
  'not-implemented',
  /** No VM (or other object) with that id. */
  'not-found',
  /** The command is not allowed in the VM's current lifecycle state. */
  'invalid-state',
  /** Starting it would exceed a host resource limit (memory admission control); the message has the numbers. */
  'insufficient-resources',
  /** A name or resource already exists. */
  'conflict',
  /** Client side: the connection to the host closed before the answer arrived. */
  'disconnected',
  /** Client side: the host's answer did not match the contract (version mismatch?). */
  'bad-response',
  /** A long operation was cancelled (operation.cancel); it left nothing behind. */
  'cancelled',
  /** A long operation ran and failed (a guest build): the message says why, with its last log lines. */
  'failed',
  /** A bug in RiscStation: the host logged the details. */
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const apiErrorCodeSchema = z.enum(API_ERROR_CODES);

/** The error as it travels on the wire. */
export const apiErrorSchema = z.object({
  code: apiErrorCodeSchema,
  message: z.string(),
});
export type ApiErrorData = z.infer<typeof apiErrorSchema>;

/** An API error as a throwable: what client methods reject with and what handlers throw. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): ApiErrorData {
    return { code: this.code, message: this.message };
  }

  /** Turns anything thrown into the wire shape; unknown throwables become 'internal'. */
  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    const parsed = apiErrorSchema.safeParse(error);
    if (parsed.success) return new ApiError(parsed.data.code, parsed.data.message);
    const detail = error instanceof Error ? error.message : String(error);
    return new ApiError('internal', `internal error in RiscStation: ${detail}`);
  }
}
