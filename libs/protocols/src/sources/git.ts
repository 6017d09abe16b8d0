// The git side of protocol sources, through the git command line: check a remote and a ref, keep a
// bare mirror per source, resolve a ref to a commit, and export one commit's files.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export class GitError extends Error {
  constructor(readonly kind: 'unreachable' | 'unknown-ref' | 'failed', message: string) {
    super(message);
    this.name = 'GitError';
  }
}

const ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'echo', GIT_SSH_COMMAND: 'ssh -o BatchMode=yes', LC_ALL: 'C' };

function git(args: string[], timeoutMs: number, cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: ENV, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : -1;
      resolve({ code, stdout: String(stdout), stderr: e?.killed ? `timed out after ${timeoutMs} ms` : String(stderr) });
    });
  });
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('hint:')) ?? 'git failed';

export const COMMIT = /^[0-9a-f]{7,40}$/i;
const REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._\/-]{1,200}$/;

/** A ref that is safe to hand to git (no option injection, no odd characters). */
export function isValidRef(ref: string): boolean {
  return REF.test(ref) && !ref.endsWith('.lock') && !ref.endsWith('/');
}

/**
 * Checks that `url` is a reachable repository and that `ref` names a branch or tag there (a
 * commit id is accepted as is and checked at sync). Throws GitError saying which one is wrong.
 */
export async function checkRemote(url: string, ref: string, timeoutMs: number): Promise<void> {
  const r = await git(['ls-remote', '--', url], timeoutMs);
  if (r.code !== 0) throw new GitError('unreachable', `cannot read git repository ${url}: ${firstLine(r.stderr)}`);
  if (COMMIT.test(ref)) return;
  const refs = r.stdout.split('\n').map((l) => l.split('\t')[1]).filter(Boolean);
  const wanted = [ref, `refs/heads/${ref}`, `refs/tags/${ref}`];
  if (!refs.some((x) => wanted.includes(x!))) throw new GitError('unknown-ref', `${url} has no branch or tag "${ref}"`);
}

/** Clones (bare) into `dir` or fetches everything into it; answers the commit `ref` resolves to. */
export async function fetchMirror(url: string, dir: string, ref: string, timeoutMs: number): Promise<string> {
  if (!existsSync(dir)) {
    await mkdir(dirname(dir), { recursive: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    const c = await git(['clone', '--bare', '--quiet', '--', url, tmp], timeoutMs);
    if (c.code !== 0) {
      await rm(tmp, { recursive: true, force: true });
      throw new GitError('unreachable', `cannot clone ${url}: ${firstLine(c.stderr)}`);
    }
    await rename(tmp, dir);
  } else {
    const f = await git(['fetch', '--quiet', '--prune', '--force', '--', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'], timeoutMs, dir);
    if (f.code !== 0) throw new GitError('unreachable', `cannot fetch ${url}: ${firstLine(f.stderr)}`);
  }
  const candidates = COMMIT.test(ref) ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref];
  for (const c of candidates) {
    const r = await git(['rev-parse', '--verify', '--quiet', `${c}^{commit}`], timeoutMs, dir);
    if (r.code === 0) return r.stdout.trim();
  }
  throw new GitError('unknown-ref', `${url} has no branch, tag or commit "${ref}"`);
}

/** Writes the files of `commit` into `target` (once: an existing export is reused). */
export async function exportCommit(mirror: string, commit: string, target: string, timeoutMs: number): Promise<void> {
  if (existsSync(target)) return;
  const tmp = `${target}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', commit], { cwd: mirror, env: ENV });
    const tar = spawn('tar', ['-x', '-C', tmp]);
    const timer = setTimeout(() => {
      archive.kill('SIGKILL');
      tar.kill('SIGKILL');
    }, timeoutMs);
    let err = '';
    archive.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    let failed = false;
    const done = (code: number | null) => {
      if (code !== 0) failed = true;
      if (--pending === 0) {
        clearTimeout(timer);
        if (failed) reject(new GitError('failed', `cannot export commit ${commit}: ${firstLine(err) || 'git archive failed'}`));
        else resolve();
      }
    };
    archive.on('close', done);
    tar.on('close', done);
    archive.on('error', (e) => reject(new GitError('failed', e.message)));
    tar.on('error', (e) => reject(new GitError('failed', e.message)));
  }).catch(async (e: unknown) => {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  });
  await rename(tmp, target).catch(async (e: NodeJS.ErrnoException) => {
    await rm(tmp, { recursive: true, force: true });
    if (!existsSync(target)) throw e;
  });
}
