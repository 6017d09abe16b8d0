import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtocolSandbox } from './host.js';

const GOOD = `
import { defineProtocol, step, z } from '@praxis/protocol';
import { helper } from './lib/helper';
const inner = step('inner', async (x: number) => x * 2);
export default defineProtocol({
  name: 'good', version: '1.0.0', description: helper(), tags: ['a'],
  parameters: z.object({ n: z.number().int().min(1).max(5).default(2) }),
  async run({ parameters, state, output, requestInput }) {
    const answer = await requestInput({ prompt: 'Go?', fields: { go: z.boolean().default(true) } });
    for (let i = 0; i < parameters.n; i++) state.set('last', await inner(i));
    output('answer', answer.go);
  },
});
export const other = defineProtocol({ name: 'other', version: '0.1.0', async run() {} });
`;

describe('ProtocolSandbox', () => {
  let root: string;
  const sandbox = new ProtocolSandbox({ timeoutMs: 4000, memoryMb: 128 });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'praxis-sandbox-spec-'));
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'lib/helper.ts'), `export const helper = (): string => 'from helper';\n`);
    writeFileSync(join(root, 'good.ts'), GOOD);
    writeFileSync(join(root, 'syntax.ts'), `import { defineProtocol } from '@praxis/protocol';\n\nexport default defineProtocol({ name: 'x', version: '1.0.0' run() {} });\n`);
    writeFileSync(join(root, 'throws.ts'), `export {};\nfunction boom(): never { throw new Error('top-level failure'); }\nboom();\n`);
    writeFileSync(join(root, 'loops.ts'), `export {};\nwhile (true) {}\n`);
    writeFileSync(join(root, 'crash.ts'), `export {};\nprocess.exit(3);\n`);
    writeFileSync(join(root, 'plain.ts'), `export const notAProtocol = 1;\n`);
    writeFileSync(join(root, 'badspec.ts'), `import { defineProtocol } from '@praxis/protocol';\nexport default defineProtocol({ name: 'bad name!', version: '1', run() {} } as never);\n`);
    writeFileSync(join(root, 'stuck.ts'), `import { defineProtocol, step } from '@praxis/protocol';\nconst spin = step('spin', () => { for (;;) {} });\nexport default defineProtocol({ name: 'stuck', version: '1.0.0', async run() { spin(); } });\n`);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports each file: protocols with metadata, or one error per bad file, and goes on after hangs and crashes', async () => {
    const files = ['good.ts', 'syntax.ts', 'throws.ts', 'loops.ts', 'crash.ts', 'plain.ts', 'badspec.ts'];
    const reports = await sandbox.discover(root, files);
    expect(reports.map((r) => r.file)).toEqual(files);
    const [good, syntax, throws, loops, crash, plain, badspec] = reports;
    if (!good!.ok) throw new Error(JSON.stringify(good));
    expect(good!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(good!.protocols.map((p) => [p.exportName, p.metadata.name, p.metadata.version])).toEqual([
      ['default', 'good', '1.0.0'],
      ['other', 'other', '0.1.0'],
    ]);
    const meta = good!.protocols[0]!.metadata;
    expect(meta.description).toBe('from helper');
    expect(meta.parametersSchema).toMatchObject({ type: 'object', properties: { n: { type: 'integer', default: 2, minimum: 1, maximum: 5 } } });
    expect(syntax).toMatchObject({ ok: false, error: { file: 'syntax.ts', line: 3 } });
    expect(throws).toMatchObject({ ok: false, error: { file: 'throws.ts', line: 2 } });
    expect(!throws!.ok && throws!.error.message).toContain('top-level failure');
    expect(!loops!.ok && loops!.error.message).toMatch(/did not finish within 4000 ms/);
    expect(!crash!.ok && crash!.error.message).toMatch(/exit code 3/);
    expect(plain).toMatchObject({ ok: true, protocols: [] });
    expect(!badspec!.ok && badspec!.error.message).toMatch(/name: must start with a letter/);
  });

  it('hashes equal code equally wherever it lives', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'praxis-sandbox-copy-'));
    try {
      mkdirSync(join(copy, 'lib'));
      writeFileSync(join(copy, 'lib/helper.ts'), `export const helper = (): string => 'from helper';\n`);
      writeFileSync(join(copy, 'good.ts'), GOOD);
      const [a] = await sandbox.discover(root, ['good.ts']);
      const [b] = await sandbox.discover(copy, ['good.ts']);
      writeFileSync(join(copy, 'lib/helper.ts'), `export const helper = (): string => 'changed helper';\n`);
      const [c] = await sandbox.discover(copy, ['good.ts']);
      expect(a!.ok && b!.ok && a!.codeHash === b!.codeHash).toBe(true);
      expect(c!.ok && a!.ok && c!.codeHash !== a!.codeHash).toBe(true);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  const compiled = async (file: string) => {
    const [r] = await sandbox.discover(root, [file]);
    if (!r!.ok) throw new Error(JSON.stringify(r));
    return { root, file, code: r!.code, codeHash: r!.codeHash };
  };

  it('simulates a protocol: steps, prompts answered with defaults, outputs, state', async () => {
    const outcome = await sandbox.simulate({ type: 'simulate', ...(await compiled('good.ts')), exportName: 'default', parameters: { n: 3 }, deck: null, machines: {}, resources: {} });
    if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    const r = outcome.report;
    expect(r.passed).toBe(true);
    expect(r.steps.map((s) => [s.seq, s.parentSeq, s.name, s.status])).toEqual([
      [1, null, 'good', 'completed'],
      [2, 1, 'inner', 'completed'],
      [3, 1, 'inner', 'completed'],
      [4, 1, 'inner', 'completed'],
    ]);
    expect(r.inputs).toEqual([{ prompt: 'Go?', answer: { go: true } }]);
    expect(r.outputs).toEqual([{ name: 'answer', type: 'boolean', value: true, stepSeq: 1 }]);
    expect(r.finalState.run).toEqual({ last: 4 });
  });

  it('answers bad parameters with the field, and stops a protocol stuck in a loop', async () => {
    const good = await compiled('good.ts');
    const bad = await sandbox.simulate({ type: 'simulate', ...good, exportName: 'default', parameters: { n: 9 }, deck: null, machines: {}, resources: {} });
    expect(bad).toMatchObject({ ok: false, kind: 'parameters', issues: [{ field: 'n' }] });
    const tampered = await sandbox.simulate({ type: 'simulate', ...good, code: good.code.replace('from helper', 'tampered!!!'), exportName: 'default', parameters: {}, deck: null, machines: {}, resources: {} });
    expect(tampered).toMatchObject({ ok: false, kind: 'code-changed' });
    const stuck = await sandbox.simulate({ type: 'simulate', ...(await compiled('stuck.ts')), exportName: 'default', parameters: {}, deck: null, machines: {}, resources: {} }, 1500);
    if (!stuck.ok) throw new Error(JSON.stringify(stuck));
    expect(stuck.report.passed).toBe(false);
    expect(stuck.report.violations[0]).toMatchObject({ step: 'spin', error: { name: 'SimulationTimeout' } });
  });
});
