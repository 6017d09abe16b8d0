import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppException, ListQueryDto, Page } from '@praxis/common';

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

/**
 * Applies the list conventions (limit/offset, sort with a whitelist, created range,
 * property.<key>=<value> JSONB filters) to a query builder and returns one page.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: ListQueryDto,
  opts: { sortable: readonly string[]; defaultSort?: string },
): Promise<Page<T>> {
  const alias = qb.alias;
  if (query.createdFrom) qb.andWhere(`${alias}.createdAt >= :createdFrom`, { createdFrom: query.createdFrom });
  if (query.createdTo) qb.andWhere(`${alias}.createdAt < :createdTo`, { createdTo: query.createdTo });
  const props = propertyPaths(query.property ?? {});
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
  qb.orderBy(`${alias}.${field}`, sort.startsWith('-') ? 'DESC' : 'ASC').addOrderBy(`${alias}.id`, 'ASC');
  qb.take(query.limit).skip(query.offset);
  const [items, total] = await qb.getManyAndCount();
  return { items, total, limit: query.limit, offset: query.offset };
}
