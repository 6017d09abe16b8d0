import type { ProtocolDefinition } from './define.js';
import { executeProtocol, ParameterError } from './context.js';
import type { JsonValue } from './json.js';
import type { InputRequest, InputValidation, LogEntry, OutputRecord, RunHooks, StepEnd, StepStart } from './runtime.js';

/** One step call as recorded by `runProtocol`: its start and (once finished) its end. */
export type RecordedStep = StepStart & Partial<Omit<StepEnd, 'seq' | 'name'>>;

export interface LocalRunOptions {
  parameters?: unknown;
  assets: Record<string, unknown>;
  /**
   * Answers to `requestInput`: a function of the request (it may return a promise), or values used in order. With none,
   * each prompt takes its fields' defaults (an error when a field has no default).
   */
  answers?: ((request: InputRequest) => unknown) | unknown[];
  signal?: AbortSignal;
  initialState?: Record<string, JsonValue>;
  /** Print log lines to the console (default false). */
  echo?: boolean;
}

export interface LocalRun {
  result: JsonValue;
  state: Record<string, JsonValue>;
  steps: RecordedStep[];
  logs: LogEntry[];
  outputs: OutputRecord[];
  inputs: Array<{ request: InputRequest; answer: Record<string, JsonValue> }>;
}

/** A RunHooks that keeps everything in memory and answers prompts from given values or defaults. */
export class RunRecorder implements RunHooks {
  readonly steps: RecordedStep[] = [];
  readonly logs: LogEntry[] = [];
  readonly outputs: OutputRecord[] = [];
  readonly inputs: Array<{ request: InputRequest; answer: Record<string, JsonValue> }> = [];
  private answered = 0;

  constructor(private readonly answers?: LocalRunOptions['answers'], private readonly echo = false) {}

  stepStarted(step: StepStart): void {
    this.steps.push({ ...step });
  }

  stepEnded(end: StepEnd): void {
    const s = this.steps.find((x) => x.seq === end.seq);
    if (s) Object.assign(s, end);
  }

  log(entry: LogEntry): void {
    this.logs.push(entry);
    if (this.echo) console.log(`[${entry.level}] ${entry.message}`, entry.data ?? '');
  }

  output(output: OutputRecord): void {
    this.outputs.push(output);
  }

  async requestInput(request: InputRequest, validate: (values: unknown) => InputValidation): Promise<Record<string, JsonValue>> {
    // A function may answer asynchronously (like an operator would).
    const raw: unknown = await (typeof this.answers === 'function' ? this.answers(request) : Array.isArray(this.answers) ? this.answers[this.answered++] : undefined);
    const checked = validate(raw ?? {});
    if (!checked.ok) {
      const why = raw === undefined ? 'the fields have no defaults for: ' : 'the answer is invalid: ';
      throw new ParameterError(checked.issues.map((i) => ({ field: i.field, message: `${why}${i.message}` })));
    }
    this.inputs.push({ request, answer: checked.value });
    return checked.value;
  }
}

/**
 * Runs a protocol in this process with in-memory state: for unit tests of protocols on the
 * simulator, with no server. Steps, logs, outputs and prompts are recorded and returned.
 */
export async function runProtocol(def: ProtocolDefinition, opts: LocalRunOptions): Promise<LocalRun> {
  const recorder = new RunRecorder(opts.answers, opts.echo);
  const { result, state } = await executeProtocol(def, {
    parameters: opts.parameters,
    assets: opts.assets,
    hooks: recorder,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.initialState ? { initialState: opts.initialState } : {}),
  });
  return { result, state, steps: recorder.steps, logs: recorder.logs, outputs: recorder.outputs, inputs: recorder.inputs };
}
