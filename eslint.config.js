// Lint enforces the hexagonal layering: each folder may import only from the layers inside it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { readdirSync } from 'node:fs';

const outerLayers = (...names) =>
  names.map((name) => ({
    group: [`**/${name}/**`, `**/${name}`, `../${name}/*`, `../../${name}/*`],
    message: `This layer must not depend on ${name}/ (dependencies point inward: domain <- application <- adapters <- main/container).`,
  }));

const libraries = [
  'axios',
  'bottleneck',
  'https-proxy-agent',
  'inversify',
  'joi',
  'log4js',
  'node-schedule',
  'cron-parser',
  'reflect-metadata',
  'yaml',
  'commander',
  'prom-client',
  'cli-progress',
  'nodemailer',
  'semver',
];

// The composition root: the only files that may hold the container or ask it for objects.
const compositionRoot = ['src/main.ts', 'src/container.ts', 'src/composition/**/*.ts'];
const containerOutsideRoot = {
  paths: [
    {
      name: 'inversify',
      importNames: ['Container', 'ContainerModule'],
      message:
        'Only the composition root (container.ts, src/composition/) holds the container; take what you need by @inject.',
    },
  ],
  syntax: {
    selector:
      'MemberExpression[object.name=/[cC]ontainer$/][property.name=/^(get|getAll|getAsync|getAllAsync)$/]',
    message: 'Only main.ts asks the container for objects; take what you need by @inject.',
  },
  pattern: { group: ['**/container*', '**/main*'], message: 'Only main.ts uses the container.' },
};

// The bundle ships src/ alone: nothing in it may import the test kit, the tests or the benchmark.
const shipsAlone = {
  group: ['**/testkit/**', '**/test/**', '**/bench/**'],
  message: 'src/ ships alone (the bundle): it never imports testkit/, test/ or bench/.',
};

/**
 * Adapters are plugins (architecture.md): a folder of src/adapters/ imports the domain, the
 * application's ports and shared/, never a sibling. Two exceptions: config/ may import a
 * sibling's `*-settings.ts` (the types it validates into), and cli/ may import config/.
 */
const adapterFolders = readdirSync(new URL('./src/adapters/', import.meta.url), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

function adapterRules(folder) {
  const siblings = adapterFolders.filter(
    (name) => name !== folder && name !== 'shared' && !(folder === 'cli' && name === 'config'),
  );
  const settingsOnly = folder === 'config';
  return {
    files: [`src/adapters/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: containerOutsideRoot.paths,
          patterns: [
            shipsAlone,
            containerOutsideRoot.pattern,
            ...siblings.map((name) => ({
              group: [`**/${name}/**`, ...(settingsOnly ? ['!**/*-settings.js'] : [])],
              message: settingsOnly
                ? `config/ imports only the *-settings.ts types of ${name}/; anything two adapters need goes to adapters/shared/.`
                : `An adapter never imports a sibling adapter (${name}/); anything two adapters need goes to adapters/shared/.`,
            })),
          ],
        },
      ],
      'no-restricted-syntax': ['error', containerOutsideRoot.syntax],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'build/', 'bench/results/', '.tmp/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': 'off',
      // Exhaustive switches (architecture.md): a new union member must be handled everywhere.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    // Plain JavaScript helper scripts are not part of the TypeScript project.
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: libraries.map((name) => ({ name, message: 'The domain is pure: no libraries.' })),
          patterns: [
            ...outerLayers('application', 'adapters'),
            shipsAlone,
            {
              group: ['node:*', 'fs', 'http', 'https', 'path', 'os', 'crypto'],
              message: 'The domain does no I/O.',
            },
            { group: ['**/container*', '**/main*'], message: 'Only main.ts uses the container.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...libraries
              .filter((name) => name !== 'inversify')
              .map((name) => ({ name, message: 'Use cases speak to ports, never to libraries.' })),
            ...containerOutsideRoot.paths,
          ],
          patterns: [
            ...outerLayers('adapters'),
            shipsAlone,
            {
              group: ['node:fs*', 'node:http*', 'node:net', 'fs', 'http', 'https'],
              message: 'Use cases do I/O through ports.',
            },
            { group: ['**/container*', '**/main*'], message: 'Only main.ts uses the container.' },
          ],
        },
      ],
    },
  },
  ...adapterFolders.map(adapterRules),
  {
    files: ['src/**/*.ts'],
    ignores: [...compositionRoot, 'src/adapters/**'],
    rules: { 'no-restricted-syntax': ['error', containerOutsideRoot.syntax] },
  },
  {
    files: ['src/*.ts', 'src/composition/**/*.ts', 'src/types/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [shipsAlone] }] },
  },
  // test/ and bench/ share testkit/ instead of importing each other; testkit/ serves both and
  // imports neither. src/ ships alone in the bundle, so it imports none of the three.
  ...[
    { files: ['test/**/*.ts'], banned: ['bench'] },
    { files: ['bench/**/*.ts'], banned: ['test'] },
    { files: ['testkit/**/*.ts'], banned: ['test', 'bench'] },
  ].map(({ files, banned }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: banned.map((name) => ({
            group: [`**/${name}/**`],
            message: `Tests and the benchmark share testkit/; neither imports the other (${name}/).`,
          })),
        },
      ],
    },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'testkit/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
