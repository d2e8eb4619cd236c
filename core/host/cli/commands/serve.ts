/**
 * `riscstation serve`: the web host, for using RiscStation from a browser (and for the e2e tests).
 */
import { isIP } from 'node:net';
import { defaultDataDir } from '../../../platform/node/paths.js';
import { packageInfo, rendererDir } from '../../../platform/node/package-info.js';
import { hypervisorHandlers } from '../../../hypervisor/api-handlers.js';
import { openNodeHost, removeControlFile, writeControlFile, type NodeHost } from '../../../platform/node/host-setup.js';
import { LibraryLockedError } from '../../../platform/node/lock.js';
import { ApiServer } from '../../api-server.js';
import { startWebHost } from '../../web-host.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand } from '../registry.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const command: CliCommand = {
  name: 'serve',
  summary: 'serve the RiscStation UI and API to a browser (loopback only by default)',
  usage: '[--host ADDR] [--port N]',
  details: [
    'Options:',
    '  --host ADDR      interface to listen on (default 127.0.0.1; anything else exposes the API',
    '                   to your network, guarded only by the token)',
    '  --port N         TCP port (default 0: a free port; the printed URL shows it)',
    '  --renderer DIR   serve the UI from DIR instead of the built dist/renderer (development)',
    '',
    'Prints http://HOST:PORT/?token=...; only holders of that token can use the API.',
    'Ctrl+C stops the server.',
  ].join('\n'),
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    renderer: { type: 'string' },
  },
  async run({ values }, io) {
    const host = (values.host as string | undefined) ?? '127.0.0.1';
    if (host === '' || (host !== 'localhost' && isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host))) {
      throw new UsageError(`--host must be an IP address or host name, not '${host}'`);
    }
    const portText = (values.port as string | undefined) ?? '0';
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a whole number from 0 to 65535, not '${portText}'`);

    const version = packageInfo().version;
    const dataDir = defaultDataDir();
    // The VM library: one host per data folder (a second one is refused, naming the holder's pid).
    let vmHost: NodeHost;
    try {
      vmHost = openNodeHost({ dataDir });
    } catch (error) {
      if (!(error instanceof LibraryLockedError)) throw error;
      io.err(`riscstation serve: ${error.message}`);
      return EXIT_FAILURE;
    }
    let requestStop = () => {};
    const stopRequested = new Promise<void>((resolve) => (requestStop = () => setTimeout(resolve, 50)));
    const api = new ApiServer({
      productVersion: version,
      dataDir,
      frontEnd: 'web',
      handlers: hypervisorHandlers(vmHost.hypervisor, { pid: process.pid, requestStop: () => requestStop() }),
      logError: (message, error) => io.err(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    });
    let webHost;
    try {
      webHost = await startWebHost({
        api,
        host,
        port,
        rendererDir: (values.renderer as string | undefined) ?? rendererDir(),
        log: (line) => io.err(line),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'EADDRINUSE' ? 'the port is in use (try another --port, or 0 for a free one)'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' ? 'this machine has no such address'
        : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
        : error instanceof Error ? error.message : String(error);
      io.err(`riscstation serve: cannot listen on ${host}:${port}: ${why}`);
      await vmHost.close();
      return EXIT_FAILURE;
    }
    if (!LOOPBACK.has(host)) {
      io.err(`warning: listening on ${host}: anyone who can reach this machine and has the token controls RiscStation`);
    }
    vmHost.hypervisor.subscribe((event) => api.emit(event));
    // How `riscstation vm ...` finds this host: URL + token in a file only this user can read.
    writeControlFile(dataDir, { pid: process.pid, url: webHost.url, token: webHost.token });
    io.out(`RiscStation ${version} is serving on ${webHost.url}`);
    io.out('Open that URL in a browser. Press Ctrl+C to stop.');

    await Promise.race([
      stopRequested,
      new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        else io.signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    ]);
    removeControlFile(dataDir);
    api.emit({ type: 'host.shuttingDown', reason: 'the server was stopped' });
    await vmHost.close(); // powers the VMs off (stop, then hard stop after the timeout)
    await webHost.close();
    io.out('RiscStation stopped.');
    return EXIT_OK;
  },
};
