import type { Coordinate } from '../../resources/coordinate.js';
import type { Container } from '../../resources/container.js';
import type { Resource } from '../../resources/resource.js';
import type { Tip } from '../../resources/tip.js';
import type { TipRack, TipSpot } from '../../resources/tip-rack.js';
import type { Trash } from '../../resources/carrier.js';

/** The operations a liquid handler backend receives: resources, absolute positions and parameters. */

export interface Mix {
  /** Volume per mix cycle (µL). */
  volume: number;
  repetitions: number;
  /** µL/s; the backend's default when omitted. */
  flowRate?: number;
}

export interface Pickup {
  resource: TipSpot;
  tip: Tip;
  offset: Coordinate;
  /** Absolute position: the spot's center-center-bottom plus the offset. */
  location: Coordinate;
}

export interface Drop {
  resource: TipSpot | Trash;
  /** The tip being dropped (null when tip tracking is off and the channel's tip is unknown). */
  tip: Tip | null;
  offset: Coordinate;
  location: Coordinate;
}

export interface SingleChannelAspiration {
  resource: Container;
  volume: number;
  tip: Tip | null;
  offset: Coordinate;
  /** Absolute position: the container's center-center-bottom plus the offset. */
  location: Coordinate;
  flowRate?: number;
  /** Height of the liquid surface above the container bottom (mm), when known. */
  liquidHeight?: number;
  blowOutAirVolume?: number;
  mix?: Mix;
}

export type SingleChannelDispense = SingleChannelAspiration;

export interface PickupTipRack {
  resource: TipRack;
  offset: Coordinate;
  /** Absolute position of the rack's A1 spot center-bottom plus the offset. */
  location: Coordinate;
}

export interface DropTipRack {
  resource: TipRack | Trash;
  offset: Coordinate;
  location: Coordinate;
}

export interface MultiHeadAspiration {
  /** 96 wells in head order (A1..H12, column-major), or one container for all channels. */
  wells: Container[] | null;
  container: Container | null;
  /** Volume per channel (µL). */
  volume: number;
  offset: Coordinate;
  location: Coordinate;
  flowRate?: number;
  liquidHeight?: number;
  blowOutAirVolume?: number;
  mix?: Mix;
}

export type MultiHeadDispense = MultiHeadAspiration;

export type GripDirection = 'front' | 'back' | 'left' | 'right';

export interface ResourcePickup {
  resource: Resource;
  offset: Coordinate;
  /** Grip this far below the resource's top (mm). */
  pickupDistanceFromTop: number;
  direction: GripDirection;
  /** Absolute center-center-top of the resource plus the offset. */
  location: Coordinate;
  /** Which of the machine's grippers to use (e.g. `iswap` or `core` on a STAR); the backend's default when absent. */
  gripper?: string;
}

export interface ResourceMove {
  resource: Resource;
  /** Absolute position the resource's origin moves to. */
  location: Coordinate;
  gripperVelocity?: number;
}

export interface ResourceDrop {
  resource: Resource;
  /** Absolute position of the resource's origin once put down. */
  destination: Coordinate;
  /** Where it ends up in the tree, when known. */
  destinationResource: Resource | null;
  offset: Coordinate;
  direction: GripDirection;
}
