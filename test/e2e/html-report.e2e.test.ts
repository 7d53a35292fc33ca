import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pushImage, pushIndex, tagExisting } from '../../testkit/push-image.js';
import { startRegistry, type RunningRegistry } from '../../testkit/registry-server.js';
import { readValidReport, type ReportFile } from '../support/report-schema.js';
import { anonymousConfigYaml, createWorkspace, type Workspace } from './cli-harness.js';
import { daysAgo } from '../../testkit/dates.js';

// The HTML report in a real browser: Debian's chromium, driven by playwright-core (which never
// downloads a browser), offline and with every host unresolvable, so that any fetch fails
// loudly instead of reaching a network.

const CHROMIUM = process.env['REG_CLEANER_CHROMIUM'] ?? '/usr/bin/chromium';

interface Opened {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Every request the page made, file:// included. */
  readonly requests: string[];
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
}

describe('the HTML report in headless Chromium', () => {
  let registry: RunningRegistry;
  let workspace: Workspace;
  let browser: Browser;
  let html: string;
  let report: ReportFile;

  before(async () => {
    registry = await startRegistry({ auth: 'none' });
    workspace = await createWorkspace();
    await workspace.writeConfig({
      'config.yaml': anonymousConfigYaml(registry.url),
      // A hostile description: it must show as text, never run.
      'manual.yaml': `
- name: html
  description: 'dev images <img src="https://example.invalid/x.png" onerror="console.error(1)">'
  repositories: [team/app, team/web]
  tag_regexps: [dev-, release-]
  save_last: 1
  older_than_days: 5
`,
    });
    for (let n = 1; n <= 4; n++) {
      const pushed = await pushImage(registry, 'team/app', [`dev-${String(n)}`], {
        created: daysAgo(20 + n),
      });
      if (n === 4) await tagExisting(registry, 'team/app', 'latest', pushed.digest);
    }
    await pushImage(registry, 'team/app', ['dev-5'], { created: daysAgo(1) });
    await pushIndex(
      registry,
      'team/app',
      ['release-1'],
      [
        { created: daysAgo(40), arch: 'amd64' },
        { created: daysAgo(41), arch: 'arm64' },
      ],
    );
    await pushImage(registry, 'team/app', ['release-2'], { created: daysAgo(30) });
    await pushImage(registry, 'team/web', ['dev-1'], { created: daysAgo(2) });
    const run = await workspace.run(['--dry-run']);
    assert.equal(run.code, 0, run.stderr);
    const folder = join(workspace.dir, 'reports', 'html');
    const name = (await readdir(folder)).find((file) => file.endsWith('-dry.html'));
    assert.ok(name !== undefined);
    html = join(folder, name);
    report = await readValidReport(html.replace(/\.html$/, '.json'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root in CI: Chromium's sandbox needs an unprivileged user. Any host lookup fails.
      args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND', '--proxy-server=127.0.0.1:9'],
    });
  });

  after(async () => {
    await browser.close();
    await workspace.cleanup();
    await registry.stop();
  });

  async function open(javaScriptEnabled = true): Promise<Opened> {
    const context = await browser.newContext({ offline: true, javaScriptEnabled });
    const requests: string[] = [];
    const errors: string[] = [];
    // The report itself is the only thing the page may load.
    const self = pathToFileURL(html).href;
    await context.route('**/*', (route) =>
      route.request().url() === self ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    return { page, context, requests, errors };
  }

  it('loads without fetching anything and without a console error; totals equal the JSON', async () => {
    const { page, context, requests, errors } = await open();
    try {
      assert.deepEqual(requests, [pathToFileURL(html).href]);
      assert.deepEqual(errors, []);
      const shown = async (key: string): Promise<number> =>
        Number((await page.locator(`[data-total="${key}"]`).innerText()).replace(/[^\d]/g, ''));
      for (const key of ['repositories', 'examined', 'unmatched', 'kept', 'deleted', 'failed']) {
        assert.equal(await shown(key), report.summary[key as keyof ReportFile['summary']], key);
      }
      assert.equal(await shown('reclaimableBytes'), report.summary.reclaimableBytes);
      assert.ok(report.summary.deleted > 0 && report.summary.kept > 0);
      assert.equal(await page.locator('.verdict .status').innerText(), 'Dry run');
      // The description is text, not an element.
      assert.equal(await page.locator('header img').count(), 0);
      assert.match(await page.locator('.description').innerText(), /<img src=/);
      // One bar per repository.
      assert.equal(await page.locator('.overview svg.bar').count(), report.repositories.length);
    } finally {
      await context.close();
    }
  });

  it('the decision filter hides kept tags; the reason filter narrows further', async () => {
    const { page, context, errors } = await open();
    try {
      const rows = page.locator('tr[data-action]');
      const all = report.repositories.flatMap((repository) => repository.tags);
      assert.equal(await rows.count(), all.length);
      await page.selectOption('#filter-action', 'delete');
      const visible = await visibleActions(page);
      assert.deepEqual(
        visible,
        all.filter((tag) => tag.action === 'delete').map(() => 'delete'),
      );
      assert.ok(!visible.includes('keep'));
      // team/web has nothing to delete: its section goes away with its rows.
      assert.equal(await page.locator('section.repository:visible').count(), 1);
      await page.selectOption('#filter-action', '');
      await page.selectOption('#filter-reason', 'no-match');
      assert.deepEqual(await visibleActions(page), ['keep']);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('each overview link jumps to its repository, its heading clear of the sticky filter bar', async () => {
    const { page, context, errors } = await open();
    try {
      // Short enough that the first repository's section can be scrolled to the top.
      await page.setViewportSize({ width: 1000, height: 320 });
      const links = page.locator('.overview a[href^="#repository-"]');
      assert.equal(await links.count(), report.repositories.length);
      const first = report.repositories[0]?.name ?? '';
      await page.locator(`.overview a[href="#repository-${first}"]`).click();
      assert.ok(
        (await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)) > 0,
        'the page scrolled',
      );
      const headingBox = await page
        .locator('section.repository h2', { hasText: first })
        .boundingBox();
      const barBox = await page.locator('#filters').boundingBox();
      assert.ok(headingBox !== null && barBox !== null);
      assert.ok(
        headingBox.y >= barBox.y + barBox.height && headingBox.y + headingBox.height <= 320,
        `heading at ${String(headingBox.y)}, bar ends at ${String(barBox.y + barBox.height)}`,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('reads the same without JavaScript: every row shown, no filter bar', async () => {
    const { page, context } = await open(false);
    try {
      const total = report.repositories.reduce(
        (sum, repository) => sum + repository.tags.length,
        0,
      );
      assert.equal((await visibleActions(page)).length, total);
      assert.equal(await page.locator('#filters').isVisible(), false);
    } finally {
      await context.close();
    }
  });
});

/** What the test reads of a row in the page (the test project has no DOM typings). */
interface RowLike {
  readonly offsetParent: unknown;
  getAttribute(name: string): string | null;
}

/** data-action of every table row the user can see (a hidden row has no offsetParent). */
function visibleActions(page: Page): Promise<string[]> {
  return page
    .locator('tr[data-action]')
    .evaluateAll((rows: unknown[]): string[] =>
      (rows as RowLike[])
        .filter((row) => row.offsetParent !== null)
        .map((row) => row.getAttribute('data-action') ?? ''),
    );
}
