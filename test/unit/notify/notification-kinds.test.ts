import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { capsFor } from '../../../src/adapters/notify/notification-kinds.js';
import {
  KIND_SETTINGS,
  NOTIFICATION_TYPES,
} from '../../../src/adapters/notify/notification-settings.js';

describe('notification kinds registry', () => {
  it('lists every kind once, in the order messages name them', () => {
    assert.deepEqual(NOTIFICATION_TYPES, ['slack', 'teams', 'webhook', 'email']);
    assert.equal(new Set(NOTIFICATION_TYPES).size, NOTIFICATION_TYPES.length);
  });

  it('gives every kind list caps of its own', () => {
    for (const type of NOTIFICATION_TYPES) {
      const caps = capsFor(type);
      assert.ok(caps.tags > 0 && caps.errors > 0, type);
    }
  });

  // config.yaml validates an entry against the merged keys of all kinds: a key two kinds
  // declare differently would be validated by whichever kind came first.
  it('kinds that share a key validate it the same way', () => {
    const seen = new Map<string, string>();
    for (const kind of KIND_SETTINGS) {
      for (const [key, spec] of Object.entries(kind.keys)) {
        const shape = JSON.stringify({ schema: spec.schema.describe(), env: spec.env });
        const first = seen.get(key);
        if (first === undefined) seen.set(key, shape);
        else assert.equal(shape, first, `${kind.type}.${key}`);
      }
    }
    assert.ok(seen.has('url') && seen.has('smtp_url'));
  });
});
