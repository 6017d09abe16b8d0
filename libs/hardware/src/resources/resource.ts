import { add, type Coordinate, NO_ROTATION, type Rotation, rotateZ, type XAnchor, type YAnchor, type ZAnchor } from './coordinate.js';
import { DuplicateResourceNameError, ResourceAssignmentError, ResourceNotFoundError, SerializationError } from './errors.js';

/** The JSON form of a resource subtree: one node per resource, with a `type` from the registry. */
export interface SerializedResource {
  type: string;
  name: string;
  sizeX: number;
  sizeY: number;
  sizeZ: number;
  location: Coordinate | null;
  rotation: Rotation;
  category: string;
  model: string | null;
  children: SerializedResource[];
  [extra: string]: unknown;
}

/** Flat map `{ resourceName: state }` of every resource that has state. */
export type ResourceStateMap = Record<string, unknown>;

export interface ResourceOptions {
  name: string;
  sizeX: number;
  sizeY: number;
  sizeZ: number;
  category?: string;
  model?: string | null;
  rotation?: Rotation;
}

type Factory = (data: SerializedResource) => Resource;
const TYPES = new Map<string, Factory>();

/**
 * Registers a resource class for deserialization under `type`. Each class registers itself;
 * libraries adding resource kinds register theirs.
 */
export function registerResourceType(type: string, factory: Factory): void {
  TYPES.set(type, factory);
}

export function registeredResourceTypes(): string[] {
  return [...TYPES.keys()].sort();
}

/** Rebuilds a resource tree from `serialize()` output. Unknown types fail, naming the type and node. */
export function deserializeResource(data: SerializedResource): Resource {
  const factory = TYPES.get(data.type);
  if (!factory) throw new SerializationError(`Unknown resource type "${data.type}" (resource "${data.name}"); register it with registerResourceType`);
  const resource = factory(data);
  resource.restoreChildren(data.children ?? []);
  return resource;
}

/**
 * A node of the physical layout: a box with a name, a size, a location relative to its parent's
 * origin (left-front-bottom corner), a rotation, a category and a model. The root of a tree keeps a
 * name index, so `getResource(name)` is O(1) from any node of the tree.
 */
export class Resource {
  static readonly type: string = 'Resource';

  readonly name: string;
  readonly sizeX: number;
  readonly sizeY: number;
  readonly sizeZ: number;
  readonly category: string;
  readonly model: string | null;
  rotation: Rotation;
  location: Coordinate | null = null;
  parent: Resource | null = null;
  readonly children: Resource[] = [];
  /** Name index of the subtree; only the root's is kept up to date. */
  private index: Map<string, Resource> | null;

  constructor(opts: ResourceOptions) {
    if (!opts.name) throw new ResourceAssignmentError('A resource needs a name');
    for (const k of ['sizeX', 'sizeY', 'sizeZ'] as const) {
      if (!Number.isFinite(opts[k]) || opts[k] < 0) throw new ResourceAssignmentError(`${opts.name}: ${k} must be a finite number >= 0`);
    }
    this.name = opts.name;
    this.sizeX = opts.sizeX;
    this.sizeY = opts.sizeY;
    this.sizeZ = opts.sizeZ;
    this.category = opts.category ?? 'resource';
    this.model = opts.model ?? null;
    this.rotation = opts.rotation ?? NO_ROTATION;
    this.index = new Map([[this.name, this]]);
  }

  /** The registry type used in serialized JSON. */
  get type(): string {
    return (this.constructor as typeof Resource).type;
  }

  root(): Resource {
    let r: Resource = this;
    while (r.parent) r = r.parent;
    return r;
  }

  // ---- tree -------------------------------------------------------------------------------

  /** Places `child` at `location` (relative to this resource's origin). Names must be unique in the tree. */
  assignChildResource(child: Resource, location: Coordinate, opts: { reassign?: boolean } = {}): void {
    if (child === this) throw new ResourceAssignmentError(`Cannot assign ${this.name} to itself`);
    if (child.parent) {
      if (!opts.reassign) throw new ResourceAssignmentError(`${child.name} is already assigned to ${child.parent.name}; unassign it first`);
      child.unassign();
    }
    for (let a: Resource | null = this; a; a = a.parent) {
      if (a === child) throw new ResourceAssignmentError(`Cannot assign ${child.name} into its own subtree (${this.name})`);
    }
    const rootIndex = this.root().index!;
    const incoming = child.index ?? new Map(child.descendantsAndSelf().map((r) => [r.name, r]));
    for (const name of incoming.keys()) {
      if (rootIndex.has(name)) throw new DuplicateResourceNameError(`A resource named "${name}" already exists in ${this.root().name}`);
    }
    this.checkAssignment(child, location);
    for (const [name, r] of incoming) rootIndex.set(name, r);
    child.index = null;
    child.parent = this;
    child.location = location;
    this.children.push(child);
    this.didAssignChild(child);
  }

  /** Removes `child` from this resource; it becomes the root of its own tree. */
  unassignChildResource(child: Resource): void {
    const i = this.children.indexOf(child);
    if (i < 0) throw new ResourceNotFoundError(`${child.name} is not a child of ${this.name}`);
    this.willUnassignChild(child);
    this.children.splice(i, 1);
    const rootIndex = this.root().index!;
    const subtree = child.descendantsAndSelf();
    for (const r of subtree) rootIndex.delete(r.name);
    child.parent = null;
    child.location = null;
    child.index = new Map(subtree.map((r) => [r.name, r]));
  }

  unassign(): void {
    this.parent?.unassignChildResource(this);
  }

  /** Hook for subclasses to refuse an assignment (a site holds one plate, etc.). */
  protected checkAssignment(_child: Resource, _location: Coordinate): void {}
  protected didAssignChild(_child: Resource): void {}
  protected willUnassignChild(_child: Resource): void {}

  descendantsAndSelf(): Resource[] {
    const out: Resource[] = [];
    const stack: Resource[] = [this];
    while (stack.length) {
      const r = stack.pop()!;
      out.push(r);
      for (let i = r.children.length - 1; i >= 0; i--) stack.push(r.children[i]);
    }
    return out;
  }

  /** O(1) lookup of any resource in this tree by name. */
  getResource(name: string): Resource {
    const r = this.root().index!.get(name);
    if (!r) throw new ResourceNotFoundError(`No resource named "${name}" in ${this.root().name}`);
    return r;
  }

  hasResource(name: string): boolean {
    return this.root().index!.has(name);
  }

  /** Every resource in the tree of the given class (or category string). */
  findAll<T extends Resource>(match: (new (...a: never[]) => T) | string): T[] {
    const all = this.descendantsAndSelf();
    return (typeof match === 'string' ? all.filter((r) => r.category === match) : all.filter((r) => r instanceof match)) as T[];
  }

  // ---- geometry ---------------------------------------------------------------------------

  /** Total rotation about z of this resource in the deck frame. */
  absoluteRotationZ(): number {
    let z = 0;
    for (let r: Resource | null = this; r; r = r.parent) z += r.rotation.z;
    return z;
  }

  /** Point of this box given anchors, relative to its own origin, before rotation. */
  getAnchor(x: XAnchor = 'l', y: YAnchor = 'f', z: ZAnchor = 'b'): Coordinate {
    return {
      x: x === 'l' ? 0 : x === 'c' ? this.sizeX / 2 : this.sizeX,
      y: y === 'f' ? 0 : y === 'c' ? this.sizeY / 2 : this.sizeY,
      z: z === 'b' ? 0 : z === 'c' ? this.sizeZ / 2 : this.sizeZ,
    };
  }

  /** Absolute position (deck frame) of an anchor of this resource: left/center/right, front/center/back, bottom/center/top. */
  getAbsoluteLocation(x: XAnchor = 'l', y: YAnchor = 'f', z: ZAnchor = 'b'): Coordinate {
    return add(this.absoluteOrigin(), rotateZ(this.getAnchor(x, y, z), this.absoluteRotationZ()));
  }

  /** Absolute position of this resource's origin. */
  absoluteOrigin(): Coordinate {
    if (!this.parent) return this.location ?? { x: 0, y: 0, z: 0 };
    if (!this.location) throw new ResourceAssignmentError(`${this.name} has no location`);
    return add(this.parent.absoluteOrigin(), rotateZ(this.location, this.parent.absoluteRotationZ()));
  }

  /** Location of this resource relative to another in its tree (the other's origin). */
  locationRelativeTo(other: Resource): Coordinate {
    const a = this.absoluteOrigin();
    const b = other.absoluteOrigin();
    return rotateZ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z }, -other.absoluteRotationZ());
  }

  /** The highest point of this resource and everything on it (for safe travel heights). */
  highestPoint(): number {
    let top = this.getAbsoluteLocation('l', 'f', 't').z;
    for (const c of this.children) top = Math.max(top, c.highestPoint());
    return top;
  }

  // ---- serialization ----------------------------------------------------------------------

  /** Extra fields a subclass writes into its JSON (and reads back in its factory). */
  protected serializeExtra(): Record<string, unknown> {
    return {};
  }

  /** Children are restored by `deserializeResource`; a subclass may rebuild indexes afterwards. */
  restoreChildren(children: SerializedResource[]): void {
    for (const c of children) {
      const child = deserializeResource(c);
      if (!c.location) throw new SerializationError(`Child ${c.name} of ${this.name} has no location`);
      this.assignChildResource(child, c.location);
    }
    this.didRestoreChildren();
  }

  protected didRestoreChildren(): void {}

  /** The layout of this subtree as JSON: no state (tips, volumes) in it. */
  serialize(): SerializedResource {
    return {
      type: this.type,
      name: this.name,
      sizeX: this.sizeX,
      sizeY: this.sizeY,
      sizeZ: this.sizeZ,
      location: this.location ? { x: this.location.x, y: this.location.y, z: this.location.z } : null,
      rotation: { x: this.rotation.x, y: this.rotation.y, z: this.rotation.z },
      category: this.category,
      model: this.model,
      ...this.serializeExtra(),
      children: this.children.map((c) => c.serialize()),
    };
  }

  /** This resource's own state (undefined when it has none). */
  serializeState(): unknown {
    return undefined;
  }

  loadState(_state: unknown): void {}

  /** State of the whole subtree as a flat `{ name: state }` map. */
  serializeAllState(): ResourceStateMap {
    const out: ResourceStateMap = {};
    for (const r of this.descendantsAndSelf()) {
      const s = r.serializeState();
      if (s !== undefined) out[r.name] = s;
    }
    return out;
  }

  /** Loads a `{ name: state }` map into this subtree; unknown names fail before anything changes. */
  loadAllState(states: ResourceStateMap): void {
    const targets = Object.keys(states).map((name) => {
      const r = this.root().index!.get(name);
      if (!r) throw new ResourceNotFoundError(`State for unknown resource "${name}"`);
      return r;
    });
    targets.forEach((r) => r.loadState(states[r.name]));
  }

  toString(): string {
    return `${this.type}(${this.name})`;
  }
}

/** The options every resource JSON node carries, for a subclass factory to reuse. */
export function baseOptions(d: SerializedResource): ResourceOptions {
  return { name: d.name, sizeX: d.sizeX, sizeY: d.sizeY, sizeZ: d.sizeZ, category: d.category, model: d.model, rotation: d.rotation };
}

registerResourceType(Resource.type, (d) => new Resource(baseOptions(d)));
