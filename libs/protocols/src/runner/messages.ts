// The messages between a worker (parent) and the child process that runs one protocol for real.
// Everything here crosses an IPC channel with `serialization: 'json'`: plain JSON only.
//
// Sequence of a run:
//   child  → parent  { type: 'ready' }                        the child's modules are loaded
//   parent → child   { type: 'run', spec }                    the run to execute
//   child  → parent  step-started / step-ended / log / output / state      as the protocol goes
//   child  → parent  { type: 'command', id, machine, method, args, stepSeq } a hardware call
//   parent → child   { type: 'command-result', id, ok, result | error, update }
//   child  → parent  { type: 'input-request', request }      a prompt is open
//   parent → child   { type: 'input-answer', answerId, requestId, values }   raw operator answer
//   child  → parent  { type: 'input-checked', answerId, requestId, result }  accepted, or why not
//   child  → parent  { type: 'input-closed', requestId, reason }            no longer answerable
//   parent → child   { type: 'cancel', reason }               abort the run's signal
//   child  → parent  { type: 'outcome', outcome }             then the child exits
// The child queues its one-way messages and sends them with its next hardware call (or when its
// event loop turns) as one { type: 'batch', messages } message.
import type { ResourceStateMap, SerializedResource } from '@praxis/hardware';
import type { InputRequest, JsonValue, LogEntry, OutputRecord, StepEnd, StepStart } from '@praxis/protocol';

/** The argument of a run process started ahead of its run (WarmProcess): it warms up before it says ready. */
export const WARM_UP_ARG = '--warm-up';

/**
 * A value as it crosses the wire in a hardware call: JSON, where a resource is `{ $resource: name }`
 * (resolved by name in the deck of the side that reads it) and `undefined` inside an array or an
 * argument list is `{ $undefined: true }` (an `undefined` object property is left out).
 */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/** One hardware call from the protocol: `machine.method(...args)`, made in step `stepSeq`. */
export interface WireCall {
  machine: string;
  method: string;
  args: WireValue[];
  stepSeq: number | null;
}

/** What a machine front end looks like after a call, for the child's local copy of it. */
export interface MachineView {
  /** The values of the front end's getters (`setupFinished`, `grippedResource`, `isOpen`...), as wire values. */
  getters?: Record<string, WireValue>;
  /** A liquid handler's channels (tips and tip volumes): `serializeHeadState()`. */
  head?: Record<string, unknown>;
  /**
   * After a call: only the channels it changed, by group and index (`{ channels: { "0": state } }`,
   * as in `head`), to load over the child's current head state.
   */
  headPatch?: Record<string, Record<string, unknown>>;
}

/** A resource that changed place (a gripper move): its new parent and location. */
export interface WireResourceMove {
  resource: string;
  /** The new parent's name, or null when it left the deck. */
  parent: string | null;
  location: { x: number; y: number; z: number } | null;
}

/** What a hardware call changed, for the child to load into its copies. */
export interface CommandUpdate {
  /** Tracker state (tips, volumes) of every resource whose state the call changed. */
  states?: ResourceStateMap;
  /** The machine's front-end view after the call. */
  machine?: MachineView;
  /** Resources the call moved. */
  moves?: WireResourceMove[];
}

/** The worker's answer to a hardware call: the result and what changed. */
export interface CommandReply extends CommandUpdate {
  result?: WireValue;
}

/** An error as it crosses the wire: rebuilt on the other side as the class of the same name when known. */
export interface WireError {
  name: string;
  message: string;
  channels?: number[];
}

/** A machine reserved for the run, as the child builds its local front end. `describeMachine()` makes one from a live machine. */
export interface MachineAssetSpec {
  kind: 'machine';
  /** The machine's name: what hardware calls name. */
  name: string;
  /** `LiquidHandler`, `PlateReader`, `HeaterShaker`, `Scale`; any other category gets a plain front end. */
  category: string;
  /** What the local front end needs to look like the live one. */
  config?: {
    /** Liquid handlers (defaults 8, true, true). */
    numChannels?: number;
    has96Head?: boolean;
    hasGripper?: boolean;
    /** Plate readers and heater-shakers: their limits (`machine.limits`). */
    limits?: Record<string, number>;
  };
  /** The live front end's view when the run starts (tips on the channels...). */
  state?: MachineView;
}

export interface ResourceAssetSpec {
  kind: 'resource';
  /** A resource on the run's deck. */
  name: string;
}

/** Everything the child needs to run one protocol. */
export interface RunSpec {
  runId: string;
  /** The compiled protocol, as discovery stored it (a sandbox FileReport). */
  code: string;
  /** Checked against `code` before it is loaded. */
  codeHash: string;
  file: string;
  exportName: string;
  /** Where the source was when compiled (error locations are reported relative to it). */
  root?: string;
  /** Raw parameters: validated again in the child by the definition's schema. */
  parameters: unknown;
  /** The workcell's deck: the child builds its own copy. */
  deck: { layout: SerializedResource; state?: ResourceStateMap } | null;
  /** Requirement → what the run reserved for it. */
  assets: Record<string, MachineAssetSpec | ResourceAssetSpec>;
  initialState?: Record<string, JsonValue>;
}

export type RunOutcome =
  | { status: 'completed'; result: JsonValue; state: Record<string, JsonValue> }
  | { status: 'failed'; error: { name: string; message: string }; step: { seq: number; name: string } | null; state: Record<string, JsonValue> }
  | { status: 'cancelled'; reason?: string; state: Record<string, JsonValue> };

export type InputIssue = { field: string; message: string };

/** The answer to `RunChild.answerInput`. */
export type InputAnswerResult =
  | { ok: true; value: Record<string, JsonValue> }
  /** The values do not fit the prompt's fields (answer 400 naming them); the prompt stays open. */
  | { ok: false; reason: 'invalid'; issues: InputIssue[] }
  /** No open prompt has this id (answered already, timed out, run ended). */
  | { ok: false; reason: 'not-pending'; message: string };

/** Why a prompt closed. */
export type InputCloseReason = 'answered' | 'timed-out' | 'cancelled' | 'ended';

export type RunParentMessage =
  | { type: 'run'; spec: RunSpec }
  | { type: 'command-result'; id: number; ok: true; reply: CommandReply }
  | { type: 'command-result'; id: number; ok: false; error: WireError; update?: CommandUpdate }
  | { type: 'input-answer'; answerId: number; requestId: string; values: JsonValue }
  | { type: 'cancel'; reason?: string };

export type RunChildMessage =
  | { type: 'ready' }
  /** Sent every second while the child's event loop turns: its absence means the protocol is stuck. */
  | { type: 'alive' }
  | ({ type: 'command'; id: number } & WireCall)
  | { type: 'step-started'; step: StepStart }
  | { type: 'step-ended'; step: StepEnd }
  | { type: 'log'; entry: LogEntry }
  | { type: 'output'; output: OutputRecord }
  | { type: 'state'; key: string; deleted: boolean; value: JsonValue | null }
  | { type: 'input-request'; request: InputRequest }
  | { type: 'input-checked'; answerId: number; requestId: string; result: InputAnswerResult }
  | { type: 'input-closed'; requestId: string; reason: InputCloseReason }
  | { type: 'outcome'; outcome: RunOutcome }
  /** Several of the above, in order, in one IPC message (steps and state go out with the next call). */
  | { type: 'batch'; messages: RunChildMessage[] };
