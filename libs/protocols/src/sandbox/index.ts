export * from './messages.js';
export { ProtocolSandbox, type SandboxLimits, type SimulationOutcome } from './host.js';
