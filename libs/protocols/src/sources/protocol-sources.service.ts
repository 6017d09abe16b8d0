import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { AppException, ErrorCode, type FieldError, type Page } from '@praxis/common';
import { AppConfig } from '@praxis/config';
import { paginate, rethrowDbConflict } from '@praxis/database';
import { DataSource, type EntityManager, Repository, type QueryDeepPartialEntity } from 'typeorm';
import { uuidv7 } from '@praxis/database';
import { ProtocolDefinitionEntity } from '../protocol-definition.entity.js';
import { ProtocolSource, ProtocolSourceKind } from '../protocol-source.entity.js';
import { ProtocolSandbox } from '../sandbox/host.js';
import type { FileReport } from '../sandbox/messages.js';
import { checkRemote, exportCommit, fetchMirror, GitError, isValidRef } from './git.js';
import type { CreateProtocolSourceDto, ListProtocolSourcesQueryDto, SyncReportDto, UpdateProtocolSourceDto, SyncedDefinitionDto } from './protocol-source.dto.js';

const SYNC_LOCK = 7362153;
const MAX_FILES = 2000;
const CODE_FILE = /\.(ts|mts|js|mjs)$/;
const NOT_PROTOCOL = /(\.d\.ts|\.(spec|test|spec-support)\.[mc]?[jt]s)$/;

/** The protocol files of a folder: TypeScript and JavaScript modules, leaving out tests, type declarations, node_modules and dot-folders. */
export async function listProtocolFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && CODE_FILE.test(e.name) && !NOT_PROTOCOL.test(e.name)) out.push(relative(root, full));
      if (out.length > MAX_FILES) throw AppException.validation([{ field: 'path', message: `path: the source holds more than ${MAX_FILES} code files` }]);
    }
  };
  await walk(root);
  return out;
}

const ref = (d: Pick<ProtocolDefinitionEntity, 'id' | 'name' | 'version' | 'file'>): SyncedDefinitionDto => ({ id: d.id, name: d.name, version: d.version, file: d.file });

@Injectable()
export class ProtocolSourcesService {
  private readonly logger = new Logger(ProtocolSourcesService.name);

  constructor(
    @InjectRepository(ProtocolSource) private readonly sources: Repository<ProtocolSource>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly sandbox: ProtocolSandbox,
  ) {}

  list(q: ListProtocolSourcesQueryDto): Promise<Page<ProtocolSource>> {
    const qb = this.sources.createQueryBuilder('s');
    if (q.kind) qb.andWhere('s.kind = :kind', { kind: q.kind });
    return paginate(qb, q, { sortable: ['createdAt', 'updatedAt', 'name', 'lastSyncedAt'], defaultSort: 'name' });
  }

  async get(id: string): Promise<ProtocolSource> {
    const s = await this.sources.findOneBy({ id });
    if (!s) throw AppException.notFound('Protocol source', id);
    return s;
  }

  async create(dto: CreateProtocolSourceDto): Promise<ProtocolSource> {
    const source = this.sources.create({ kind: dto.kind, properties: dto.properties ?? {}, path: null, url: null, ref: null, revision: null, lastSyncedAt: null, lastSyncReport: null });
    if (dto.kind === ProtocolSourceKind.Filesystem) {
      if (dto.url !== undefined || dto.ref !== undefined) throw AppException.validation([{ field: dto.url !== undefined ? 'url' : 'ref', message: `${dto.url !== undefined ? 'url' : 'ref'}: only git sources have one` }]);
      source.path = await this.checkFolder(dto.path!);
    } else {
      if (dto.path !== undefined) throw AppException.validation([{ field: 'path', message: 'path: only filesystem sources have one' }]);
      source.url = dto.url!;
      source.ref = dto.ref ?? 'main';
      await this.checkGit(source.url, source.ref);
    }
    source.name = dto.name ?? this.defaultName(source);
    return this.sources.save(source).catch((err) => rethrowDbConflict(err, `A protocol source named ${source.name}`));
  }

  async update(id: string, dto: UpdateProtocolSourceDto): Promise<ProtocolSource> {
    const source = await this.get(id);
    const git = source.kind === ProtocolSourceKind.Git;
    const wrong: FieldError[] = [];
    if (git && dto.path !== undefined) wrong.push({ field: 'path', message: 'path: only filesystem sources have one' });
    if (!git && dto.url !== undefined) wrong.push({ field: 'url', message: 'url: only git sources have one' });
    if (!git && dto.ref !== undefined) wrong.push({ field: 'ref', message: 'ref: only git sources have one' });
    if (wrong.length) throw AppException.validation(wrong);
    if (dto.path !== undefined) source.path = await this.checkFolder(dto.path);
    if (dto.url !== undefined || dto.ref !== undefined) {
      const url = dto.url ?? source.url!;
      const r = dto.ref ?? source.ref!;
      await this.checkGit(url, r);
      source.url = url;
      source.ref = r;
    }
    if (dto.name !== undefined) source.name = dto.name;
    if (dto.properties !== undefined) source.properties = dto.properties;
    return this.sources.save(source).catch((err) => rethrowDbConflict(err, `A protocol source named ${source.name}`));
  }

  /** Deletes a source and its definitions (refused with 409 while a run pins one of them). */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db
      .transaction(async (em) => {
        await em.delete(ProtocolDefinitionEntity, { sourceId: id });
        await em.delete(ProtocolSource, { id });
      })
      .catch((err) => rethrowDbConflict(err, 'The source has definitions that runs refer to; it'));
  }

  /**
   * Fetches (git) or reads (folder) the source, discovers its protocols in the sandbox and records
   * what changed. A file that fails to load is one error in the report and leaves that file's
   * definitions as they were; syncs of one source run one at a time.
   */
  async sync(id: string): Promise<SyncReportDto> {
    const source = await this.get(id);
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.query('SELECT pg_advisory_lock($1, hashtext($2))', [SYNC_LOCK, id]);
      try {
        const { root, revision: commit } = await this.checkout(source);
        const files = await listProtocolFiles(root);
        const reports = await this.sandbox.discover(root, files);
        const revision = commit ?? (await this.contentHash(root, files));
        const report = await this.db.transaction((em) => this.record(em, source, revision, reports));
        this.logger.log({ sourceId: id, revision, added: report.added.length, updated: report.updated.length, errors: report.errors.length }, 'protocol source synced');
        return report;
      } finally {
        await qr.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SYNC_LOCK, id]).catch(() => undefined);
      }
    } finally {
      await qr.release();
    }
  }

  /** Registers a folder under `name` unless a source of that name exists, then syncs it (the demo's examples). */
  async ensureFolderSource(name: string, path: string): Promise<{ source: ProtocolSource; report: SyncReportDto }> {
    const source = (await this.sources.findOneBy({ name })) ?? (await this.create({ kind: ProtocolSourceKind.Filesystem, name, path }));
    return { source, report: await this.sync(source.id) };
  }

  private defaultName(s: ProtocolSource): string {
    const raw = s.kind === ProtocolSourceKind.Filesystem ? basename(s.path!) : basename(s.url!.replace(/\/+$/, '')).replace(/\.git$/, '');
    return (raw.replace(/[^A-Za-z0-9_.-]/g, '_') || 'protocols').slice(0, 150);
  }

  private async checkFolder(path: string): Promise<string> {
    const full = resolve(process.cwd(), path);
    const st = await stat(full).catch(() => null);
    if (!st) throw AppException.validation([{ field: 'path', message: `path: ${full} does not exist` }]);
    if (!st.isDirectory()) throw AppException.validation([{ field: 'path', message: `path: ${full} is not a folder` }]);
    return full;
  }

  private async checkGit(url: string, ref: string): Promise<void> {
    if (url.startsWith('-') || /^ext::/i.test(url)) throw AppException.validation([{ field: 'url', message: `url: ${url} is not a repository URL` }]);
    if (!isValidRef(ref)) throw AppException.validation([{ field: 'ref', message: `ref: "${ref}" is not a valid branch, tag or commit name` }]);
    try {
      await checkRemote(url, ref, this.config.protocols.gitTimeoutMs);
    } catch (err) {
      throw this.gitException(err);
    }
  }

  private gitException(err: unknown): unknown {
    if (!(err instanceof GitError)) return err;
    if (err.kind === 'unknown-ref') return AppException.validation([{ field: 'ref', message: `ref: ${err.message}` }]);
    if (err.kind === 'unreachable') return AppException.validation([{ field: 'url', message: `url: ${err.message}` }]);
    return new AppException(ErrorCode.CONFLICT, err.message);
  }

  private async checkout(source: ProtocolSource): Promise<{ root: string; revision: string | null }> {
    if (source.kind === ProtocolSourceKind.Filesystem) {
      const st = await stat(source.path!).catch(() => null);
      if (!st?.isDirectory()) throw AppException.validation([{ field: 'path', message: `path: ${source.path} is no longer a folder` }]);
      return { root: source.path!, revision: null };
    }
    const base = join(this.config.dataDir, 'protocol-sources', source.id);
    const timeout = this.config.protocols.gitTimeoutMs;
    try {
      const commit = await fetchMirror(source.url!, join(base, 'mirror.git'), source.ref!, timeout);
      const root = join(base, 'commits', commit);
      await exportCommit(join(base, 'mirror.git'), commit, root, timeout);
      return { root, revision: commit };
    } catch (err) {
      throw this.gitException(err);
    }
  }

  /** A folder's revision: a hash of its code files' names and contents. */
  private async contentHash(root: string, files: string[]): Promise<string> {
    const h = createHash('sha256');
    for (const f of files) h.update(f).update('\0').update(await readFile(join(root, f))).update('\0');
    return h.digest('hex');
  }

  private async record(em: EntityManager, source: ProtocolSource, revision: string, reports: FileReport[]): Promise<SyncReportDto> {
    const repo = em.getRepository(ProtocolDefinitionEntity);
    const existing = await repo.find({ where: { sourceId: source.id }, select: { id: true, name: true, version: true, codeHash: true, current: true, file: true } });
    const report: SyncReportDto = { sourceId: source.id, revision, filesScanned: reports.length, added: [], updated: [], unchanged: [], removed: [], errors: [] };
    const failedFiles = new Set<string>();
    const found = new Map<string, { file: string; report: Extract<FileReport, { ok: true }>; exportName: string; meta: Extract<FileReport, { ok: true }>['protocols'][number]['metadata'] }>();
    for (const r of reports) {
      if (!r.ok) {
        failedFiles.add(r.file);
        report.errors.push({ ...r.error, file: r.file });
        continue;
      }
      for (const p of r.protocols) {
        const key = `${p.metadata.name}@${p.metadata.version}`;
        const first = found.get(key);
        if (first) {
          report.errors.push({
            file: r.file,
            message: `${p.metadata.name} ${p.metadata.version} is also defined in ${first.file}; a source can hold one protocol per name and version (this one was not stored: change its version)`,
          });
          continue;
        }
        found.set(key, { file: r.file, report: r, exportName: p.exportName, meta: p.metadata });
      }
    }
    for (const [key, f] of found) {
      const same = existing.filter((e) => `${e.name}@${e.version}` === key);
      const match = same.find((e) => e.codeHash === f.report.codeHash);
      const fields: QueryDeepPartialEntity<ProtocolDefinitionEntity> = {
        description: f.meta.description,
        category: f.meta.category,
        tags: f.meta.tags,
        parametersSchema: f.meta.parametersSchema as QueryDeepPartialEntity<Record<string, unknown>>,
        assets: f.meta.assets as unknown as QueryDeepPartialEntity<Record<string, never>>,
        deckLayout: f.meta.deckLayout as QueryDeepPartialEntity<{ kind: 'function' }>,
        setupInstructions: f.meta.setupInstructions,
        file: f.file,
        exportName: f.exportName,
      };
      let id: string;
      if (match) {
        id = match.id;
        if (match.current) report.unchanged.push(ref({ id, name: f.meta.name, version: f.meta.version, file: f.file }));
        else report.updated.push(ref({ id, name: f.meta.name, version: f.meta.version, file: f.file }));
        await repo.update({ id }, { ...fields, current: true });
      } else {
        id = uuidv7();
        await repo.insert({
          id,
          sourceId: source.id,
          name: f.meta.name,
          version: f.meta.version,
          ...fields,
          revision,
          codeHash: f.report.codeHash,
          code: f.report.code,
          current: true,
          properties: {},
        });
        (same.length ? report.updated : report.added).push(ref({ id, name: f.meta.name, version: f.meta.version, file: f.file }));
      }
      const stale = same.filter((e) => e.id !== id && e.current).map((e) => e.id);
      if (stale.length) await repo.update(stale, { current: false });
    }
    // Gone from the source: no longer current (a file that failed to load keeps its definitions).
    const gone = existing.filter((e) => e.current && !found.has(`${e.name}@${e.version}`) && !failedFiles.has(e.file));
    if (gone.length) await repo.update(gone.map((e) => e.id), { current: false });
    report.removed = gone.map(ref);
    source.revision = revision;
    source.lastSyncedAt = new Date();
    source.lastSyncReport = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    await em.getRepository(ProtocolSource).save(source);
    return report;
  }
}
