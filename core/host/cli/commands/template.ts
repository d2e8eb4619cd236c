/**
 * `riscstation template list`: the VM templates and whether their files are installed here.
 * `riscstation template build ID`: builds a template's guest images on the running host
 * (template.build), printing each step and what it is doing; Ctrl-C cancels the build.
 */
import { ApiError, type ApiClient, type ApiEvent } from '../../../api/index.js';
import { connectHost } from '../host-connection.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand, type CliIo } from '../registry.js';

/** Exit code of a build stopped with Ctrl-C (as a shell reports SIGINT). */
const EXIT_CANCELLED = 130;

export const command: CliCommand = {
  name: 'template',
  summary: 'list the VM templates (and which of their files are missing); build a template\'s guest images',
  usage: 'list [--json] | build ID',
  details: '  list [--json]   the templates and the files each still needs\n  build ID        build the guest images of template ID (linux-busybox: about an hour from scratch); Ctrl-C cancels',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const action = positionals[0];
    if (action === 'build') {
      if (positionals.length !== 2) throw new UsageError('usage: template build ID (riscstation template list shows the ids)');
      return withHost('template build', io, (api) => build(api, positionals[1], io));
    }
    if (positionals.length !== 1 || action !== 'list') throw new UsageError('the actions are: template list, template build ID');
    return withHost('template list', io, async (api) => {
      const templates = await api.call({ type: 'template.list' });
      if (values.json === true) {
        io.out(JSON.stringify(templates, null, 2));
        return EXIT_OK;
      }
      for (const t of templates) {
        io.out(`${t.id}  ${t.name}`);
        io.out(`    ${t.description}`);
        for (const m of t.missing) {
          io.out(`    missing ${m.path}${m.package ? `: install the Debian package '${m.package}' (sudo apt install ${m.package})` : ''}`);
        }
        // A guest that is not built: say once what to run (every missing file has the same hint).
        for (const hint of new Set(t.missing.map((m) => m.hint).filter((h) => h !== undefined))) io.out(`    ${hint}`);
        if (t.building) io.out(`    its guest is being built (operation ${t.building.operationId}, ${Math.round(t.building.elapsedSeconds / 60)} min so far)`);
        else if (t.guestBuild && t.missing.some((m) => m.hint !== undefined)) io.out(`    or: riscstation template build ${t.id}`);
      }
      return EXIT_OK;
    });
  },
};

async function withHost(what: string, io: CliIo, fn: (api: ApiClient) => Promise<number>): Promise<number> {
  try {
    const conn = await connectHost();
    try {
      return await fn(conn.api);
    } finally {
      conn.close();
    }
  } catch (error) {
    if (error instanceof ApiError) {
      io.err(`riscstation ${what}: ${error.message}`);
      return error.code === 'cancelled' ? EXIT_CANCELLED : EXIT_FAILURE;
    }
    throw error;
  }
}

/** One progress line for people: "[4/12] build kernel Image: make: CC fs/ext4/inode.o (12 min so far)". */
export function buildProgressLine(event: Extract<ApiEvent, { type: 'operation.progress' }>): string {
  const where = event.step !== undefined && event.steps !== undefined ? `[${event.step}/${event.steps}] ` : '';
  return `${where}${event.what}${event.detail ? `: ${event.detail}` : ''}`;
}

async function build(api: ApiClient, id: string, io: CliIo): Promise<number> {
  const operationId = `cli-build-${process.pid}-${Date.now().toString(36)}`;
  const offEvents = api.onEvent((event) => {
    if (event.type === 'operation.progress' && event.operationId === operationId) io.err(buildProgressLine(event));
  });
  const onAbort = () => {
    io.err('cancelling the build ...');
    api.operationCancel(operationId).catch(() => {});
  };
  if (io.signal.aborted) return EXIT_CANCELLED;
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await api.call({ type: 'template.build', id, operationId });
    io.out(result.upToDate ? `${result.template.name}: up to date (${result.dir ?? 'built'})` : `${result.template.name}: built (${result.dir ?? 'done'})`);
    if (result.template.missing.length === 0) io.out(`the template '${result.id}' is ready: riscstation vm create NAME --template ${result.id}`);
    return EXIT_OK;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    offEvents();
  }
}
