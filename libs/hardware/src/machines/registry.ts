// The machine kinds the hardware library knows: category, maker, model, and the backends that can
// drive each, with the JSON Schema of each backend's connection config. The catalog sync writes
// these into the machine definitions table; the API validates machines' configs against them.

export type MachineCategory =
  | 'LiquidHandler'
  | 'PlateReader'
  | 'HeaterShaker'
  | 'Shaker'
  | 'Incubator'
  | 'Scale'
  | 'Pump'
  | 'Centrifuge'
  | 'Arm'
  | 'TemperatureController'
  | 'Thermocycler'
  | 'Sealer'
  | 'Other';

export const MACHINE_CATEGORIES: readonly MachineCategory[] = [
  'LiquidHandler',
  'PlateReader',
  'HeaterShaker',
  'Shaker',
  'Incubator',
  'Scale',
  'Pump',
  'Centrifuge',
  'Arm',
  'TemperatureController',
  'Thermocycler',
  'Sealer',
  'Other',
];

/** A JSON Schema (draft 2020-12 subset) for a backend's connection config. */
export type JsonSchema = Record<string, unknown>;

export interface BackendDefinition {
  /** Backend id stored on machines, e.g. `simulator`, `hamilton-star-usb`. */
  name: string;
  description: string;
  transport: 'none' | 'usb' | 'serial' | 'tcp';
  configSchema: JsonSchema;
}

export interface MachineKind {
  /** Unique name, e.g. `Hamilton STARlet`. */
  name: string;
  category: MachineCategory;
  manufacturer: string;
  model: string;
  description: string;
  /** Deck type name for machines with a deck (liquid handlers). */
  deckType?: string;
  backends: BackendDefinition[];
}

const obj = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

const serialPort: JsonSchema = { type: 'string', minLength: 1, description: 'Serial device path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/...' };

/** `mettler-sics-serial`: a Mettler Toledo balance speaking MT-SICS over RS-232. */
export const METTLER_SICS_CONFIG_SCHEMA: JsonSchema = obj(
  {
    port: serialPort,
    baudRate: { enum: [1200, 2400, 4800, 9600, 19200, 38400], default: 9600 },
    timeoutMs: { type: 'integer', minimum: 50, maximum: 60000, default: 2000 },
    stableTimeoutMs: { type: 'integer', minimum: 50, maximum: 600000, default: 10000 },
  },
  ['port'],
);

/** `qinstruments-bioshake-serial`: a Q.Instruments BioShake heater-shaker over RS-232. */
export const BIOSHAKE_CONFIG_SCHEMA: JsonSchema = obj(
  {
    port: serialPort,
    baudRate: { enum: [9600], default: 9600 },
    timeoutMs: { type: 'integer', minimum: 50, maximum: 60000, default: 5000 },
    homeOnSetup: { type: 'boolean', default: true },
    pollIntervalMs: { type: 'integer', minimum: 10, maximum: 60000, default: 1000 },
  },
  ['port'],
);

export const SIMULATOR_LIQUID_HANDLER: BackendDefinition = {
  name: 'simulator',
  description: 'No hardware: every physical rule enforced, optional time model',
  transport: 'none',
  configSchema: obj({
    numChannels: { type: 'integer', minimum: 1, maximum: 16, default: 8 },
    has96Head: { type: 'boolean', default: true },
    hasGripper: { type: 'boolean', default: true },
    timeModel: { type: 'boolean', default: false },
    realTimeSpeed: { type: 'number', exclusiveMinimum: 0, description: 'with timeModel: commands take their modelled time in real time, this many times faster (for demos)' },
  }),
};

const simulatorOnly = (description: string): BackendDefinition => ({
  name: 'simulator',
  description,
  transport: 'none',
  configSchema: obj({ timeModel: { type: 'boolean', default: true }, seed: { type: 'integer' } }),
});

const HAMILTON_USB: BackendDefinition = {
  name: 'hamilton-star-usb',
  description: 'Hamilton STAR / STARlet firmware over USB (vendor 0x08AF, product 0x8000)',
  transport: 'usb',
  configSchema: obj({
    serialNumber: { type: 'string', minLength: 1, description: 'USB serial number; the first STAR found when omitted' },
    readTimeoutMs: { type: 'integer', minimum: 100, maximum: 600000, default: 30000 },
    numChannels: { type: 'integer', minimum: 1, maximum: 16, default: 8 },
    gripper: { enum: ['iswap', 'core'], description: 'Plate gripper used by default: the iSWAP when there is one, else the CoRe gripper' },
    coreGripper: obj({
      frontChannel: { type: 'integer', minimum: 1, maximum: 15, description: 'Channel (0-based) carrying the front tool; the back tool goes on the one before (default: the last channel)' },
      gripStrength: { type: 'integer', minimum: 0, maximum: 99 },
      gripSpeed: { type: 'number', exclusiveMinimum: 0 },
      zSpeed: { type: 'number', exclusiveMinimum: 0 },
      returnTools: { type: 'boolean', default: true },
    }),
  }),
};

export const MACHINE_KINDS: readonly MachineKind[] = [
  {
    name: 'Hamilton STARlet',
    category: 'LiquidHandler',
    manufacturer: 'Hamilton',
    model: 'STARlet',
    description: 'Hamilton Microlab STARlet liquid handler, 32 rails',
    deckType: 'STARletDeck',
    backends: [SIMULATOR_LIQUID_HANDLER, HAMILTON_USB],
  },
  {
    name: 'Hamilton STAR',
    category: 'LiquidHandler',
    manufacturer: 'Hamilton',
    model: 'STAR',
    description: 'Hamilton Microlab STAR liquid handler, 56 rails',
    deckType: 'STARDeck',
    backends: [SIMULATOR_LIQUID_HANDLER, HAMILTON_USB],
  },
  {
    name: 'Opentrons OT-2',
    category: 'LiquidHandler',
    manufacturer: 'Opentrons',
    model: 'OT-2',
    description: 'Opentrons OT-2 liquid handler, 12 slots',
    deckType: 'OT2Deck',
    backends: [
      SIMULATOR_LIQUID_HANDLER,
      {
        name: 'opentrons-http',
        description: 'Opentrons robot server HTTP API',
        transport: 'tcp',
        configSchema: obj({ host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 1, maximum: 65535, default: 31950 } }, ['host']),
      },
    ],
  },
  {
    name: 'BMG CLARIOstar',
    category: 'PlateReader',
    manufacturer: 'BMG Labtech',
    model: 'CLARIOstar',
    description: 'Multimode plate reader: absorbance, fluorescence, luminescence',
    backends: [
      simulatorOnly('Simulated plate reader with a time model'),
      {
        name: 'bmg-clariostar-usb',
        description: 'CLARIOstar over its FTDI USB-serial interface',
        transport: 'serial',
        configSchema: obj({ port: serialPort, serialNumber: { type: 'string' } }, ['port']),
      },
    ],
  },
  {
    name: 'Inheco ThermoShake',
    category: 'HeaterShaker',
    manufacturer: 'Inheco',
    model: 'ThermoShake',
    description: 'Heater-shaker with plate lock',
    backends: [
      simulatorOnly('Simulated heater-shaker (first-order temperature model)'),
      {
        name: 'inheco-serial',
        description: 'Inheco devices over RS-232',
        transport: 'serial',
        configSchema: obj({ port: serialPort, baudRate: { enum: [19200], default: 19200 }, deviceId: { type: 'integer', minimum: 0, maximum: 5, default: 0 } }, ['port']),
      },
    ],
  },
  {
    name: 'Q.Instruments BioShake',
    category: 'HeaterShaker',
    manufacturer: 'Q.Instruments',
    model: 'BioShake 3000-T elm',
    description: 'Heater-shaker with ELM plate lock, RS-232 text protocol',
    backends: [
      simulatorOnly('Simulated heater-shaker (first-order temperature model)'),
      { name: 'qinstruments-bioshake-serial', description: 'Q.Instruments BioShake over RS-232 (9600 baud)', transport: 'serial', configSchema: BIOSHAKE_CONFIG_SCHEMA },
    ],
  },
  {
    name: 'Mettler Toledo WXS205SDU',
    category: 'Scale',
    manufacturer: 'Mettler Toledo',
    model: 'WXS205SDU',
    description: 'Weigh module, 220 g capacity, 0.01 mg readability',
    backends: [
      simulatorOnly('Simulated scale'),
      {
        name: 'mettler-sics-serial',
        description: 'Mettler Toledo MT-SICS over RS-232',
        transport: 'serial',
        configSchema: METTLER_SICS_CONFIG_SCHEMA,
      },
    ],
  },
];

export function getMachineKind(name: string): MachineKind {
  const k = MACHINE_KINDS.find((m) => m.name === name);
  if (!k) throw new Error(`Unknown machine kind "${name}" (known: ${MACHINE_KINDS.map((m) => m.name).join(', ')})`);
  return k;
}
