import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineProtocol, describeProtocol, isProtocolDefinition, jsonSchemaOf, ProtocolDefinitionError } from './define.js';

const run = () => undefined;

function definitionError(spec: unknown): ProtocolDefinitionError {
  try {
    defineProtocol(spec as never);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolDefinitionError);
    return err as ProtocolDefinitionError;
  }
  throw new Error('defineProtocol accepted the spec');
}

describe('defineProtocol', () => {
  it('returns the spec checked, frozen and marked as a definition', () => {
    const def = defineProtocol({
      name: 'p1',
      version: '1.2.3-beta.1',
      description: 'd',
      tags: ['a'],
      parameters: z.object({ n: z.number().default(1) }),
      assets: { lh: { kind: 'machine', category: 'LiquidHandler' } },
      deckLayout: 'demo_layout',
      setupInstructions: 'load tips',
      run,
    });
    expect(def).toMatchObject({ name: 'p1', version: '1.2.3-beta.1', description: 'd', tags: ['a'], deckLayout: 'demo_layout', setupInstructions: ['load tips'], run });
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.assets)).toBe(true);
    expect(Object.isFrozen(def.tags)).toBe(true);
    expect(isProtocolDefinition(def)).toBe(true);
    expect(isProtocolDefinition({ ...def })).toBe(false);
    expect(isProtocolDefinition(null)).toBe(false);
    expect(def.parameters.parse({})).toEqual({ n: 1 });
  });

  it('defaults: no parameters (an empty object schema), no assets, no tags, no setup', () => {
    const def = defineProtocol({ name: 'bare', version: '0.0.1', run });
    expect(def.parameters.parse({})).toEqual({});
    expect(def.assets).toEqual({});
    expect(def.tags).toEqual([]);
    expect(def.setupInstructions).toEqual([]);
    expect('deckLayout' in def).toBe(false);
  });

  it('names the offending field of a bad spec', () => {
    const ok = { name: 'p', version: '1.0.0', run };
    const cases: Array<[unknown, string, RegExp]> = [
      [null, 'spec', /one object/],
      [{ ...ok, name: '1abc' }, 'name', /must start with a letter.*got "1abc"/],
      [{ ...ok, name: 'has space' }, 'name', /"has space"/],
      [{ ...ok, name: 'a'.repeat(101) }, 'name', /at most 100/],
      [{ ...ok, name: undefined }, 'name', /got undefined/],
      [{ ...ok, version: '1.0' }, 'version', /semantic version such as 1\.0\.0, got "1\.0"/],
      [{ ...ok, version: 1 }, 'version', /got 1/],
      [{ ...ok, description: 5 }, 'description', /must be a string/],
      [{ ...ok, category: {} }, 'category', /must be a string/],
      [{ ...ok, tags: ['a', ''] }, 'tags', /non-empty strings/],
      [{ ...ok, tags: 'a' }, 'tags', /array/],
      [{ ...ok, parameters: { volume: z.number() } }, 'parameters', /zod object schema/],
      [{ ...ok, parameters: z.number() }, 'parameters', /zod object schema/],
      [{ ...ok, assets: [] }, 'assets', /object of requirements/],
      [{ ...ok, assets: { lh: 'LiquidHandler' } }, 'assets.lh', /\{ kind, category/],
      [{ ...ok, assets: { lh: { kind: 'robot', category: 'LiquidHandler' } } }, 'assets.lh.kind', /"machine" or "resource", got "robot"/],
      [{ ...ok, assets: { p: { kind: 'resource', category: '' } } }, 'assets.p.category', /non-empty string/],
      [{ ...ok, assets: { p: { kind: 'resource', category: 'plate', model: 3 } } }, 'assets.p.model', /non-empty string/],
      [{ ...ok, assets: { p: { kind: 'resource', category: 'plate', optional: 'yes' } } }, 'assets.p.optional', /boolean/],
      [{ ...ok, deckLayout: 42 }, 'deckLayout', /layout name or a function/],
      [{ ...ok, setupInstructions: ['a', 1] }, 'setupInstructions', /string or an array of strings/],
      [{ ...ok, run: 'go' }, 'run', /must be a function/],
    ];
    for (const [spec, field, message] of cases) {
      const err = definitionError(spec);
      expect([field, err.field]).toEqual([field, field]);
      expect(err.message.startsWith(`${field}: `)).toBe(true);
      expect(err.message).toMatch(message);
      expect(err.name).toBe('ProtocolDefinitionError');
    }
  });

  it('accepts a deck-layout function', () => {
    const def = defineProtocol({ name: 'fn_layout', version: '1.0.0', deckLayout: (hw) => hw.STARletDeck(), run });
    expect(typeof def.deckLayout).toBe('function');
    expect(describeProtocol(def).deckLayout).toEqual({ kind: 'function' });
  });
});

describe('describeProtocol', () => {
  const def = defineProtocol({
    name: 'described',
    version: '2.0.0',
    category: 'qc',
    tags: ['x', 'y'],
    parameters: z.object({
      volume: z.number().positive().max(300).default(50).describe('µL per well'),
      plateName: z.string(),
      mode: z.enum(['fast', 'slow']).default('slow'),
      repeats: z.number().int().min(1).optional(),
    }),
    assets: { lh: { kind: 'machine', category: 'LiquidHandler', model: 'STARlet' }, tips: { kind: 'resource', category: 'tip_rack', optional: true } },
    setupInstructions: ['one', 'two'],
    run,
  });

  it('gives the metadata, with a JSON Schema of the parameters that shows the defaults', () => {
    const meta = describeProtocol(def);
    expect(meta).toMatchObject({
      name: 'described',
      version: '2.0.0',
      description: null,
      category: 'qc',
      tags: ['x', 'y'],
      deckLayout: null,
      setupInstructions: ['one', 'two'],
      assets: { lh: { kind: 'machine', category: 'LiquidHandler', model: 'STARlet' }, tips: { kind: 'resource', category: 'tip_rack', optional: true } },
    });
    const schema = meta.parametersSchema as { type: string; properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(schema.type).toBe('object');
    expect(schema.properties.volume).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 300, default: 50, description: 'µL per well' });
    expect(schema.properties.mode).toMatchObject({ enum: ['fast', 'slow'], default: 'slow' });
    expect(schema.properties.plateName).toEqual({ type: 'string' });
    expect(schema.properties.repeats).toMatchObject({ type: 'integer', minimum: 1 });
    // on the input side a field with a default may be left out: only plateName is required
    expect(schema.required).toEqual(['plateName']);
    expect(() => JSON.stringify(meta)).not.toThrow();
    // a copy: changing it does not change the definition
    meta.tags.push('z');
    (meta.assets.lh as { category: string }).category = 'changed';
    expect(def.tags).toEqual(['x', 'y']);
    expect(def.assets.lh.category).toBe('LiquidHandler');
  });

  it('jsonSchemaOf represents what JSON Schema cannot as "any" instead of failing', () => {
    const schema = jsonSchemaOf(z.object({ when: z.date().optional(), n: z.number().default(3) })) as { properties: Record<string, unknown> };
    expect(schema.properties.n).toEqual({ type: 'number', default: 3 });
    expect(schema.properties.when).toEqual({});
  });
});
