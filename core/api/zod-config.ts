/**
 * zod compiles object parsers with `new Function` when it can. The renderer runs under a CSP without
 * 'unsafe-eval', where even zod's probe for that ability is reported as a CSP violation, so the
 * contract turns the compiler off for every user of core/api. The cost is nothing measurable for
 * messages this size. Imported first by index.ts.
 */
import { z } from 'zod';

z.config({ jitless: true });
