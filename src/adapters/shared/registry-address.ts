/**
 * The registry this process cleans, as reports, notifications and the watch banner name it.
 * Bound in the composition root from the registry's settings, so that those outputs never
 * depend on the registry adapter (nor see its credentials).
 */
export interface RegistryAddress {
  /** Base URL without `/v2/`, userinfo, query or fragment (config refuses those). */
  readonly url: string;
  /** Where the login comes from (`--watch` shows it); never the secret itself. */
  readonly credentialsFrom?: string;
}
export const RegistryAddress = Symbol('RegistryAddress');
