import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Api } from './http.js';
import { type TestServer, type TestServerOptions, startTestServer } from './test-server.js';

export interface ServerFixture {
  readonly server: TestServer;
  readonly api: Api;
}

/**
 * A test server for the enclosing describe block (or file), with an `Api` on it: started in a
 * beforeAll and destroyed in an afterAll registered where this is called. Vitest runs before-hooks
 * in the order they were registered and after-hooks in reverse, so something a beforeAll above
 * this starts is up before the server starts and still up while it is destroyed. Pass `options`
 * as a function when they name something such a hook made. `perTest` gives every test a fresh
 * server instead (beforeEach / afterEach).
 */
export function useTestServer(options: TestServerOptions | (() => TestServerOptions) = {}, { perTest = false } = {}): ServerFixture {
  let server: TestServer | undefined;
  let api: Api | undefined;
  (perTest ? beforeEach : beforeAll)(async () => {
    server = await startTestServer(typeof options === 'function' ? options() : options);
    api = new Api(server.url);
  });
  (perTest ? afterEach : afterAll)(async () => server?.destroy());
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The test server starts in a hook: use it inside a hook or a test');
    return value;
  };
  return {
    get server() { return started(server); },
    get api() { return started(api); },
  };
}
