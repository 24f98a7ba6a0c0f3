import { type Command, InvalidArgumentError } from 'commander';
import { withExample } from '../program.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return n;
}

/** `signoff serve`: the server itself, as `npm start` runs it. */
export function addServeCommand(program: Command): void {
  const serve = program.command('serve')
    .description('Serve the Graph and ARM APIs (HTTP and HTTPS) on an embedded SQLite store or PostgreSQL.')
    .option('--port <port>', 'HTTP port (env PORT, default 8080)', port)
    .option('--https-port <port>', 'HTTPS port (env HTTPS_PORT, default 8443)', port)
    .option('--no-https', 'serve HTTP only')
    .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where the SQLite store and TLS files live (env SIGNOFF_DATA_DIR, default ./.signoff)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (env SIGNOFF_DATABASE_URL)')
    .option('--tenant <file>', 'seed this tenant file instead of the demo tenant (env SIGNOFF_TENANT)')
    .option('--no-demo', 'start with an empty directory')
    .option('--cert <file>', 'your own TLS certificate (PEM) instead of the local CA')
    .option('--key <file>', 'the private key (PEM) for --cert')
    .action(async (opts) => {
      // Loaded here so that the other commands start without the server's modules.
      const [{ loadConfig }, { startSignoff }] = await Promise.all([import('../../config.js'), import('../../runtime.js')]);
      const config = loadConfig(process.env, {
        port: opts.port, httpsPort: opts.https === false ? null : opts.httpsPort, host: opts.host, dataDir: opts.dataDir,
        databaseUrl: opts.databaseUrl, demo: opts.demo === false ? false : undefined, tenantFile: opts.tenant, cert: opts.cert, key: opts.key,
      });
      const running = await startSignoff(config);
      const lines = [
        '',
        `Signoff is serving ${running.seeded ? '(demo tenant seeded) ' : ''}with data in ${config.databaseUrl ? 'PostgreSQL' : config.dataDir}`,
        `  HTTP   ${running.httpUrl}`,
        ...(running.httpsUrl ? [`  HTTPS  ${running.httpsUrl}`] : []),
        ...(running.tls?.caFile ? [`  CA     ${running.tls.caFile}`, `         trust it in Node.js clients: export NODE_EXTRA_CA_CERTS=${running.tls.caFile}`] : []),
        ...(running.devMode ? [
          '',
          'Get a token (dev mode):',
          `  signoff login --user alice@contoso.com --server ${running.httpUrl}`,
          `  curl -s -X POST ${running.httpUrl}/dev/token -H 'content-type: application/json' -d '{"username":"alice@contoso.com"}'`,
        ] : []),
        '',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      const shutdown = async () => {
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
  withExample(serve, 'signoff serve --port 9090 --data-dir /tmp/signoff', 'signoff serve --no-demo --database-url postgres://signoff@db/signoff');
}
