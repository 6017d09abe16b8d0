// The messages between the API (host) and the short-lived sandbox child that loads protocol code.
// Everything here crosses an IPC channel: plain JSON only.
import type { ProtocolMetadata } from '@praxis/protocol';
import type { ResourceStateMap, SerializedResource } from '@praxis/hardware';

export interface CodeLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface FileError extends CodeLocation {
  message: string;
}

export interface DiscoveredProtocol {
  /** Export that holds the definition (`default` for `export default defineProtocol(...)`). */
  exportName: string;
  metadata: ProtocolMetadata;
}

/** One file's discovery outcome: its protocols and the content hash of its compiled code, or an error. */
export type FileReport = { file: string; ok: true; codeHash: string; code: string; protocols: DiscoveredProtocol[] } | { file: string; ok: false; error: FileError };

export interface DiscoverJob {
  type: 'discover';
  /** Source root: imports and reported file names are relative to it. */
  root: string;
  files: string[];
}

export interface SimulationMachine {
  name: string;
  category: string;
  model?: string | null;
  config?: Record<string, unknown>;
}

export interface SimulateJob {
  type: 'simulate';
  /** Where the source was when compiled (error locations are reported relative to it). */
  root: string;
  file: string;
  exportName: string;
  /** The compiled module, as discovery produced it: the exact revision is what runs. */
  code: string;
  /** Checked against `code` before it is loaded. */
  codeHash: string;
  parameters: unknown;
  /** The deck to copy (serialized by the hardware library), with its tip/volume state. */
  deck: { layout: SerializedResource; state?: ResourceStateMap } | null;
  /** Requirement → machine to simulate; machine requirements not listed get a default simulator. */
  machines: Record<string, SimulationMachine>;
  /** Requirement → resource name on the deck; other resource requirements are matched by category. */
  resources: Record<string, string>;
  /** Liquid to assume loaded: resource name → µL in each of its containers (wells, troughs, tubes). */
  liquids?: Record<string, number>;
}

export interface Violation {
  step: string | null;
  stepSeq: number | null;
  command: string | null;
  error: { name: string; message: string };
  resource: string | null;
  channel: number | null;
}

export interface SimulatedStep {
  seq: number;
  parentSeq: number | null;
  name: string;
  status: string;
  durationMs: number | null;
  commandCount: number;
}

export interface SimulationReport {
  passed: boolean;
  violations: Violation[];
  commandCount: number;
  commands: Array<{ seq: number; machine: string; command: string; stepSeq: number | null; ok: boolean }>;
  steps: SimulatedStep[];
  estimatedDurationS: number;
  finalState: { deck: ResourceStateMap | null; run: Record<string, unknown> };
  outputs: Array<{ name: string; type: string; value: unknown; stepSeq: number | null }>;
  logs: Array<{ level: string; message: string; stepSeq: number | null }>;
  inputs: Array<{ prompt: string; answer: Record<string, unknown> }>;
  /** Requirement → what the simulation used for it. */
  assets: Record<string, string>;
}

export type ChildMessage =
  | { type: 'file-start'; file: string }
  | { type: 'file'; report: FileReport }
  | { type: 'step'; seq: number; name: string }
  | { type: 'simulated'; report: SimulationReport }
  | { type: 'job-error'; error: FileError & { kind: 'load' | 'parameters' | 'setup' | 'code-changed'; issues?: Array<{ field: string; message: string }> } }
  | { type: 'done' };
