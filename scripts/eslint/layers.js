// The import-boundary rule: encodes the layers of docs/architecture.md ("Layers") so that
// `npm run lint` fails on any import that crosses them. Zero exceptions: change the table,
// with a reason in docs/architecture.md, rather than disabling the rule in a file.
import { builtinModules } from 'node:module';
import path from 'node:path';

/** core/<folder> -> the core folders it may import (besides itself). */
export const CORE_LAYERS = {
  common: [],
  isa: ['common'],
  memory: ['common'],
  // The hart and its MMU are one unit: the walker reads hart state, the hart calls the walker.
  cpu: ['common', 'isa', 'memory', 'mmu'],
  mmu: ['common', 'isa', 'memory', 'cpu'],
  // virtio-blk serves a disk through core/storage's BlockBackend.
  devices: ['common', 'memory', 'storage'],
  snapshot: ['common'],
  storage: ['common'],
  net: ['common'],
  asm: ['common', 'isa'],
  debug: ['common', 'isa', 'memory', 'cpu', 'mmu'],
  machine: ['common', 'isa', 'memory', 'cpu', 'mmu', 'devices', 'snapshot', 'storage', 'net'],
  vm: ['common', 'isa', 'memory', 'cpu', 'mmu', 'devices', 'machine', 'snapshot', 'storage', 'net', 'debug', 'api'],
  api: ['common'],
  hypervisor: ['common', 'isa', 'memory', 'cpu', 'mmu', 'devices', 'machine', 'vm', 'snapshot', 'storage', 'net', 'asm', 'debug', 'api'],
  platform: ['*'],
  host: ['*'],
};

/** Packages (not relative paths) each area may import. node: builtins are handled separately. */
const PACKAGES = {
  'core/api': ['zod'],
  // Validates what crosses a process boundary: vm.json files and host <-> VM process messages.
  'core/hypervisor': ['zod'],
  'core/vm': ['zod'],
  'core/host': ['zod', 'ws'],
  'core/platform': [],
  core: [],
  renderer: ['vue', 'pinia', 'vue-i18n', 'zod', '@xterm/xterm', '@xterm/addon-fit', 'monaco-editor', 'uplot', 'axe-core'],
  electron: ['electron', 'zod'],
};

/** Core folders the renderer may import: API types and the pure ISA/assembler/debug modules. */
const RENDERER_MAY_IMPORT = ['api', 'isa', 'asm', 'debug'];

const NODE_BUILTINS = new Set(builtinModules);

function isNodeBuiltin(source) {
  return source.startsWith('node:') || NODE_BUILTINS.has(source.split('/')[0]);
}

function packageName(source) {
  const parts = source.split('/');
  return source.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** 'core/cpu/hart.ts' -> { top: 'core', sub: 'cpu' } */
function areaOf(relPath) {
  const parts = relPath.split(path.sep).join('/').split('/');
  return { top: parts[0], sub: parts[1] ?? '', parts };
}

/** Returns a message when `fromRel` may not import `source`, else null. */
export function checkImport(fromRel, source) {
  const from = areaOf(fromRel);
  if (!['core', 'renderer', 'electron'].includes(from.top)) return null; // tests, scripts, bench: free
  if (/\.config\.[cm]?[jt]s$/.test(fromRel)) return null; // build tooling (vite.config.ts) runs in Node at build time
  const relative = source.startsWith('.') || source.startsWith('/');

  if (!relative) {
    if (isNodeBuiltin(source)) {
      const allowed =
        from.top === 'electron' ||
        (from.top === 'core' && (from.sub === 'host' || (from.sub === 'platform' && from.parts[2] === 'node')));
      return allowed ? null : `'${source}' is a Node module: only core/platform/node, core/host and electron/ may use node:*`;
    }
    const name = packageName(source);
    let list;
    if (from.top === 'core') list = PACKAGES[`core/${from.sub}`] ?? PACKAGES.core;
    else list = PACKAGES[from.top];
    return list.includes(name) ? null : `package '${name}' may not be imported from ${from.top}/${from.top === 'core' ? from.sub + '/' : ''} (see docs/architecture.md, Layers)`;
  }

  const target = areaOf(path.posix.normalize(path.posix.join(path.posix.dirname(fromRel.split(path.sep).join('/')), source)));
  if (target.top === from.top && from.top !== 'core') return null;
  if (from.top === 'renderer') {
    if (target.top === 'core' && RENDERER_MAY_IMPORT.includes(target.sub)) return null;
    return `renderer/ may import only core/{${RENDERER_MAY_IMPORT.join(',')}} besides itself, not ${target.parts.slice(0, 2).join('/')}`;
  }
  if (from.top === 'electron') {
    return target.top === 'core' ? null : `electron/ may import core/ and itself, not ${target.top}/`;
  }
  // from core
  if (target.top !== 'core') return `core/ may not import ${target.top}/ (dependencies point into core, never out)`;
  if (target.sub === from.sub) return null;
  const allowed = CORE_LAYERS[from.sub];
  if (!allowed) return `core/${from.sub}/ is not a known layer: add it to scripts/eslint/layers.js and docs/architecture.md`;
  if (allowed.includes('*')) {
    return target.sub === 'host' && from.sub !== 'host' ? `core/${from.sub}/ may not import core/host/` : null;
  }
  return allowed.includes(target.sub)
    ? null
    : `core/${from.sub}/ may not import core/${target.sub}/ (allowed: ${allowed.join(', ') || 'nothing else in core'})`;
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces the layer boundaries of docs/architecture.md' },
    schema: [],
  },
  create(context) {
    const rel = path.relative(context.cwd, context.filename);
    function check(node, sourceNode) {
      if (!sourceNode || typeof sourceNode.value !== 'string') return;
      const message = checkImport(rel, sourceNode.value);
      if (message) context.report({ node: sourceNode, message });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0]);
        }
      },
    };
  },
};

export default { rules: { layers: layersRule } };
