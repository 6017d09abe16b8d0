// @praxis/client: the typed Praxis API client. Everything under ./generated is produced from the
// committed openapi.json by `npm run sdk` (never edit it by hand); this file adds only `connect`.
import { createClient, createConfig, type Client } from './generated/client/index.js';
import { login } from './generated/sdk.gen.js';

export * from './generated/index.js';
export { createClient, createConfig, type Client } from './generated/client/index.js';

export interface ConnectOptions {
  /** Where Praxis answers, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** A bearer token you already hold (from Praxis or your identity provider)... */
  token?: string;
  /** ...or a Praxis account to log in with. */
  username?: string;
  password?: string;
  /** Throw the error envelope instead of answering `{ error }` (default false). */
  throwOnError?: boolean;
  fetch?: typeof fetch;
}

/**
 * A client bound to one Praxis server and one identity: pass it as `client` to any operation,
 * e.g. `await startRun({ client, body: { protocolId } })`.
 */
export async function connect(opts: ConnectOptions): Promise<Client> {
  let token = opts.token;
  const client = createClient(
    createConfig({ baseUrl: opts.baseUrl, throwOnError: opts.throwOnError ?? false, auth: () => token, ...(opts.fetch ? { fetch: opts.fetch } : {}) }),
  );
  if (!token) {
    if (!opts.username || !opts.password) throw new Error('connect: give a token, or a username and password');
    const res = await login({ client, body: { username: opts.username, password: opts.password } });
    if (!res.data) throw new Error(`connect: login failed (${res.response?.status ?? "no answer"}): ${JSON.stringify(res.error)}`);
    token = res.data.accessToken;
  }
  return client;
}
