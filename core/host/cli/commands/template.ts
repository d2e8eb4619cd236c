/**
 * `riscstation template list`: the VM templates and whether their files are installed here.
 */
import { ApiError } from '../../../api/index.js';
import { connectHost } from '../host-connection.js';
import { EXIT_FAILURE, EXIT_OK } from '../run-cli.js';
import { UsageError, type CliCommand } from '../registry.js';

export const command: CliCommand = {
  name: 'template',
  summary: 'list the VM templates (and which of their files are missing)',
  usage: 'list [--json]',
  options: { json: { type: 'boolean' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 1 || positionals[0] !== 'list') throw new UsageError('the only action is: template list');
    try {
      const conn = await connectHost();
      try {
        const templates = await conn.api.call({ type: 'template.list' });
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
        }
        return EXIT_OK;
      } finally {
        conn.close();
      }
    } catch (error) {
      if (error instanceof ApiError) {
        io.err(`riscstation template list: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};
