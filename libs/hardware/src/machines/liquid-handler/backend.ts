import type { Container } from '../../resources/container.js';
import type { MachineBackend } from '../machine.js';
import type {
  Drop,
  DropTipRack,
  MultiHeadAspiration,
  MultiHeadDispense,
  Pickup,
  PickupTipRack,
  ResourceDrop,
  ResourceMove,
  ResourcePickup,
  SingleChannelAspiration,
  SingleChannelDispense,
} from './standard.js';

/**
 * What a liquid handler backend implements: the simulator, and real devices (Hamilton STAR over
 * USB, ...). It receives resolved operations (resources, absolute positions, parameters) and either
 * does them or throws: a `ChannelizedError` when only some channels failed, anything else when the
 * whole command failed. It never updates trackers; the front end does, from the outcome.
 */
export interface LiquidHandlerBackend extends MachineBackend {
  /** Independent channels (pipetting arm). */
  readonly numChannels: number;
  /** Whether a 96-channel head is installed. */
  readonly has96Head: boolean;
  /** Whether a plate gripper (iSWAP, CoRe grippers, arm) is available. */
  readonly hasGripper: boolean;

  pickUpTips(ops: Pickup[], useChannels: number[]): Promise<void>;
  dropTips(ops: Drop[], useChannels: number[]): Promise<void>;
  aspirate(ops: SingleChannelAspiration[], useChannels: number[]): Promise<void>;
  dispense(ops: SingleChannelDispense[], useChannels: number[]): Promise<void>;

  pickUpTips96(op: PickupTipRack): Promise<void>;
  dropTips96(op: DropTipRack): Promise<void>;
  aspirate96(op: MultiHeadAspiration): Promise<void>;
  dispense96(op: MultiHeadDispense): Promise<void>;

  pickUpResource(op: ResourcePickup): Promise<void>;
  moveResource(op: ResourceMove): Promise<void>;
  dropResource(op: ResourceDrop): Promise<void>;

  /** Liquid was put into (or taken from) these containers by hand: a backend that keeps its own account of them re-reads it. */
  liquidChangedByHand?(containers: Container[]): void;
}
