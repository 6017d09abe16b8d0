// The sandbox child: a short-lived process that loads protocol code so the API never does. It
// takes one job over IPC (discover files, or simulate one protocol), answers, and exits. The
// host gives it a clean environment, a memory limit and a timeout, and kills it when done.
import * as hardware from '@praxis/hardware';
import * as kit from '@praxis/protocol';
import { describeProtocol, isProtocolDefinition, ParameterError } from '@praxis/protocol';
import * as zod from 'zod';
import { BundleError, bundleFile, errorLocation, hashCode, importBundle, removeBundles, shareModules } from './bundle.js';
import type { ChildMessage, DiscoveredProtocol, DiscoverJob, FileReport, SimulateJob } from './messages.js';
import { simulate, SimulationSetupError } from './simulate.js';

shareModules({ '@praxis/protocol': kit as Record<string, unknown>, '@praxis/hardware': hardware as Record<string, unknown>, zod: zod as Record<string, unknown> });
process.on('exit', removeBundles);

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function discover(job: DiscoverJob): Promise<void> {
  for (const file of job.files) {
    await send({ type: 'file-start', file });
    let report: FileReport;
    try {
      const bundle = await bundleFile(job.root, file);
      const mod = await importBundle(bundle);
      const protocols: DiscoveredProtocol[] = [];
      for (const [exportName, value] of Object.entries(mod)) {
        if (isProtocolDefinition(value) && !protocols.some((p) => p.metadata.name === value.name && p.metadata.version === value.version)) {
          protocols.push({ exportName, metadata: describeProtocol(value) });
        }
      }
      report = { file, ok: true, codeHash: bundle.codeHash, code: bundle.code, protocols };
    } catch (err) {
      report = { file, ok: false, error: err instanceof BundleError ? err.location : errorLocation(err, job.root, file) };
    }
    await send({ type: 'file', report });
  }
}

async function runSimulation(job: SimulateJob): Promise<void> {
  let def: kit.ProtocolDefinition;
  try {
    const bundle = { code: job.code, codeHash: hashCode(job.code) };
    if (bundle.codeHash !== job.codeHash) {
      await send({ type: 'job-error', error: { kind: 'code-changed', file: job.file, message: `the stored code of ${job.file} does not match its hash ${job.codeHash}` } });
      return;
    }
    const mod = await importBundle(bundle);
    const value = mod[job.exportName];
    if (!isProtocolDefinition(value)) throw new Error(`${job.file} has no protocol definition in export "${job.exportName}"`);
    def = value;
  } catch (err) {
    const error = err instanceof BundleError ? err.location : errorLocation(err, job.root, job.file);
    await send({ type: 'job-error', error: { kind: 'load', ...error } });
    return;
  }
  try {
    const report = await simulate(def, job, (s) => void send({ type: 'step', seq: s.seq, name: s.name }));
    await send({ type: 'simulated', report });
  } catch (err) {
    if (err instanceof ParameterError) {
      await send({ type: 'job-error', error: { kind: 'parameters', file: job.file, message: err.message, issues: err.issues } });
    } else if (err instanceof SimulationSetupError) {
      await send({ type: 'job-error', error: { kind: 'setup', file: job.file, message: err.message, issues: [{ field: err.field, message: err.message }] } });
    } else {
      await send({ type: 'job-error', error: { kind: 'setup', ...errorLocation(err, job.root, job.file) } });
    }
  }
}

process.once('message', (job: DiscoverJob | SimulateJob) => {
  const work = job.type === 'discover' ? discover(job) : runSimulation(job);
  work
    .catch((err: unknown) => send({ type: 'job-error', error: { kind: 'load', file: '', message: String((err as Error)?.stack ?? err) } }))
    .finally(() => send({ type: 'done' }).then(() => process.exit(0)));
});
