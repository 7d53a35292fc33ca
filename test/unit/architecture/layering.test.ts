import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

/**
 * The layering rules live in eslint.config.js; this proves they bite. Each case lints a
 * snippet in place of an existing file of the given folder (type-aware lint needs a file of
 * the TypeScript project; the import rules themselves are syntactic).
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), file) });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

const cases: readonly { name: string; file: string; code: string; refused: boolean }[] = [
  {
    name: 'domain must not import the application layer',
    file: 'src/domain/job.ts',
    code: "import { Clock } from '../application/ports/clock.port.js';\nexport const x: unknown = Clock;\n",
    refused: true,
  },
  {
    name: 'domain must not import a library',
    file: 'src/domain/job.ts',
    code: "import axios from 'axios';\nexport const x: unknown = axios;\n",
    refused: true,
  },
  {
    name: 'domain must not do I/O',
    file: 'src/domain/job.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const x: unknown = readFileSync;\n",
    refused: true,
  },
  {
    name: 'application must not import an adapter',
    file: 'src/application/bounded-work.ts',
    code: "import { SystemClock } from '../adapters/clock/system-clock.adapter.js';\nexport const x: unknown = SystemClock;\n",
    refused: true,
  },
  {
    name: 'adapters must not use the container',
    file: 'src/adapters/clock/system-clock.adapter.ts',
    code: "import { buildContainer } from '../../container.js';\nexport const x: unknown = buildContainer;\n",
    refused: true,
  },
  {
    name: 'an adapter must not import a sibling adapter',
    file: 'src/adapters/notify/notice.ts',
    code: "import { RegistrySettings } from '../registry/registry-settings.js';\nexport const x: unknown = RegistrySettings;\n",
    refused: true,
  },
  {
    name: 'an adapter in a subfolder must not import a sibling adapter either',
    file: 'src/adapters/registry/cache/lru-map.ts',
    code: "import { StateLockedError } from '../../state/state-lock.js';\nexport const x: unknown = StateLockedError;\n",
    refused: true,
  },
  {
    name: 'an adapter may import adapters/shared/',
    file: 'src/adapters/notify/notice.ts',
    code: "import { redact } from '../shared/secrets/redact.js';\nexport const x: unknown = redact;\n",
    refused: false,
  },
  {
    name: 'config may import a sibling *-settings.ts',
    file: 'src/adapters/config/app-config.ts',
    code: "import { RegistrySettings } from '../registry/registry-settings.js';\nexport const x: unknown = RegistrySettings;\n",
    refused: false,
  },
  {
    name: 'config must not import anything else of a sibling',
    file: 'src/adapters/config/app-config.ts',
    code: "import { manifestUrl } from '../registry/registry-urls.js';\nexport const x: unknown = manifestUrl;\n",
    refused: true,
  },
  {
    name: 'cli may import config',
    file: 'src/adapters/cli/check-config.ts',
    code: "import { ConfigError } from '../config/config-error.js';\nexport const x: unknown = ConfigError;\n",
    refused: false,
  },
  {
    name: 'cli must not import another adapter',
    file: 'src/adapters/cli/check-config.ts',
    code: "import { hostOf } from '../notify/notification-settings.js';\nexport const x: unknown = hostOf;\n",
    refused: true,
  },
  {
    name: 'an adapter must not take the inversify Container',
    file: 'src/adapters/cli/check-config.ts',
    code: "import type { Container } from 'inversify';\nexport type X = Container;\n",
    refused: true,
  },
  {
    name: 'application may import the domain',
    file: 'src/application/bounded-work.ts',
    code: "import { compilePattern } from '../domain/job.js';\nexport const x: unknown = compilePattern;\n",
    refused: false,
  },
  {
    name: 'adapters may import ports',
    file: 'src/adapters/clock/system-clock.adapter.ts',
    code: "import { Clock } from '../../application/ports/clock.port.js';\nexport const x: unknown = Clock;\n",
    refused: false,
  },
  {
    name: 'bench must not import test/ (both share testkit/)',
    file: 'bench/seed.ts',
    code: "import { startFaultProxy } from '../test/support/fault-proxy.js';\nexport const x: unknown = startFaultProxy;\n",
    refused: true,
  },
  {
    name: 'test must not import bench/ (both share testkit/)',
    file: 'test/integration/request-count.int.test.ts',
    code: "import { computeFloor } from '../../bench/floor.js';\nexport const x: unknown = computeFloor;\n",
    refused: true,
  },
  {
    name: 'testkit must not import test/',
    file: 'testkit/seed.ts',
    code: "import { daysAgo } from '../test/builders/tags.js';\nexport const x: unknown = daysAgo;\n",
    refused: true,
  },
  {
    name: 'testkit must not import bench/',
    file: 'testkit/seed.ts',
    code: "import { seedDataset } from '../bench/seed.js';\nexport const x: unknown = seedDataset;\n",
    refused: true,
  },
  {
    name: 'bench may import testkit/',
    file: 'bench/seed.ts',
    code: "import { startRegistry } from '../testkit/registry-server.js';\nexport const x: unknown = startRegistry;\n",
    refused: false,
  },
  {
    name: 'test may import testkit/',
    file: 'test/integration/request-count.int.test.ts',
    code: "import { startRegistry } from '../../testkit/registry-server.js';\nexport const x: unknown = startRegistry;\n",
    refused: false,
  },
  {
    name: 'an adapter must not import testkit/ (the bundle ships src/ alone)',
    file: 'src/adapters/demo/run-demo.ts',
    code: "import { startRegistry } from '../../../testkit/registry-server.js';\nexport const x: unknown = startRegistry;\n",
    refused: true,
  },
  {
    name: 'the composition root must not import testkit/ either',
    file: 'src/main.ts',
    code: "import { startRegistry } from '../testkit/registry-server.js';\nexport const x: unknown = startRegistry;\n",
    refused: true,
  },
];

describe('lint enforces the hexagonal layering', () => {
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const messages = await restrictedImports(testCase.file, testCase.code);
      assert.equal(messages.length > 0, testCase.refused, messages.join('\n'));
    });
  }
});

describe('lint keeps the container in the composition root', () => {
  const containerGets = async (file: string): Promise<string[]> => {
    const code =
      'declare const container: { get(token: symbol): unknown };\nexport const x = container.get(Symbol());\n';
    const [result] = await eslint.lintText(code, { filePath: join(process.cwd(), file) });
    return (result?.messages ?? [])
      .filter((message) => message.ruleId === 'no-restricted-syntax')
      .map((message) => message.message);
  };

  for (const file of ['src/adapters/cli/check-config.ts', 'src/application/run-jobs.use-case.ts']) {
    it(`container.get is refused in ${file}`, async () => {
      assert.match((await containerGets(file)).join('\n'), /Only main.ts asks the container/);
    });
  }

  it('container.get is allowed in main.ts', async () => {
    assert.deepEqual(await containerGets('src/main.ts'), []);
  });
});

describe('lint enforces exhaustive switches (architecture.md)', () => {
  const switchOver = (cases: string): string =>
    `type Kind = 'a' | 'b';\nexport function f(kind: Kind): number {\n  switch (kind) {\n${cases}  }\n}\n`;
  const exhaustiveness = async (code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, {
      filePath: join(process.cwd(), 'src/domain/schedule.ts'),
    });
    return (result?.messages ?? [])
      .filter((message) => message.ruleId === '@typescript-eslint/switch-exhaustiveness-check')
      .map((message) => message.message);
  };

  it('a switch over a union that misses a member is refused', async () => {
    const messages = await exhaustiveness(switchOver("    case 'a':\n      return 1;\n"));
    assert.match(messages.join('\n'), /Cases not matched: "b"/);
  });

  it('a default does not stand in for a missing member', async () => {
    const code = switchOver("    case 'a':\n      return 1;\n    default:\n      return 0;\n");
    assert.match((await exhaustiveness(code)).join('\n'), /"b"/);
  });

  it('a switch that handles every member passes', async () => {
    const code = switchOver("    case 'a':\n      return 1;\n    case 'b':\n      return 2;\n");
    assert.deepEqual(await exhaustiveness(code), []);
  });
});
