import { Container } from 'inversify';
import { Logger } from '../../src/application/ports/logger.port.js';
import {
  InMemoryManifestCache,
  ManifestCache,
} from '../../src/adapters/registry/cache/manifest-cache.js';
import {
  HttpDockerRegistry,
  HttpDockerRegistryOptions,
} from '../../src/adapters/registry/http-docker-registry.adapter.js';
import type { RegistrySettings } from '../../src/adapters/registry/registry-settings.js';
import { registryModule } from '../../src/composition/registry.module.js';

/**
 * The registry adapter as the composition root wires it (container.ts, registryModule), with
 * the registry cache in memory and the test's hooks (retry timing, clock, NO_PROXY source,
 * page size) bound in place of the defaults. `swap` may rebind any other part (HttpExchange,
 * RequestGate...) before the adapter is built.
 */
export function registryAdapter(
  settings: RegistrySettings,
  logger: Logger,
  hooks: HttpDockerRegistryOptions = {},
  swap: (container: Container) => void = () => undefined,
): HttpDockerRegistry {
  const container = new Container();
  container.load(registryModule(settings));
  container.bind(Logger).toConstantValue(logger);
  container.bind(ManifestCache).toConstantValue(new InMemoryManifestCache());
  container.rebind(HttpDockerRegistryOptions).toConstantValue(hooks);
  swap(container);
  return container.get(HttpDockerRegistry);
}
