/**
 * `riscstation host status|stop`: the running host (`riscstation serve`, or one `vm start` started).
 * Stopping it powers its VMs off first.
 */
import { ApiError } from '../../../api/index.js';
import { pidAlive } from '../../../platform/node/lock.js';
import { connectHost } from '../host-connection.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand } from '../registry.js';

export const command: CliCommand = {
  name: 'host',
  summary: 'show or stop the running RiscStation host',
  usage: '<status|stop> [--json]',
  details: [
    'Actions:',
    '  status [--json]  pid, data folder, uptime, VMs, memory admission numbers',
    '  stop             power every VM off (stop, then hard stop after a timeout), then stop the host',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [action, ...rest] = positionals;
    if (action !== 'status' && action !== 'stop') throw new UsageError(`which action? status or stop`);
    if (rest.length > 0) throw new UsageError(`host ${action} takes no arguments`);
    let conn;
    try {
      conn = await connectHost();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (action === 'stop') {
        io.out('no RiscStation host is running');
        return EXIT_OK;
      }
      io.err(`riscstation host status: ${error.message}`);
      return EXIT_FAILURE;
    }
    try {
      if (action === 'status') {
        const s = await conn.api.call({ type: 'host.status' });
        if (values.json === true) {
          io.out(JSON.stringify({ ...s, url: new URL(conn.host.url).origin }, null, 2));
          return EXIT_OK;
        }
        io.out(`RiscStation host, pid ${s.pid}, up ${Math.round(s.uptimeSeconds)} s, at ${new URL(conn.host.url).origin}`);
        io.out(`  data folder  ${s.dataDir}`);
        io.out(`  VMs          ${s.vms.running} running of ${s.vms.total}`);
        io.out(`  guest RAM    ${s.memory.runningMiB} MiB in use, limit ${s.memory.limitMiB} MiB (${s.memory.limitPercent}% of ${s.memory.hostTotalMiB} MiB)`);
        return EXIT_OK;
      }
      const pid = conn.host.pid;
      const closed = new Promise<void>((resolve) => conn.api.onClose(() => resolve()));
      await conn.api.call({ type: 'host.stop' });
      io.out(`stopping the RiscStation host (pid ${pid}): powering its VMs off first...`);
      await closed;
      for (let i = 0; i < 600 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (pidAlive(pid)) {
        io.err(`the host (pid ${pid}) is still running`);
        return EXIT_FAILURE;
      }
      io.out('stopped');
      return EXIT_OK;
    } catch (error) {
      if (error instanceof ApiError) {
        io.err(`riscstation host ${action}: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    } finally {
      conn.close();
    }
  },
};
