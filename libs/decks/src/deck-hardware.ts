import { DECK_TYPES, type DeckTypeDefinition, deserializeResource, type Resource, type SerializedResource } from '@praxis/hardware';
import type { DeckType } from './deck-type.entity.js';

/** JSON with object keys sorted at every level: equal values give equal strings (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** The empty deck of each hardware deck type, as stored in `deck_types.layout`, canonical. */
let geometries: Map<string, string> | undefined;
function geometryOf(t: DeckTypeDefinition): string {
  geometries ??= new Map(DECK_TYPES.map((d) => [d.name, canonicalJson(d.create('deck').serialize())]));
  return geometries.get(t.name)!;
}

/**
 * The hardware library's deck type behind a `deck_types` row: the one of the same name (catalog
 * rows), else the one whose empty deck is exactly the row's `layout` (custom deck types are copies
 * of a hardware deck type's geometry under another name). Undefined when there is none.
 */
export function hardwareDeckType(row: Pick<DeckType, 'name' | 'layout'>): DeckTypeDefinition | undefined {
  const byName = DECK_TYPES.find((d) => d.name === row.name);
  if (byName) return byName;
  const key = canonicalJson(row.layout);
  return DECK_TYPES.find((d) => geometryOf(d) === key);
}

/**
 * Builds a custom resource definition's serialized layout as a resource named `name`: the root
 * takes the new name, and every descendant's name its prefix (`my_plate_A1` → `plate_1_A1`, or
 * `plate_1_<old name>` when the old name did not start with the definition's), so two placements
 * of one definition never share a resource name. `ordering` lists follow the renaming.
 */
export function buildRenamed(layout: SerializedResource, name: string): Resource {
  const from = layout.name;
  const rename = (n: string): string => (n === from ? name : n.startsWith(from) ? name + n.slice(from.length) : `${name}_${n}`);
  const walk = (node: SerializedResource): SerializedResource => ({
    ...node,
    name: rename(String(node.name)),
    ...(Array.isArray(node.ordering) ? { ordering: (node.ordering as unknown[]).map((o) => rename(String(o))) } : {}),
    children: (node.children ?? []).map(walk),
  });
  const resource = deserializeResource({ ...walk(layout), location: null });
  return resource;
}
