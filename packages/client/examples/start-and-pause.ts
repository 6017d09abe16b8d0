// The README's client example, type-checked with the rest of the project:
//   node --import @swc-node/register/esm-register packages/client/examples/start-and-pause.ts
// (PRAXIS_URL, PRAXIS_USER, PRAXIS_PASSWORD; a running Praxis with the demo, e.g. `npm start`).
import { connect, listProtocolDefinitions, startRun, pauseRun, listRunCommands } from '@praxis/client';

const client = await connect({ baseUrl: process.env.PRAXIS_URL ?? 'http://localhost:3000', username: process.env.PRAXIS_USER ?? 'admin', password: process.env.PRAXIS_PASSWORD ?? '' });
const defs = await listProtocolDefinitions({ client, query: { name: 'plate_replication', current: true } });
const run = await startRun({ client, body: { protocolId: defs.data!.items[0]!.id, parameters: { volume: 20 } } });
if (run.error) throw new Error(`${run.error.error.code}: ${run.error.error.message}`);
await pauseRun({ client, path: { id: run.data!.id }, body: { reason: 'checking the plate' } });
const commands = await listRunCommands({ client, path: { id: run.data!.id }, query: { limit: 100 } });
console.log(`run ${run.data!.id}: ${commands.data!.items.length} commands so far`);
