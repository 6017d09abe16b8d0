export { StarBackend, createStarBackend, type CoreGripperOptions, type StarBackendOptions, type StarConnectionConfig, type StarGripper } from './backend.js';
export {
  coreGrippersRack,
  HamiltonCoreGrippers,
  placeCoreGrippers,
  type CoreGripperRackKind,
  type CoreToolPositions,
  type HamiltonCoreGrippersOptions,
} from './core-grippers.js';
export { StarConnection, type StarConnectionOptions, type SendOptions } from './connection.js';
export {
  assembleCommand,
  channelLayout,
  decodeErrors,
  errorForReply,
  parseReply,
  replyId,
  StarFirmwareError,
  StarReplyFormatError,
  StarTimeoutError,
  trackerErrorFor,
  type ChannelLayout,
  type FwParams,
  type FwValue,
  type ParsedReply,
  type StarErrorEntry,
} from './firmware.js';
export { DEFAULT_LIQUID_CLASS, liquidClass, type LiquidClass } from './liquid-class.js';
export { parseCommand, StarFirmwareSimulator, type StarFault, type StarFirmwareSimulatorOptions, type ReceivedCommand } from './simulator.js';
export { createTransportPair, InMemoryTransport, type Transport } from './transport.js';
export { HAMILTON_VENDOR_ID, STAR_PRODUCT_ID, UsbDeviceNotFoundError, UsbTransport, type UsbDeviceLike, type UsbEndpointLike, type UsbTransportOptions } from './usb-transport.js';
