import type { Coordinate } from './coordinate.js';
import { ResourceNotFoundError, SerializationError } from './errors.js';
import { Resource, type ResourceOptions } from './resource.js';

/** A grid of items ready to assign: column-major, row A at the back. */
export interface ItemGrid<T extends Resource> {
  numItemsX: number;
  numItemsY: number;
  items: Array<{ item: T; location: Coordinate }>;
}

/** Row label for a 0-based row index: A..Z, then AA, AB... */
export function rowLabel(row: number): string {
  let s = '';
  let n = row;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function rowIndex(label: string): number {
  let n = 0;
  for (const ch of label) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * Lays out `numItemsX` columns by `numItemsY` rows. `dx`/`dy`/`dz` place the front-left item (last
 * row, first column) relative to the parent's origin; `itemDx`/`itemDy` are the pitches.
 * Items are named `<prefix>_<id>` (e.g. `plate1_A1`) and ordered column-major.
 */
export function createGrid<T extends Resource>(opts: {
  prefix: string;
  numItemsX: number;
  numItemsY: number;
  dx: number;
  dy: number;
  dz: number;
  itemDx: number;
  itemDy: number;
  make: (name: string, id: string) => T;
}): ItemGrid<T> {
  const items: ItemGrid<T>['items'] = [];
  for (let c = 0; c < opts.numItemsX; c++) {
    for (let r = 0; r < opts.numItemsY; r++) {
      const id = `${rowLabel(r)}${c + 1}`;
      items.push({
        item: opts.make(`${opts.prefix}_${id}`, id),
        location: { x: opts.dx + c * opts.itemDx, y: opts.dy + (opts.numItemsY - 1 - r) * opts.itemDy, z: opts.dz },
      });
    }
  }
  return { numItemsX: opts.numItemsX, numItemsY: opts.numItemsY, items };
}

export interface ItemizedOptions<T extends Resource> extends ResourceOptions {
  /** The items; omitted when rebuilt by deserialization (children come back on their own). */
  grid?: ItemGrid<T> | null;
  numItemsX?: number;
  numItemsY?: number;
  /** Column-major child names, when rebuilt by deserialization. */
  ordering?: string[];
}

const ID = /^([A-Z]{1,2})(\d{1,3})$/;

/**
 * A resource holding a grid of items (wells, tip spots, tubes). Addressing: `get('A1')`,
 * `wells('A1:H1')`, `column(1)`, `row('A')`, `wells()` (all, column-major).
 */
export class ItemizedResource<T extends Resource> extends Resource {
  numItemsX: number;
  numItemsY: number;
  /** Items in column-major order (A1, B1, ... H1, A2, ...). */
  protected orderedItems: T[] = [];
  private restoreOrder?: string[];

  constructor(opts: ItemizedOptions<T>) {
    super(opts);
    this.numItemsX = opts.grid?.numItemsX ?? opts.numItemsX ?? 0;
    this.numItemsY = opts.grid?.numItemsY ?? opts.numItemsY ?? 0;
    if (opts.grid) {
      for (const { item, location } of opts.grid.items) this.assignChildResource(item, location);
      this.orderedItems = opts.grid.items.map((i) => i.item);
    }
    this.restoreOrder = opts.ordering;
  }

  get numItems(): number {
    return this.orderedItems.length;
  }

  /** Identifier (`A1`) of the item at a column-major index. */
  identifierOf(index: number): string {
    return `${rowLabel(index % this.numItemsY)}${Math.floor(index / this.numItemsY) + 1}`;
  }

  private indexOf(id: string): number {
    const m = ID.exec(id.trim().toUpperCase());
    if (!m) throw new ResourceNotFoundError(`${this.name}: "${id}" is not a well identifier like A1`);
    const row = rowIndex(m[1]);
    const col = Number(m[2]) - 1;
    if (row >= this.numItemsY || col < 0 || col >= this.numItemsX) {
      throw new ResourceNotFoundError(`${this.name} has no ${id} (it has ${rowLabel(0)}1 to ${rowLabel(this.numItemsY - 1)}${this.numItemsX})`);
    }
    return col * this.numItemsY + row;
  }

  /** One item by identifier (`A1`) or column-major index. */
  get(id: string | number): T {
    const i = typeof id === 'number' ? id : this.indexOf(id);
    const item = this.orderedItems[i];
    if (!item) throw new ResourceNotFoundError(`${this.name} has no item ${id}`);
    return item;
  }

  /**
   * Items by range (`A1:H1`, the rectangle between two corners, column-major), by list
   * (`A1,B3` or an array), or all of them when called without arguments.
   */
  items(range?: string | Array<string | number>): T[] {
    if (range === undefined) return [...this.orderedItems];
    if (Array.isArray(range)) return range.map((r) => this.get(r));
    if (range.includes(',')) return range.split(',').map((r) => this.get(r.trim()));
    if (!range.includes(':')) return [this.get(range)];
    const [a, b] = range.split(':').map((s) => this.indexOf(s));
    const [ra, ca] = [a % this.numItemsY, Math.floor(a / this.numItemsY)];
    const [rb, cb] = [b % this.numItemsY, Math.floor(b / this.numItemsY)];
    const out: T[] = [];
    for (let c = Math.min(ca, cb); c <= Math.max(ca, cb); c++) {
      for (let r = Math.min(ra, rb); r <= Math.max(ra, rb); r++) out.push(this.orderedItems[c * this.numItemsY + r]);
    }
    return out;
  }

  /** Same as `items()`: wells of a plate, spots of a tip rack, tubes of a rack. */
  wells(range?: string | Array<string | number>): T[] {
    return this.items(range);
  }

  /** A column, 1-based: `column(1)` is A1..H1. */
  column(n: number): T[] {
    if (!Number.isInteger(n) || n < 1 || n > this.numItemsX) throw new ResourceNotFoundError(`${this.name} has no column ${n} (1-${this.numItemsX})`);
    return this.orderedItems.slice((n - 1) * this.numItemsY, n * this.numItemsY);
  }

  /** A row by letter: `row('A')` is A1..A12. */
  row(label: string): T[] {
    const r = rowIndex(label.trim().toUpperCase());
    if (!/^[A-Za-z]{1,2}$/.test(label.trim()) || r < 0 || r >= this.numItemsY) throw new ResourceNotFoundError(`${this.name} has no row ${label}`);
    const out: T[] = [];
    for (let c = 0; c < this.numItemsX; c++) out.push(this.orderedItems[c * this.numItemsY + r]);
    return out;
  }

  protected override serializeExtra(): Record<string, unknown> {
    return { numItemsX: this.numItemsX, numItemsY: this.numItemsY, ordering: this.orderedItems.map((i) => i.name) };
  }

  /** After deserialization, rebuild the column-major order from the `ordering` names. */
  protected override didRestoreChildren(): void {
    const ordering = this.restoreOrder;
    this.restoreOrder = undefined;
    if (!ordering) return;
    this.orderedItems = ordering.map((name) => {
      const item = this.hasResource(name) ? this.getResource(name) : undefined;
      if (!item || item.parent !== this) throw new SerializationError(`${this.name}: ordering names ${name}, which is not a child`);
      return item as T;
    });
  }
}
