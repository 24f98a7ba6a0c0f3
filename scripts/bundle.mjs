// Bundles the compiled server into one module: `npm start` then loads one file instead of
// hundreds, which is most of a cold start. Native and optional drivers stay outside.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/signoff.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Loaded only when used (PostgreSQL, issuing a certificate) or native.
  external: ['better-sqlite3', 'pg', 'pg-native', 'node-forge'],
  // Bundled CommonJS packages may call require() at run time.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
