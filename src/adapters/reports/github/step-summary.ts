import { appendFile, stat } from 'node:fs/promises';
import type { Logger } from '../../../application/ports/logger.port.js';
import { MARKDOWN_LIMIT_BYTES, renderMarkdown, type MarkdownInput } from '../markdown-report.js';

/** GitHub's limit for one step's summary file. */
const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/**
 * The job summary of a GitHub Actions step (GITHUB_STEP_SUMMARY): the Markdown report is
 * appended, cut to what the step's 1 MiB still allows (several jobs may append to one step).
 */
export async function appendStepSummary(
  file: string,
  input: MarkdownInput,
  logger: Logger,
): Promise<void> {
  const used = await stat(file).then(
    (stats) => stats.size,
    () => 0,
  );
  const room = Math.min(MARKDOWN_LIMIT_BYTES, STEP_SUMMARY_LIMIT_BYTES - used - 4096);
  if (room < 2048) {
    logger.warn('GITHUB_STEP_SUMMARY is full; the report was not added to it', { file });
    return;
  }
  await appendFile(file, `${renderMarkdown(input, room)}\n`);
}
