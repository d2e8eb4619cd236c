/**
 * The wire protocol: JSON messages over any message channel (WebSocket text frames, the in-memory
 * pair, Electron IPC carries the same `CallResult`s).
 *
 *   client → host   { kind: 'request', id: 7, command: { type: 'host.info' } }
 *   host → client   { kind: 'response', id: 7, ok: true, result: { ... } }
 *                   { kind: 'response', id: 7, ok: false, error: { code: 'not-found', message: '...' } }
 *                   { kind: 'event', event: { type: 'vm.stateChanged', ... } }
 *
 * `id` is chosen by the client (a non-negative integer, unique among its pending requests) and
 * echoed back; a message the host cannot read far enough to find an id is answered with `id: null`.
 * Responses may arrive in any order.
 */
import { z } from 'zod';
import { ApiError, apiErrorSchema, type ApiErrorData } from './errors.js';
import type { CommandInput } from './commands.js';
import { eventSchema, type ApiEvent } from './events.js';

/** Bumped on an incompatible change to the message shapes. */
export const PROTOCOL_VERSION = 1;

/** The largest message (in UTF-16 code units of its JSON text) a host accepts. */
export const MAX_MESSAGE_CHARS = 1024 * 1024;

export const requestIdSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A request envelope; the command inside is validated separately so its errors can carry the id. */
export const requestEnvelopeSchema = z.object({
  kind: z.literal('request'),
  id: requestIdSchema,
  command: z.unknown(),
});

export interface RequestMessage {
  kind: 'request';
  id: number;
  command: CommandInput;
}
export type ClientMessage = RequestMessage;

/** The outcome of one command: what `ApiServer.call` returns and Electron's IPC carries. */
export type CallResult<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiErrorData };

export const callResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorSchema }),
]);

export type ResponseMessage = { kind: 'response'; id: number | null } & CallResult;
export interface EventMessage {
  kind: 'event';
  event: ApiEvent;
}
export type ServerMessage = ResponseMessage | EventMessage;

export const serverMessageSchema = z.union([
  z.object({ kind: z.literal('response'), id: requestIdSchema.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: requestIdSchema.nullable(), ok: z.literal(false), error: apiErrorSchema }),
  z.object({ kind: z.literal('event'), event: eventSchema }),
]);

export function errorResult(error: unknown): { ok: false; error: ApiErrorData } {
  return { ok: false, error: ApiError.from(error).toJSON() };
}

/**
 * Reads a request envelope (not the command inside: `ApiService.call` validates that). On failure
 * returns the error to send back and the request's id when one could be read.
 */
export function parseRequestEnvelope(
  input: unknown,
): { ok: true; id: number; command: unknown } | { ok: false; id: number | null; error: ApiError } {
  const envelope = requestEnvelopeSchema.safeParse(input);
  if (envelope.success) return { ok: true, id: envelope.data.id, command: envelope.data.command };
  const id = requestIdSchema.safeParse((input as { id?: unknown } | null)?.id);
  return {
    ok: false,
    id: id.success ? id.data : null,
    error: new ApiError(
      'bad-request',
      'a message is {"kind":"request","id":<integer>,"command":{"type":...}}: ' + z.prettifyError(envelope.error),
    ),
  };
}

/**
 * Parses one text frame as JSON with the size cap. Returns the value, or the error response to
 * send (never throws: a host must survive any bytes a client sends).
 */
export function decodeMessageText(text: string): { ok: true; value: unknown } | { ok: false; response: ResponseMessage } {
  if (text.length > MAX_MESSAGE_CHARS) {
    return {
      ok: false,
      response: {
        kind: 'response',
        id: null,
        ...errorResult(new ApiError('message-too-large', `a message is at most ${MAX_MESSAGE_CHARS} characters; this one has ${text.length}`)),
      },
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, response: { kind: 'response', id: null, ...errorResult(new ApiError('bad-request', `message is not valid JSON: ${detail}`)) } };
  }
}
