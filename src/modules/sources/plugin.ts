// The source plugin interface: what every discovery source (TLS endpoints, a directory of files, …) implements.
// A plugin only finds certificates and says where; the core parses, checks, imports (deduplicated by fingerprint)
// and records endpoints, so every source flags problems the same way. A plugin reports each item, good or bad,
// through `report`: one unreachable host or unreadable file is an item with an error, never an aborted run.
import type { Socket } from 'node:net';
import type { TSchema } from 'typebox';
import type { EndpointPlace } from '../endpoints/place.ts';
import type { PluginLogger } from '../issuers/plugin.ts';

export type { PluginLogger };

/** A source's stored configuration: `options` are shown by the API; `secrets` are stored encrypted, never shown. */
export interface SourceConfig<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  options: Options;
  secrets: Secrets;
}

/** Where an item was found: a TLS service or a file (an endpoint place other than a destination's). */
export type Place = Exclude<EndpointPlace, { kind: 'destination' }>;

/** What was found there, in the form certificate import takes (one of pem, der or pkcs12, base64 for binary). */
export interface Material {
  pem?: string;
  der?: string;
  pkcs12?: string;
  password?: string;
}

/** One scanned item: the certificates found, or why there are none. */
export type FoundItem = { place: Place } & ({ material: Material } | { error: string } | { skipped: string });

/**
 * How a plugin reaches the network. `resolve` turns a host into the addresses it may connect to, and throws with
 * a sentence when the address is refused (link-local, cloud metadata, a range the admin did not allow); `connect`
 * opens a TCP connection to such an address (for SSH). The outbound guard supplies both, so a plugin never calls
 * DNS or picks an address itself.
 */
export interface Outbound {
  resolve(host: string): Promise<string[]>;
  connect(host: string, port: number, timeoutMs?: number): Promise<Socket>;
}

/** A small read-only file tree: the local disk, or a remote host over SFTP. */
export interface FileTree {
  /** Names the tree in endpoint locations, e.g. `local` or `sftp://deploy@10.0.0.5:22`. */
  readonly name: string;
  /** Entries of one directory (names only, no `.`/`..`). Throws when the directory cannot be read. */
  list(dir: string): Promise<{ name: string; isDirectory: boolean; size: number }[]>;
  read(path: string): Promise<Uint8Array>;
  close?(): Promise<void>;
}

/** What the core gives a plugin; a plugin imports neither the database nor other modules. */
export interface SourceContext {
  log: PluginLogger;
  clock: () => Date;
  outbound: Outbound;
  /** Tells the core how many items the run will scan (for progress); may be called once the plugin knows. */
  expect(total: number): void;
  /** Set when the run is cancelled or the server stops: stop starting new work. */
  signal: AbortSignal;
}

/** A configuration that cannot work; `field` names the option (e.g. `options.targets[2]`), giving a 400. */
export class SourceConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SourceConfigError';
  }
}

export interface SourcePlugin<Options = Record<string, unknown>, Secrets = Record<string, unknown>> {
  /** Stable identifier stored with each source, e.g. `tls`, `directory`. */
  readonly type: string;
  readonly title: string;
  readonly description: string;
  /** Non-secret settings (TypeBox schema with descriptions): validated by the API, rendered by the UI and CLI. */
  readonly options: TSchema;
  /** Secret settings (PKCS#12 passwords): stored encrypted, never returned. */
  readonly secrets: TSchema;

  /**
   * Checks a configuration beyond its schema (target syntax, address counts) when a source is created or
   * changed. Throws SourceConfigError naming the field. Must not scan.
   */
  validate(config: SourceConfig<Options, Secrets>): void;

  /**
   * Scans, calling `report` once per item (awaiting it, which is the back-pressure). Throws only when the
   * whole run cannot proceed (the directory tree cannot be opened at all); per-item failures are reported.
   */
  scan(
    config: SourceConfig<Options, Secrets>,
    ctx: SourceContext,
    report: (item: FoundItem) => Promise<void>,
  ): Promise<void>;
}
