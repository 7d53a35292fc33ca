// Keeps Dockerfile (Alpine) and Dockerfile.debian in step, and checks that scripts/image-check/
// (which performs the recipe in CI without Docker) reads them as written and refuses what would
// break the image. Fast: nothing is installed or built here; `npm run image:check` does that.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { missingContextSources, parseDockerignore } from '../../../scripts/image-check/context.js';
import {
  parseDockerfile,
  type ParsedInstruction,
  type ParsedStage,
} from '../../../scripts/image-check/dockerfile.js';
import { imageUserIds, writableVolumes } from '../../../scripts/image-check/image-user.js';
import {
  classifyCommand,
  imageNodeMajor,
  planImage,
  readPlan,
  withoutInit,
  type CopyStep,
  type Plan,
  type RunStep,
  type StagePlan,
} from '../../../scripts/image-check/plan.js';
import { splitCommands } from '../../../scripts/image-check/shell.js';
import { onLoopback } from '../../../scripts/image-check/watch-check.js';
import { defaultWrittenFolders } from './written-folders.js';

const ROOT = process.cwd();
/** The compiled entry of the image check (the test build compiles scripts/ too). */
const SCRIPT = join(ROOT, 'build', 'scripts', 'image-check', 'main.js');

const alpine = readPlan(join(ROOT, 'Dockerfile'));
const debian = readPlan(join(ROOT, 'Dockerfile.debian'));
const BOTH = [
  ['Dockerfile', alpine],
  ['Dockerfile.debian', debian],
] as const;

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  license: string;
  main: string;
  bin: Record<string, string>;
};

function buildStage(plan: Plan): StagePlan {
  const stage = plan.stages.find((candidate) => candidate.name === 'build');
  assert.ok(stage, `${plan.dockerfile}: no stage named "build"`);
  return stage;
}

function finalStage(plan: Plan): StagePlan {
  const stage = plan.stages[plan.stages.length - 1];
  assert.ok(stage);
  return stage;
}

function copies(stage: StagePlan): CopyStep[] {
  return stage.steps.filter((step): step is CopyStep => step.kind === 'copy');
}

function runs(stage: StagePlan): RunStep[] {
  return stage.steps.filter((step): step is RunStep => step.kind === 'run');
}

/** What a COPY step puts in the image, as `from:source -> destination` lines. */
function copyLines(stage: StagePlan): string[] {
  return copies(stage).flatMap((step) =>
    step.sources.map(
      (source) =>
        `${step.from ?? 'context'}:${source} -> ${step.destination}${step.destIsDir ? '/' : ''}`,
    ),
  );
}

const isInstall = (command: string): boolean => /^npm (ci|install|i)( |$)/.test(command);
const omitsDev = (command: string): boolean =>
  /^npm (prune|ci|install|i)\b.*--omit[= ]dev\b/.test(command);

describe('Dockerfile and Dockerfile.debian stay in step', () => {
  // Node 20 reached end of life on 2026-04-30: the images ship Node 24 (LTS), which CI also
  // tests (.ci/run) and the image recipe performs the steps with (imageNodeMajor).
  it('have a build stage and a final stage on the same Node 24 base image', () => {
    for (const [file, plan] of BOTH) {
      assert.equal(plan.stages.length, 2, `${file}: expected a build stage and a final stage`);
      for (const stage of plan.stages)
        assert.equal(
          stage.base,
          buildStage(plan).base,
          `${file}: node_modules must be built on the image it runs on`,
        );
    }
    assert.match(
      alpine.final.base,
      /^node:24(\.\d+){0,2}-alpine(\d+(\.\d+)*)?(@sha256:[0-9a-f]{64})?$/,
    );
    assert.match(debian.final.base, /^node:24(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    assert.equal(imageNodeMajor(alpine.final.base), 24);
    assert.equal(imageNodeMajor(debian.final.base), 24);
  });

  it('run the same npm commands in the same order in the build stage: ci, build, then drop the dev dependencies', () => {
    const commands = buildStage(alpine).npmCommands;
    assert.deepEqual(buildStage(debian).npmCommands, commands);
    const install = commands.findIndex(isInstall);
    const build = commands.indexOf('npm run build');
    const prune = commands.findIndex((command, index) => index > build && omitsDev(command));
    assert.ok(
      install >= 0 && !omitsDev(commands[install] ?? ''),
      `the build needs the dev dependencies: ${commands.join(' / ')}`,
    );
    assert.ok(build > install, `npm run build must follow the install: ${commands.join(' / ')}`);
    assert.ok(
      prune > build,
      `the dev dependencies must be dropped after the build: ${commands.join(' / ')}`,
    );
  });

  it('copy the same files into the build stage, and those files exist', () => {
    assert.deepEqual(copyLines(buildStage(debian)), copyLines(buildStage(alpine)));
    const sources = copies(buildStage(alpine)).flatMap((step) => step.sources);
    for (const source of sources)
      assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: not in the repository`);
    for (const needed of ['package.json', 'package-lock.json', 'src'])
      assert.ok(sources.includes(needed), `the build stage must COPY ${needed}`);
    // npm run build reads tsconfig.build.json, which extends another tsconfig: both must be there.
    const buildConfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      extends?: string;
    };
    assert.ok(sources.includes('tsconfig.build.json'));
    if (buildConfig.extends !== undefined)
      assert.ok(
        sources.includes(buildConfig.extends.replace(/^\.\//, '')),
        'COPY the tsconfig that tsconfig.build.json extends',
      );
    // ...and every script `npm run build` runs (the bundler, scripts/bundle.mjs).
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const buildScripts = [...(packageJson.scripts['build'] ?? '').matchAll(/node (\S+\.mjs)/g)];
    assert.ok(buildScripts.length > 0, 'npm run build runs the bundler');
    for (const [, script = ''] of buildScripts) {
      // The file itself, or the folder that holds it.
      const [folder = ''] = script.split('/');
      assert.ok(
        sources.includes(script) || sources.includes(folder),
        `COPY ${script}: npm run build runs it`,
      );
    }
  });

  it('ship only package.json, the production node_modules, dist/ and the example config/', () => {
    const expected = [
      'build:/app/package.json -> /app/',
      'build:/app/node_modules -> /app/node_modules',
      'build:/app/dist -> /app/dist',
      'context:config -> /app/config',
    ];
    assert.deepEqual(copyLines(finalStage(alpine)), expected);
    assert.deepEqual(copyLines(finalStage(debian)), expected);
  });

  it('run no install with dev dependencies in the final stage', () => {
    for (const [file, plan] of BOTH) {
      for (const command of finalStage(plan).npmCommands) {
        assert.ok(
          !isInstall(command) || omitsDev(command),
          `${file}: final stage runs "${command}"`,
        );
      }
    }
  });

  it('have the same ENTRYPOINT apart from the path of tini, and the same CMD', () => {
    const [alpineInit, ...alpineRest] = alpine.final.entrypoint ?? [];
    const [debianInit, ...debianRest] = debian.final.entrypoint ?? [];
    assert.equal(alpineInit, '/sbin/tini');
    assert.equal(debianInit, '/usr/bin/tini');
    assert.equal(alpineRest[0], '--', 'tini -- keeps the arguments away from tini');
    assert.deepEqual(debianRest, alpineRest);
    assert.deepEqual(alpine.final.command, ['node', packageJson.bin['reg-cleaner']]);
    assert.deepEqual(alpine.final.command, ['node', packageJson.main]);
    assert.deepEqual(alpine.final.cmd, [
      '--watch',
      '--http-logs',
      '--metrics-listen',
      '0.0.0.0:9464',
    ]);
    assert.deepEqual(debian.final.cmd, alpine.final.cmd);
  });

  it('install tini with the OS package manager', () => {
    assert.ok(
      runs(finalStage(alpine)).some((step) => /^apk add (.* )?tini( |$)/.test(step.command)),
      'Dockerfile: apk add --no-cache tini',
    );
    assert.ok(
      runs(finalStage(debian)).some((step) =>
        /^apt-get install (.* )?tini( |$)/.test(step.command),
      ),
      'Dockerfile.debian: apt-get install tini',
    );
  });

  it('have the same WORKDIR, VOLUMEs, USER and environment, and run as a non-root user', () => {
    for (const [file, plan] of BOTH) {
      assert.equal(plan.final.workdir, '/app', file);
      assert.deepEqual(plan.final.volumes, ['/app/cache', '/app/logs', '/app/reports'], file);
      assert.equal(plan.final.user, 'node', file);
      assert.equal(plan.final.env.NODE_ENV, 'production', file);
    }
    const user = alpine.final.user ?? 'root';
    assert.ok(!/^(root|0)(:|$)/.test(user), 'the image must not run as root');
    assert.deepEqual(debian.final.env, alpine.final.env);
  });

  // Issue 27: reports are on by default and went to /app/reports, which the image did not make
  // writable, so the default command exited 2. The defaults are read from the tool itself.
  it('declare a VOLUME for every folder the tool writes by default (state, logs, reports)', () => {
    for (const [file, plan] of BOTH) {
      const folders = defaultWrittenFolders(plan.final.workdir);
      assert.equal(folders.length, 3);
      assert.deepEqual([...plan.final.volumes].sort(), folders, file);
    }
  });

  it('create every VOLUME and hand it to the USER', () => {
    for (const [file, plan] of BOTH) {
      const steps = runs(finalStage(plan));
      for (const volume of plan.final.volumes) {
        assert.ok(
          steps.some((step) => step.action === 'mkdir' && step.paths.includes(volume)),
          `${file}: mkdir -p ${volume}`,
        );
        assert.ok(
          steps.some((step) =>
            new RegExp(`^chown (-R )?${plan.final.user ?? '?'}(:\\S+)? (.* )?${volume}( |$)`).test(
              step.command,
            ),
          ),
          `${file}: chown ${volume} to ${plan.final.user ?? '?'}`,
        );
      }
    }
  });

  it('check health through /healthz with a node probe on the port the command listens on', async () => {
    assert.deepEqual(debian.final.healthcheck, alpine.final.healthcheck);
    const check = alpine.final.healthcheck;
    assert.ok(check !== undefined && !check.none);
    const line = check.shell ?? '';
    const url = /'(http:\/\/127\.0\.0\.1:(\d+)\/healthz)'/.exec(line);
    assert.ok(url !== null && line.startsWith('node -e '), `a node probe of /healthz: ${line}`);
    const port = url[2] ?? '';
    assert.equal(
      alpine.final.cmd?.[alpine.final.cmd.indexOf('--metrics-listen') + 1],
      `0.0.0.0:${port}`,
    );
    for (const file of ['Dockerfile', 'Dockerfile.debian']) {
      assert.match(
        readFileSync(join(ROOT, file), 'utf8'),
        new RegExp(`^EXPOSE ${port}$`, 'm'),
        file,
      );
    }
    // The probe itself, against a local stand-in: 200 passes, 503 and no answer fail.
    let status = 200;
    const server = createServer((_request, response) => {
      response.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    const probe = line.replace(`127.0.0.1:${port}/`, `127.0.0.1:${String(address.port)}/`);
    const exitOf = (): Promise<number | null> =>
      new Promise((resolve) => {
        spawn('/bin/sh', ['-c', probe], { stdio: 'ignore' }).on('close', resolve);
      });
    try {
      assert.equal(await exitOf(), 0);
      status = 503;
      assert.equal(await exitOf(), 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(await exitOf(), 1, 'nothing listening');
    // The recipe's stop check runs the command and the probe on the loopback instead.
    const local = onLoopback(alpine.final.cmd ?? [], line, 40_123);
    assert.deepEqual(local.args.slice(-2), ['--metrics-listen', '127.0.0.1:40123']);
    assert.ok(local.health?.includes("'http://127.0.0.1:40123/healthz'"), local.health);
  });

  it('carry the same OCI labels, matching package.json and the base image', () => {
    assert.deepEqual(Object.keys(debian.final.labels), Object.keys(alpine.final.labels));
    for (const [file, plan] of BOTH) {
      assert.equal(plan.final.labels['org.opencontainers.image.title'], packageJson.name, file);
      assert.equal(
        plan.final.labels['org.opencontainers.image.licenses'],
        packageJson.license,
        file,
      );
      assert.equal(
        plan.final.labels['org.opencontainers.image.base.name'],
        `docker.io/library/${plan.final.base}`,
        file,
      );
    }
  });

  it('leave only OS package and ownership steps to Docker: the recipe performs every other step', () => {
    for (const [file, plan] of BOTH) {
      for (const stage of plan.stages) {
        for (const step of runs(stage)) {
          assert.notEqual(step.action, 'unsupported', `${file} line ${step.line}: ${step.command}`);
        }
      }
    }
  });
});

describe('.dockerignore', () => {
  const ignored = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));

  it('keeps local and generated folders out of the build context', () => {
    for (const path of [
      'node_modules',
      'node_modules/axios/package.json',
      'src/x/node_modules',
      'dist',
      'build',
      'cache',
      'logs',
      '.git',
    ]) {
      assert.ok(ignored(path), `${path} should be ignored`);
    }
  });

  it('keeps everything the Dockerfiles COPY from the context', () => {
    const sources = [alpine, debian].flatMap((plan) =>
      plan.stages.flatMap((stage) =>
        copies(stage)
          .filter((step) => step.from === undefined)
          .flatMap((step) => step.sources),
      ),
    );
    for (const source of [...new Set(sources), 'src/main.ts'])
      assert.ok(!ignored(source), `${source} is needed by a COPY`);
  });

  it('leaves the example config in the context, with files that a fresh clone has', () => {
    // git keeps no empty folders: an empty config/ would make `COPY config` fail in CI.
    const config = join(ROOT, 'config');
    assert.ok(existsSync(config) && statSync(config).isDirectory(), 'config/ is missing');
    const files = readdirSync(config).filter((name) => !ignored(`config/${name}`));
    assert.ok(files.length > 0, 'config/ holds no example files for the image');
  });
});

/** One instruction of a parsed stage, narrowed to its keyword. */
function instructionsOf<K extends ParsedInstruction['keyword']>(
  stage: ParsedStage,
  keyword: K,
): Extract<ParsedInstruction, { keyword: K }>[] {
  return stage.instructions.filter(
    (instruction): instruction is Extract<ParsedInstruction, { keyword: K }> =>
      instruction.keyword === keyword,
  );
}

describe('image check: reading a Dockerfile (dockerfile-ast)', () => {
  const FIXTURE = [
    '# syntax=docker/dockerfile:1',
    'ARG NODE=20',
    'FROM --platform=$BUILDPLATFORM node:${NODE}-alpine AS Build',
    'WORKDIR /src',
    'WORKDIR app',
    'ENV A=1 B="two words"',
    'ENV LEGACY some value',
    'COPY --chown=node:node package.json package-lock.json ./',
    'RUN npm ci \\',
    '  # a comment inside a continuation is dropped',
    '  && npm run build; npm prune --omit=dev',
    'RUN ["npm", "test"]',
    'FROM node:${NODE}-alpine',
    'ARG VERSION=dev',
    'LABEL version="${VERSION}" empty="${UNSET:-default}"',
    'WORKDIR $HOME_DIR',
    'COPY --from=build /src/app/dist ./dist',
    'VOLUME /data /logs',
    'HEALTHCHECK NONE',
    'ENTRYPOINT ["/sbin/tini", "--", "node", "main.js"]',
    'CMD node main.js --watch',
  ].join('\n');

  const parsed = parseDockerfile(FIXTURE);
  const [first, second] = parsed.stages;
  assert.ok(first !== undefined && second !== undefined, 'the fixture has two stages');

  it('reads stages, names and bases with ARG expansion', () => {
    assert.equal(first.name, 'build');
    assert.equal(first.base, 'node:20-alpine');
    assert.equal(first.platform, '$BUILDPLATFORM');
    assert.equal(second.base, 'node:20-alpine');
    assert.equal(second.name, undefined);
  });

  it('resolves WORKDIR and expands ENV, ARG and LABEL values', () => {
    assert.equal(first.workdir, '/src/app');
    assert.equal(second.workdir, '/', 'an unset variable expands to nothing');
    assert.deepEqual(
      instructionsOf(first, 'ENV').map((instruction) => instruction.env),
      [{ A: '1', B: 'two words' }, { LEGACY: 'some value' }],
    );
    assert.deepEqual(instructionsOf(second, 'LABEL')[0]?.labels, {
      version: 'dev',
      empty: 'default',
    });
  });

  it('reads COPY flags, sources and destinations', () => {
    const [copy] = instructionsOf(first, 'COPY');
    const [fromBuild] = instructionsOf(second, 'COPY');
    assert.ok(copy !== undefined && fromBuild !== undefined);
    assert.deepEqual(copy.flags, { chown: 'node:node' });
    assert.deepEqual(copy.sources, ['package.json', 'package-lock.json']);
    assert.equal(copy.destination, '/src/app');
    assert.ok(copy.destIsDir);
    assert.equal(fromBuild.from, 'build');
    assert.equal(fromBuild.destination, '/dist');
  });

  it('joins continued lines, drops comments and splits RUN into commands', () => {
    assert.deepEqual(
      instructionsOf(first, 'RUN').map((instruction) => instruction.commands),
      [['npm ci', 'npm run build', 'npm prune --omit=dev'], ['npm test']],
    );
    assert.deepEqual(splitCommands('echo "a && b" && npm ci'), ['echo "a && b"', 'npm ci']);
    assert.throws(() => splitCommands('npm ci || true'), /cannot reproduce/);
  });

  it('honours the escape directive, and refuses a RUN heredoc', () => {
    const backtick = parseDockerfile(
      ['# escape=`', 'FROM node:24', 'RUN npm ci `', '  && npm test'].join('\n'),
    );
    assert.deepEqual(
      backtick.stages[0] === undefined
        ? []
        : instructionsOf(backtick.stages[0], 'RUN').map((instruction) => instruction.commands),
      [['npm ci', 'npm test']],
    );
    assert.throws(
      () => parseDockerfile(['FROM node:24', 'RUN <<EOF', 'npm ci', 'EOF'].join('\n')),
      /line 2: RUN with a heredoc/,
    );
    assert.throws(() => parseDockerfile('RUN npm ci'), /RUN before the first FROM/);
  });

  it('reads exec and shell forms, VOLUME and HEALTHCHECK NONE', () => {
    const plan = planImage(parsed);
    assert.deepEqual(plan.final.entrypoint, ['/sbin/tini', '--', 'node', 'main.js']);
    assert.deepEqual(plan.final.command, ['node', 'main.js']);
    assert.deepEqual(plan.final.cmd, ['/bin/sh', '-c', 'node main.js --watch']);
    assert.deepEqual(plan.final.volumes, ['/data', '/logs']);
    assert.equal(plan.final.healthcheck?.none, true);
    assert.deepEqual(plan.stages[0]?.npmCommands, [
      'npm ci',
      'npm run build',
      'npm prune --omit=dev',
      'npm test',
    ]);
  });

  it('reads the Node major of a node base image', () => {
    assert.equal(imageNodeMajor('node:24-alpine'), 24);
    assert.equal(imageNodeMajor('node:24.11.1-bookworm-slim@sha256:' + 'a'.repeat(64)), 24);
    assert.equal(imageNodeMajor('docker.io/library/node:22'), 22);
    assert.equal(imageNodeMajor('debian:bookworm-slim'), undefined);
    assert.equal(imageNodeMajor('nodejs:24'), undefined);
  });

  it('knows the uid the image runs as, which it drops to with setpriv', () => {
    assert.deepEqual(imageUserIds(alpine.final), { uid: 1000, gid: 1000 });
    assert.deepEqual(imageUserIds(debian.final), { uid: 1000, gid: 1000 });
    assert.deepEqual(imageUserIds({ user: '1001:1002', base: 'debian:12' }), {
      uid: 1001,
      gid: 1002,
    });
    assert.throws(() => imageUserIds({ user: 'app', base: 'node:24-alpine' }), /unknown uid/);
    assert.throws(() => imageUserIds({ user: 'node', base: 'debian:12' }), /unknown uid/);
  });

  it('performs chown (on the VOLUMEs only) instead of skipping it', () => {
    assert.deepEqual(classifyCommand('chown -R node:node /app/cache logs'), {
      action: 'chown',
      owner: 'node:node',
      paths: ['/app/cache', 'logs'],
    });
    assert.equal(classifyCommand('chmod 0755 /app').action, 'skip');
    assert.equal(classifyCommand('curl -o x https://example.com').action, 'unsupported');
    // Performed without a shell: what a shell would interpret is refused, not passed on.
    assert.deepEqual(classifyCommand('npm pkg delete "scripts.prepare"'), {
      action: 'unsupported',
      why: 'quotes, variables, escapes and globs are not reproduced',
    });
    assert.equal(classifyCommand('rm -rf /var/lib/apt/lists/*').action, 'skip');
  });

  it('drops the init process from an ENTRYPOINT', () => {
    assert.deepEqual(withoutInit(['/usr/bin/tini', '--', 'node', 'dist/main.js']), [
      'node',
      'dist/main.js',
    ]);
    assert.deepEqual(withoutInit(['dumb-init', 'node', 'x.js']), ['node', 'x.js']);
    assert.deepEqual(withoutInit(['node', 'x.js']), ['node', 'x.js']);
  });

  it('matches .dockerignore patterns like Docker (@balena/dockerignore): folders, globs, **, negation', () => {
    const ignored = parseDockerignore('# comment\n/dist/\n*.log\n**/tmp\ndocs\n!docs/keep.md\n');
    assert.ok(ignored('dist/main.js'));
    assert.ok(ignored('app.log'));
    assert.ok(!ignored('logs/app.log'), '*.log matches at the top only');
    assert.ok(ignored('a/b/tmp/c'));
    assert.ok(ignored('docs/other.md'));
    assert.ok(!ignored('docs/keep.md'));
    assert.ok(!ignored('src/dist.ts'));
  });

  it('prints the same plan with --print-plan', () => {
    const result = spawnSync(process.execPath, [SCRIPT, 'Dockerfile.debian', '--print-plan'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as Plan;
    assert.equal(printed.dockerfile, 'Dockerfile.debian');
    assert.deepEqual(printed.stages, JSON.parse(JSON.stringify(debian.stages)) as unknown);
    assert.deepEqual(printed.final, JSON.parse(JSON.stringify(debian.final)) as unknown);
  });
});

// The broken images the check exists for, caught without building anything: the full
// `npm run image:check` fails the same way (see docs/deployment.md).
describe('image check: what it refuses', () => {
  const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const ignoreText = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
  const planOf = (text: string): Plan => ({
    dockerfile: 'Dockerfile',
    parsed: parseDockerfile(text),
    ...planImage(parseDockerfile(text)),
  });

  it('finds every COPY source of both Dockerfiles in the build context', () => {
    for (const [file, plan] of BOTH)
      assert.deepEqual(missingContextSources(plan, ROOT, parseDockerignore(ignoreText)), [], file);
  });

  it('fails before any npm step when .dockerignore excludes a file the image needs', () => {
    for (const needed of ['scripts/bundle.mjs', 'src', 'package-lock.json', 'config']) {
      const missing = missingContextSources(
        alpine,
        ROOT,
        parseDockerignore(`${ignoreText}\n${needed}\n`),
      );
      assert.equal(missing.length, 1, `${needed}: ${missing.join('; ')}`);
      assert.match(
        missing[0] ?? '',
        new RegExp(
          `^line \\d+: COPY source "${needed}" is not in the build context \\(missing, or excluded by \\.dockerignore\\)$`,
        ),
      );
    }
    // `scripts/*` alone (without the `!scripts/bundle.mjs` exception) drops the bundler.
    const withoutException = ignoreText.replace('!scripts/bundle.mjs', '');
    assert.deepEqual(
      missingContextSources(alpine, ROOT, parseDockerignore(withoutException)).map((line) =>
        line.replace(/^line \d+: /, ''),
      ),
      [
        'COPY source "scripts/bundle.mjs" is not in the build context (missing, or excluded by .dockerignore)',
      ],
    );
  });

  it('leaves a folder read-only for the USER when the Dockerfile drops it from VOLUME', () => {
    const chowned = (plan: Plan): { path: string; owner: string }[] =>
      runs(finalStage(plan)).flatMap((step) =>
        step.action === 'chown' ? step.paths.map((path) => ({ path, owner: step.owner })) : [],
      );
    const intact = writableVolumes(alpine.final, chowned(alpine));
    assert.deepEqual(intact.writable, ['/app/cache', '/app/logs', '/app/reports']);
    assert.deepEqual(intact.notes, []);
    // Issue 27 again: reports/ created and chowned, but no VOLUME: read-only under
    // readOnlyRootFilesystem, and the image's dry run then fails with EACCES.
    const dropped = planOf(
      dockerfileText.replace(
        'VOLUME ["/app/cache", "/app/logs", "/app/reports"]',
        'VOLUME ["/app/cache", "/app/logs"]',
      ),
    );
    assert.deepEqual(dropped.final.volumes, ['/app/cache', '/app/logs']);
    const result = writableVolumes(dropped.final, chowned(dropped));
    assert.deepEqual(result.writable, ['/app/cache', '/app/logs']);
    assert.deepEqual(result.notes, [
      '/app/reports: chown node:node but not a VOLUME: stays read-only (readOnlyRootFilesystem)',
    ]);
    // A VOLUME the Dockerfile forgets to chown stays root's.
    const unowned = writableVolumes(alpine.final, chowned(alpine).slice(1));
    assert.deepEqual(unowned.notes, [
      'VOLUME /app/cache is not handed to node: it stays read-only',
    ]);
  });
});
