import { writeFile } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { join } from 'node:path';
import { findFreePort } from './free-port.js';
import { renderRegistryConfig, type RegistryAuthConfig } from './registry-config.js';
import { AddressInUseError, launchRegistry, type RegistryProcess } from './registry-process.js';

export interface LaunchOptions {
  /** Where config.yml is written. */
  readonly dir: string;
  readonly storageDir: string;
  readonly deleteEnabled: boolean;
  readonly auth: RegistryAuthConfig;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly agent: Agent;
  readonly stdout: 'pipe' | 'ignore';
}

export interface LaunchedRegistry {
  readonly url: string;
  readonly configFile: string;
  readonly registry: RegistryProcess;
}

const PORT_ATTEMPTS = 5;

/** Writes the registry's config.yml for a free port on 127.0.0.1 and starts it there. */
export async function launchOnFreePort(options: LaunchOptions): Promise<LaunchedRegistry> {
  const configFile = join(options.dir, 'config.yml');
  const scheme = options.tls === undefined ? 'http' : 'https';
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const config = renderRegistryConfig({
      port,
      storageDir: options.storageDir,
      deleteEnabled: options.deleteEnabled,
      auth: options.auth,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
    await writeFile(configFile, config);
    const url = `${scheme}://127.0.0.1:${port}`;
    try {
      const registry = await launchRegistry(configFile, url, options.agent, {
        stdout: options.stdout,
      });
      return { url, configFile, registry };
    } catch (error) {
      // Another process took the port between findFreePort() and the registry's bind.
      if (!(error instanceof AddressInUseError) || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}
