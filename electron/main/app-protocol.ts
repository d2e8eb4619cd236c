/**
 * The app's own scheme, `app://riscstation/`, serving the built renderer from dist/renderer.
 *
 * Why not file://: a page loaded from file:// may read any file on disk, and Electron cannot attach
 * response headers to file:// loads, so the CSP could only come from a <meta> tag. A privileged
 * standard scheme gives the page a real origin (`'self'` means just our files) and a real
 * Content-Security-Policy header, the same one the web host sends (Electron's security checklist,
 * "use custom protocols instead of file://").
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { SECURITY_HEADERS, contentSecurityPolicy, mimeType, resolveStaticPath } from '../../core/host/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'riscstation';
/** Every URL of our page starts with this. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_PAGE_URL = `${APP_ORIGIN}/index.html`;

/** The Content-Security-Policy of the desktop page: our files only; the API goes over IPC. */
export const DESKTOP_CSP = contentSecurityPolicy();

/** Must run before the app is ready: makes `app:` a standard, secure scheme (origin, CSP, modules). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Answers one `app://` request from `rendererDir`. */
export async function serveAppRequest(rendererDir: string, requestUrl: string): Promise<Response> {
  const url = new URL(requestUrl);
  const notFound = () => new Response('not found', { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' } });
  if (url.host !== APP_HOST) return notFound();
  const file = resolveStaticPath(rendererDir, url.pathname);
  if (file === null) return notFound();
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return notFound();
  }
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) };
  if (file.endsWith('.html')) headers['Content-Security-Policy'] = DESKTOP_CSP;
  return new Response(new Uint8Array(body), { status: 200, headers });
}

/** After ready: serves `app://riscstation/...` from the built renderer. */
export function handleAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request.url));
}
