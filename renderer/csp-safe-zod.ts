/**
 * Imported first by main.ts, before any module builds a zod schema: the renderer runs under a CSP
 * without 'unsafe-eval', and zod otherwise probes `new Function` when it builds its first object
 * schema (a CSP violation report even though zod catches the error).
 */
import { z } from 'zod';

z.config({ jitless: true });
