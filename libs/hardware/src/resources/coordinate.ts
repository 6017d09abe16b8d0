/** A point or offset in millimetres. x: left to right, y: front to back, z: bottom to top. */
export interface Coordinate {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export const ORIGIN: Coordinate = Object.freeze({ x: 0, y: 0, z: 0 });

export const coord = (x = 0, y = 0, z = 0): Coordinate => ({ x, y, z });

export const add = (a: Coordinate, b: Coordinate): Coordinate => ({ x: a.x + b.x, y: a.y + b.y, z: a.z + b.z });

export const sub = (a: Coordinate, b: Coordinate): Coordinate => ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z });

export const coordEquals = (a: Coordinate, b: Coordinate, eps = 1e-9): boolean =>
  Math.abs(a.x - b.x) <= eps && Math.abs(a.y - b.y) <= eps && Math.abs(a.z - b.z) <= eps;

/** Rotation in degrees about each axis. Placement math applies z (in the deck plane). */
export interface Rotation {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

export const NO_ROTATION: Rotation = Object.freeze({ x: 0, y: 0, z: 0 });

/** Rotates a vector about z by `deg` degrees (counter-clockwise seen from above). */
export function rotateZ(v: Coordinate, deg: number): Coordinate {
  const d = ((deg % 360) + 360) % 360;
  if (d === 0) return v;
  if (d === 90) return { x: -v.y, y: v.x, z: v.z };
  if (d === 180) return { x: -v.x, y: -v.y, z: v.z };
  if (d === 270) return { x: v.y, y: -v.x, z: v.z };
  const r = (d * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return { x: v.x * c - v.y * s, y: v.x * s + v.y * c, z: v.z };
}

export type XAnchor = 'l' | 'c' | 'r';
export type YAnchor = 'f' | 'c' | 'b';
export type ZAnchor = 'b' | 'c' | 't';
