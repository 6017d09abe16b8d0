import { Brackets, type DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppException, ListQueryDto, Page } from '@praxis/common';

/** Escapes LIKE/ILIKE wildcards so a search term matches literally. */
export const escapeLike = (s: string): string => s.replace(/[%_\\]/g, '\\$&');

const PROPERTY_KEY = /^[a-zA-Z0-9_-]{1,64}$/;

/** Flattens `{ site: { room: 'B12' } }` into `[['site','room'], 'B12']` pairs, validating as it goes. */
function propertyPaths(obj: Record<string, unknown>, prefix: string[] = []): Array<[string[], string]> {
  return Object.entries(obj).flatMap(([key, value]) => {
    const path = [...prefix, key];
    const field = `property.${path.join('.')}`;
    if (!PROPERTY_KEY.test(key) || path.length > 8) {
      throw AppException.validation([{ field, message: `${field}: property keys are 1-64 letters, digits, dash or underscore` }]);
    }
    if (typeof value === 'string') return [[path, value] as [string[], string]];
    if (value && typeof value === 'object' && !Array.isArray(value)) return propertyPaths(value as Record<string, unknown>, path);
    throw AppException.validation([{ field, message: `${field} must be given once, as text` }]);
  });
}

interface ListOptions {
  sortable: readonly string[];
  defaultSort?: string;
  /** The entity's creation time that `createdFrom`/`createdTo` filter on (default `createdAt`). */
  createdColumn?: string;
}

/**
 * Applies the list conventions (limit/offset, sort with a whitelist, created range,
 * property.<key>=<value> JSONB filters) to a query builder and returns one page.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: ListQueryDto,
  opts: ListOptions,
): Promise<Page<T>> {
  applyListQuery(qb, query, opts);
  const [items, total] = await qb.getManyAndCount();
  return { items, total, limit: query.limit, offset: query.offset };
}

/**
 * Totals of hot lists for a short time. Counting every matching row costs more than fetching a
 * page of 50, and a list's total moving by a row for a second is harmless, so totals are kept for
 * `ttlMs`; the owning service calls `invalidate()` after each of its writes (other instances' writes
 * show within `ttlMs`).
 */
export class CountCache {
  private readonly totals = new Map<string, { total: number; until: number }>();

  constructor(private readonly ttlMs = 1000, private readonly maxEntries = 1000) {}

  async get(key: string, count: () => Promise<number>): Promise<number> {
    const now = Date.now();
    const hit = this.totals.get(key);
    if (hit && hit.until > now) return hit.total;
    const total = await count();
    if (this.totals.size >= this.maxEntries) this.totals.clear();
    this.totals.set(key, { total, until: now + this.ttlMs });
    return total;
  }

  invalidate(): void {
    this.totals.clear();
  }
}

const TIMESTAMPS = new Set(['createdAt', 'updatedAt']);

/** A filter of a hot list: SQL with `?` for its one value, e.g. `"category" = ?`. */
export type SqlFilter = [sql: string, value: unknown];

/**
 * The list conventions for hot lists, in plain SQL: no query builder, no entity hydration. Rows
 * come back as objects of `columns` (entity property names, which are the column names), fetched
 * in parallel with the total (from `counts` when given). Only whitelisted identifiers reach the SQL;
 * every value is a bind parameter.
 */
export async function listRows<R extends ObjectLiteral>(
  db: DataSource,
  opts: {
    table: string;
    columns: readonly string[];
    filters: SqlFilter[];
    query: ListQueryDto;
    sortable: readonly string[];
    defaultSort?: string;
    counts?: CountCache;
  },
): Promise<Page<R>> {
  const { query } = opts;
  const params: unknown[] = [];
  const where: string[] = [];
  const bind = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  for (const [sql, value] of opts.filters) if (value !== undefined) bind(sql, value);
  if (query.createdFrom) bind('"createdAt" >= ?', query.createdFrom);
  if (query.createdTo) bind('"createdAt" < ?', query.createdTo);
  for (const [path, value] of propertyPaths(query.property ?? {})) {
    params.push(path);
    bind(`"properties" #>> $${params.length}::text[] = ?`, value);
  }
  const sort = query.sort ?? opts.defaultSort ?? '-createdAt';
  const field = sort.replace(/^-/, '');
  if (!opts.sortable.includes(field)) {
    throw AppException.validation([{ field: 'sort', message: `sort must be one of ${opts.sortable.flatMap((f) => [f, `-${f}`]).join(', ')}` }]);
  }
  const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  // Timestamps leave Postgres already as JSON's ISO strings: no Date parsing and re-printing per row.
  const cols = opts.columns
    .map((c) => (TIMESTAMPS.has(c) ? `to_char("${c}" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "${c}"` : `"${c}"`))
    .join(', ');
  // ORDER BY names the table's columns, not the (text) output aliases, so the index serves it.
  const t = `"${opts.table}"`;
  const rowsSql = `SELECT ${cols} FROM ${t}${whereSql} ORDER BY ${t}."${field}" ${dir}, ${t}."id" ${dir} LIMIT ${query.limit} OFFSET ${query.offset}`;
  const countSql = `SELECT count(*)::int AS n FROM "${opts.table}"${whereSql}`;
  const count = async () => ((await db.query(countSql, params)) as Array<{ n: number }>)[0].n;
  const [items, total] = await Promise.all([
    db.query(rowsSql, params) as Promise<R[]>,
    opts.counts ? opts.counts.get(`${countSql}\n${JSON.stringify(params)}`, count) : count(),
  ]);
  return { items, total, limit: query.limit, offset: query.offset };
}

function applyListQuery<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, query: ListQueryDto, opts: ListOptions): void {
  const alias = qb.alias;
  const created = opts.createdColumn ?? 'createdAt';
  if (query.createdFrom) qb.andWhere(`${alias}.${created} >= :createdFrom`, { createdFrom: query.createdFrom });
  if (query.createdTo) qb.andWhere(`${alias}.${created} < :createdTo`, { createdTo: query.createdTo });
  const props = propertyPaths(query.property ?? {});
  // Not every listed entity has JSONB properties (run outputs do not): a filter on them is the
  // caller's mistake, not the database's "column does not exist".
  if (props.length && !qb.expressionMap.mainAlias?.metadata.findColumnWithPropertyName('properties')) {
    throw AppException.validation([{ field: 'property', message: 'property filters are not supported by this list' }]);
  }
  if (props.length) {
    qb.andWhere(
      new Brackets((w) => {
        props.forEach(([path, value], i) => {
          w.andWhere(`${alias}.properties #>> CAST(:pk${i} AS text[]) = :pv${i}`, { [`pk${i}`]: path, [`pv${i}`]: value });
        });
      }),
    );
  }
  const sort = query.sort ?? opts.defaultSort ?? '-createdAt';
  const field = sort.replace(/^-/, '');
  if (!opts.sortable.includes(field)) {
    throw AppException.validation([{ field: 'sort', message: `sort must be one of ${opts.sortable.flatMap((f) => [f, `-${f}`]).join(', ')}` }]);
  }
  // Ties broken by id in the same direction (ids are UUIDv7: time-ordered), so an index on
  // (filter, sort field) serves the order.
  const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
  qb.orderBy(`${alias}.${field}`, dir).addOrderBy(`${alias}.id`, dir);
  qb.take(query.limit).skip(query.offset);
}
