// Lint enforces the hexagonal layering: each folder may import only from the layers inside it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
          paths: libraries
            .filter((name) => name !== 'inversify')
            .map((name) => ({ name, message: 'Use cases speak to ports, never to libraries.' })),
          patterns: [
            ...outerLayers('adapters'),
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
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/container*', '**/main*'], message: 'Only main.ts uses the container.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
