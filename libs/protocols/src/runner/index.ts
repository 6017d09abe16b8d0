// Real runs: one protocol per child process, its machines proxies whose hardware calls the worker
// executes on the live backend. Plain TypeScript, no Nest. See messages.ts for the IPC protocol.
export type {
  WireValue,
  WireCall,
  WireError,
  MachineView,
  WireResourceMove,
  CommandUpdate,
  CommandReply,
  MachineAssetSpec,
  ResourceAssetSpec,
  RunSpec,
  RunOutcome,
  InputIssue,
  InputAnswerResult,
  InputCloseReason,
  RunParentMessage,
  RunChildMessage,
} from './messages.js';
export { RunChild, WarmProcess, WarmRunProcesses, type RunHandlers, type RunChildOptions } from './host.js';
export { executeWireCall, failedCallUpdate, describeMachine, machineCategory, WireCallError, type ExecuteWireCallOptions } from './execute.js';
export { RunSetupError, MachineAccessError } from './remote.js';
