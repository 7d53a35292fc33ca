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
import { readFile } from 'node:fs/promises';
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

/**
 * axios' Node build probes the fetch API when it is loaded (`getFetch()` at the top level builds
 * a Request with a ReadableStream body to see what the runtime supports) and reads
 * `globalThis.FormData`: either makes Node load its bundled undici and the web streams, about
 * 20-40 ms of CPU before the first request of every run (issue 25), for an adapter reg-cleaner
 * never selects (it uses axios' `http` adapter; the fetch adapter is still found on demand) and
 * multipart bodies it never sends (a native FormData is still recognised by its tag). Both
 * lines are edited out of the bundled copy; if an axios upgrade changes them, the build fails
 * here rather than silently loading undici again.
 */
const AXIOS_EAGER_PROBES = [
  { find: /^getFetch\(\);$/m, replace: '' },
  {
    find: /^const FormDataCtor = typeof G\.FormData !== 'undefined' \? G\.FormData : undefined;$/m,
    replace: 'const FormDataCtor = undefined;',
  },
];
const withoutEagerFetchProbe = {
  name: 'without-eager-fetch-probe',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]axios[\\/]dist[\\/]node[\\/]axios\.cjs$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const { find, replace } of AXIOS_EAGER_PROBES) {
        if (!find.test(contents)) {
          throw new Error(`${args.path}: ${String(find)} not found (see scripts/bundle.mjs)`);
        }
        contents = contents.replace(find, replace);
      }
      return { contents, loader: 'js' };
    });
  },
};
/**
 * axios requires `http2` when it is loaded, for a transport reg-cleaner never asks for
 * (`httpVersion: 2`); Node's http2 module costs 5-10 ms to compile at every start. axios gets a
 * stand-in that loads the real module the first time one of its members is read.
 */
const lazyHttp2 = {
  name: 'lazy-http2',
  setup(builder) {
    builder.onResolve({ filter: /^http2$/ }, (args) =>
      /[\\/]axios[\\/]/.test(args.importer) ? { path: 'http2', namespace: 'lazy' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents:
        'let real; const load = () => (real ??= require("node:http2")); ' +
        'module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
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
  plugins: [withoutFormData, withoutEagerFetchProbe, lazyHttp2],
  logLevel: 'warning',
});
if (result.metafile !== undefined) {
  writeFileSync(`${outdir}/meta.json`, JSON.stringify(result.metafile));
}

function valueOf(name) {
  const index = args.indexOf(name);
  return index < 0 ? undefined : args[index + 1];
}
