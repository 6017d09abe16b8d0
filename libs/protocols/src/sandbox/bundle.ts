// Child side: compiles one protocol file (TypeScript or JavaScript, with its local imports) into a
// single ES module with esbuild. The kit, the hardware library and zod are not bundled: imports of
// them are bound to the very modules the sandbox itself runs, so step tracking and `instanceof`
// checks see one copy.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { bundleDir } from './bundle-dir.js';
import type { FileError } from './messages.js';

export { bundleDir };

export const SHARED_MODULES_KEY = Symbol.for('praxis.sandbox.modules');
const SHARED = /^(@praxis\/protocol|@praxis\/hardware|zod|zod\/v4)$/;
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Makes the sandbox's own modules importable by protocol bundles. */
export function shareModules(modules: Record<string, Record<string, unknown>>): void {
  (globalThis as Record<symbol, unknown>)[SHARED_MODULES_KEY] = modules;
}

function sharedModules(): Record<string, Record<string, unknown>> {
  return ((globalThis as Record<symbol, unknown>)[SHARED_MODULES_KEY] ?? {}) as Record<string, Record<string, unknown>>;
}

const sharedPlugin: Plugin = {
  name: 'praxis-shared-modules',
  setup(b) {
    b.onResolve({ filter: /^@praxis\// }, (args) => {
      if (SHARED.test(args.path)) return { path: args.path, namespace: 'praxis-shared' };
      return { errors: [{ text: `cannot import "${args.path}": protocols can import @praxis/protocol, @praxis/hardware, zod, node built-ins and files of their source` }] };
    });
    b.onResolve({ filter: SHARED }, (args) => ({ path: args.path, namespace: 'praxis-shared' }));
    b.onLoad({ filter: /.*/, namespace: 'praxis-shared' }, (args) => {
      const name = args.path === 'zod/v4' ? 'zod' : args.path;
      const mod = sharedModules()[name];
      if (!mod) return { errors: [{ text: `module ${name} is not available in the sandbox` }] };
      const names = Object.keys(mod).filter((k) => k !== 'default' && IDENT.test(k));
      const lines = [`const m = globalThis[Symbol.for('praxis.sandbox.modules')][${JSON.stringify(name)}];`];
      if (names.length) lines.push(`export const { ${names.join(', ')} } = m;`);
      lines.push(`export default ('default' in m ? m.default : m);`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

export interface Bundle {
  code: string;
  /** sha256 of the compiled code: equal code gives an equal hash wherever the source lives. */
  codeHash: string;
}

/** sha256 of compiled code, leaving out the source map (which names where the source lives). */
export function hashCode(code: string): string {
  const cut = code.lastIndexOf('//# sourceMappingURL=');
  return createHash('sha256').update(cut >= 0 ? code.slice(0, cut) : code).digest('hex');
}

export class BundleError extends Error {
  constructor(readonly location: FileError) {
    super(location.message);
    this.name = 'BundleError';
  }
}

/** Compiles `file` (relative to `root`). Syntax and import errors become a BundleError with file and line. */
export async function bundleFile(root: string, file: string): Promise<Bundle> {
  try {
    // Loaded on first use: a run process only imports bundles, and esbuild's module is ~50 ms of its start.
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [file],
      absWorkingDir: root,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      // Stack traces point at the author's file and line (the child runs with --enable-source-maps).
      sourcemap: 'inline',
      sourceRoot: `${pathToFileURL(root).href}/`,
      outfile: join(root, '__praxis_bundle.mjs'),
      legalComments: 'none',
      plugins: [sharedPlugin],
    });
    const code = result.outputFiles[0]!.text;
    return { code, codeHash: hashCode(code) };
  } catch (err) {
    const e = err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> };
    const first = e.errors?.[0];
    if (first) {
      const loc = first.location;
      throw new BundleError({
        file: loc?.file ?? file,
        ...(loc ? { line: loc.line, column: loc.column + 1 } : {}),
        message: `${loc ? `${loc.file}:${loc.line}:${loc.column + 1}: ` : ''}${first.text}`,
      });
    }
    throw err;
  }
}

let dir: string | undefined;

/**
 * Imports a compiled bundle (one module instance per code hash). The file is written synchronously:
 * a child does nothing else meanwhile, and each async file operation is a hop through libuv's
 * thread pool, which costs milliseconds on a busy machine (this is on a run's way to its first step).
 */
export async function importBundle(bundle: Bundle): Promise<Record<string, unknown>> {
  dir ??= bundleDir();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${bundle.codeHash}.mjs`);
  writeFileSync(path, bundle.code);
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/**
 * Where an exception thrown by protocol code came from: the first stack frame in the source
 * folder (source-mapped back to the author's file), else the file being loaded.
 */
export function errorLocation(err: unknown, root: string, file: string): FileError {
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const rootUrl = `${pathToFileURL(root).href}/`;
  for (const m of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)\)?/g)) {
    const url = m[1]!.startsWith('file://') ? m[1]! : pathToFileURL(m[1]!).href;
    if (!url.startsWith(rootUrl) || url.includes('/node_modules/')) continue;
    const rel = decodeURIComponent(url.slice(rootUrl.length));
    return { file: rel, line: Number(m[2]), column: Number(m[3]), message };
  }
  return { file, message };
}

export function removeBundles(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
