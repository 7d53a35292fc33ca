import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeUrl } from '../../../src/adapters/shared/secrets/safe-url.js';

describe('safeUrl', () => {
  it('drops credentials and redacts query values that may be secrets', () => {
    assert.equal(
      safeUrl('https://user:secret@store.example/blob?X-Amz-Signature=abc&X-Amz-Credential=k&n=5'),
      'https://store.example/blob?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&n=5',
    );
    assert.equal(
      safeUrl(
        'https://auth.example/token?service=reg&scope=repository%3Aa%3Apull&access_token=t0k',
      ),
      'https://auth.example/token?service=reg&scope=repository%3Aa%3Apull&access_token=REDACTED',
    );
  });

  it('never throws', () => {
    assert.equal(safeUrl('not a url'), '(unparseable URL)');
  });
});
