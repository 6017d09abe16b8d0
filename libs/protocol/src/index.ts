// @praxis/protocol: what protocol authors import. Plain TypeScript, no server needed: a protocol
// defined here runs on the hardware library's simulator in a unit test exactly as in Praxis.
export { z } from 'zod';
export { defineProtocol, isProtocolDefinition, describeProtocol, jsonSchemaOf, ProtocolDefinitionError, NAME_PATTERN, VERSION_PATTERN } from './define.js';
export type { AssetRequirement, AssetFor, AssetsFor, DeckLayoutBuilder, ProtocolDefinition, ProtocolMetadata, ProtocolSpec, ParametersSchema } from './define.js';
export { step, RunCancelledError } from './step.js';
export { executeProtocol, parseParameters, failedStep, zodIssues, InputTimeoutError, ParameterError, MissingAssetError } from './context.js';
export type { RunContext, Logger, InputFields, InputOptions, OutputOptions, ExecuteOptions, ExecuteResult } from './context.js';
export { RunState, stateAccess } from './state.js';
export type { StateAccess, StateListener } from './state.js';
export { assertJson, toLoggable, NotJsonError } from './json.js';
export type { JsonValue } from './json.js';
export type { RunHooks, StepStart, StepEnd, StepStatus, LogEntry, LogLevel, OutputRecord, InputRequest, InputValidation } from './runtime.js';
export { runProtocol, RunRecorder } from './local.js';
export { currentStepSeq } from './runtime.js';
export type { LocalRunOptions, LocalRun } from './local.js';
