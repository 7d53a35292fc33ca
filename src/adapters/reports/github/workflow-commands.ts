import { randomUUID } from 'node:crypto';

/**
 * GitHub's file and stdout formats ("Workflow commands for GitHub Actions"). Pure text: the
 * callers write it.
 */

/**
 * Step outputs for the GITHUB_OUTPUT file: `name=value` lines, or for a value with a line break
 * `name<<DELIMITER`, the value, `DELIMITER`. The delimiter is random, as GitHub asks, so that
 * no line of a value can end the value early (the runner fails the step when one does).
 */
export function stepOutputText(outputs: ReadonlyArray<readonly [string, string]>): string {
  let text = '';
  for (const [name, value] of outputs) {
    if (!/[\r\n]/.test(value)) {
      text += `${name}=${value}\n`;
      continue;
    }
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}

export type AnnotationLevel = 'warning' | 'error';

/**
 * One annotation line for stdout: `::warning title=...::message`. The message is one line for
 * the runner, so `%`, CR and LF are percent-encoded (it decodes them back); a property value
 * also encodes `:` and `,`, which separate properties.
 */
export function annotation(level: AnnotationLevel, title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}\n`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
