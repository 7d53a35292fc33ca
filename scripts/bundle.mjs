#!/usr/bin/env node
// Builds dist/: src/main.ts and everything it imports (our modules and the libraries) bundled
// by esbuild into a few ES module files, split where main.ts imports lazily, so `--help` still
// loads only the command-line parser.
//
// Why a bundle (issue 9): started from tsc's output, a run spent about 0.5 s of CPU before its
// first request resolving, reading and linking some 400 module files (ours, inversify, joi,
// yaml, log4js, axios); the registry waits all that time. The bundled start-up is under half
// of it. Types are checked by tsc (`npm run build` runs it first, `npm run typecheck`); the
// unit and integration tests run tsc's output of src/ in build/, the end-to-end tests this
// bundle.
//
//   node scripts/bundle.mjs [--outdir dist] [--metafile]
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const args = process.argv.slice(2);

/**
 * axios' Node build imports the `form-data` package (with mime-types' 200 KB database and
 * half a dozen helpers: a third of the chunk every run loads before its first request) only to
 * send multipart bodies, which reg-cleaner never does: the registry, the token endpoints and
 * the webhooks get JSON or nothing. A class that refuses to be built stands in for it; were a
 * multipart body ever sent, the error says why instead of a request going out half-formed.
 */
const withoutFormData = {
  name: 'without-form-data',
  setup(builder) {
    builder.onResolve({ filter: /^form-data$/ }, () => ({ path: 'form-data', namespace: 'stub' }));
    builder.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents:
        'module.exports = class FormDataNotBundled { constructor() { ' +
        "throw new Error('multipart form data is not bundled in reg-cleaner (scripts/bundle.mjs)'); } };",
      loader: 'js',
    }));
  },
};
const outdir = valueOf('--outdir') ?? 'dist';

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: ['src/main.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  // Not minified: a stack trace in a bug report keeps our function names. No keepNames: it
  // wraps every function created at run time (closures in axios' request path too) in a
  // defineProperty call, 4% of a warm run's CPU. Only names clashing between modules are
  // renamed (`Foo2`); the class names our logs print are unique.
  // A library bundled from CommonJS calls require() for Node's own modules; an ES module has
  // no require, so each output file gets one.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  // The packages loaded with createRequire on first use (cron-parser, cli-progress,
  // Bottleneck) stay in node_modules: only watch mode, a progress bar or a rate ceiling needs
  // them.
  metafile: args.includes('--metafile'),
  plugins: [withoutFormData],
  logLevel: 'warning',
});
if (result.metafile !== undefined) {
  writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
}

function valueOf(name) {
  const index = args.indexOf(name);
  return index < 0 ? undefined : args[index + 1];
}
