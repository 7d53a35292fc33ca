/** Where the metrics endpoint listens: `metrics.listen` in config.yaml or `--metrics-listen`. */
export interface ListenAddress {
  /** An IP address or host name, without brackets. */
  readonly host: string;
  /** 0 asks the system for a free port (the bound one is logged). */
  readonly port: number;
}

/** `metrics:` of config.yaml (issue 12); absent = no endpoint. */
export interface MetricsSettings {
  /** Where `--watch` serves /metrics, /healthz and /readyz. */
  readonly listen: ListenAddress;
  /**
   * `reports: true`: `/` of the listener is the watch page (each job's last run, linked to its
   * latest report) and the reports folder is served read-only under /reports/. Off by default.
   */
  readonly reports?: boolean;
}

export type ListenParse =
  | { readonly ok: true; readonly address: ListenAddress }
  | { readonly ok: false; readonly message: string };

const SHAPE = 'must be HOST:PORT, e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464';

/**
 * `host:port` or `[ipv6]:port`. The host is required: the endpoint binds only what is
 * configured, so an operator who wants every interface writes 0.0.0.0 on purpose.
 * The one parser for the config file and the command line.
 */
export function parseListenAddress(text: string): ListenParse {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return { ok: false, message: SHAPE };
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (host === '') return { ok: false, message: SHAPE };
  if (port > 65_535) return { ok: false, message: `port must be 0..65535, got ${port}` };
  return { ok: true, address: { host, port } };
}

/** `127.0.0.1:9464`, `[::1]:9464`. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
