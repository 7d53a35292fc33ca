import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseBaseUrl } from '../../../src/adapters/registry/registry-settings.js';

describe('normaliseBaseUrl: one registry, one string (config, adapter, cache file name)', () => {
  const cases: [string, string][] = [
    ['https://registry.example.com', 'https://registry.example.com'],
    ['https://registry.example.com/', 'https://registry.example.com'],
    ['https://registry.example.com/v2/', 'https://registry.example.com'],
    ['https://Registry.Example.com:5000/v2', 'https://registry.example.com:5000'],
    ['https://registry.example.com:443/', 'https://registry.example.com'],
    ['http://127.0.0.1:5000//', 'http://127.0.0.1:5000'],
    ['https://proxy.example.com/mirror/v2/', 'https://proxy.example.com/mirror'],
    ['https://user:secret@registry.example.com/?q=1#f', 'https://registry.example.com'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      assert.equal(normaliseBaseUrl(input), expected);
    });
  }
});
