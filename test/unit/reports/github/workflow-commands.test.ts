import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annotation,
  stepOutputText,
} from '../../../../src/adapters/reports/github/workflow-commands.js';

/** How the runner reads a GITHUB_OUTPUT file (workflow commands, "multiline strings"). */
function readOutputs(text: string): Map<string, string> {
  const lines = text.split('\n');
  const outputs = new Map<string, string>();
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc === null) {
      const at = line.indexOf('=');
      assert.ok(at > 0, `not name=value: ${line}`);
      outputs.set(line.slice(0, at), line.slice(at + 1));
      continue;
    }
    const [, name = '', delimiter = ''] = heredoc;
    const end = lines.indexOf(delimiter, i + 1);
    assert.ok(end > i, `the value of ${name} is not closed`);
    outputs.set(name, lines.slice(i + 1, end).join('\n'));
    i = end;
  }
  return outputs;
}

describe('stepOutputText', () => {
  it('writes one-line values as name=value', () => {
    assert.equal(
      stepOutputText([
        ['deleted', '3'],
        ['report', 'reports/a/x.json'],
      ]),
      'deleted=3\nreport=reports/a/x.json\n',
    );
  });

  it('writes a value with line breaks between random delimiters, read back intact', () => {
    const value = 'reports/a/1.json\nreports/b/2.json\nEOF';
    const text = stepOutputText([
      ['report', value],
      ['failed', '0'],
    ]);
    const first = text.split('\n')[0] ?? '';
    assert.match(first, /^report<<ghadelimiter_[0-9a-f-]{36}$/);
    const outputs = readOutputs(text);
    assert.equal(outputs.get('report'), value);
    assert.equal(outputs.get('failed'), '0');
    // A new delimiter every time: a value cannot be written to end early.
    assert.notEqual(stepOutputText([['report', value]]).split('\n')[0], first);
  });
});

describe('annotation', () => {
  it('encodes %, CR and LF in the message, and : and , in the title too', () => {
    assert.equal(
      annotation('warning', 'reg-cleaner: job a,b', '100% done\r\nsecond line'),
      '::warning title=reg-cleaner%3A job a%2Cb::100%25 done%0D%0Asecond line\n',
    );
  });

  it('is one line whatever the text', () => {
    const line = annotation('error', 't', 'a\nb\rc\n');
    assert.equal(line.split('\n').length, 2);
    assert.ok(line.startsWith('::error title=t::'));
  });
});
