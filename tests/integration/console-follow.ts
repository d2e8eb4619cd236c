/**
 * A VM console's text as it grows (the host's scrollback, then live output), with a wait for a
 * pattern after a position: what the integration tests that drive a guest's shell read from.
 */
import type { ConsoleName } from '../../core/api/index.js';
import type { Hypervisor } from '../../core/hypervisor/hypervisor.js';

export interface FollowedConsole {
  readonly text: string;
  /** Resolves once `pattern` appears in the text after `from` characters of it. */
  waitFor(pattern: string | RegExp, from?: number, timeoutMs?: number): Promise<void>;
}

export function followConsole(hv: Hypervisor, id: string, stream: ConsoleName = 'serial'): FollowedConsole {
  const decoder = new TextDecoder('latin1');
  let text = decoder.decode(hv.consoleAttach(id, stream));
  const waiters = new Set<() => void>();
  hv.consoleListen(
    id,
    (bytes) => {
      text += decoder.decode(bytes);
      for (const w of waiters) w();
    },
    stream,
  );
  return {
    get text() {
      return text;
    },
    waitFor(pattern, from = 0, timeoutMs = 240_000) {
      const found = () => (typeof pattern === 'string' ? text.indexOf(pattern, from) >= 0 : pattern.test(text.slice(from)));
      if (found()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`VM ${id} ${stream}: no ${String(pattern)} within ${timeoutMs} ms; it ends with ${JSON.stringify(text.slice(-800))}`));
        }, timeoutMs);
        const check = () => {
          if (!found()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}
