/**
 * The part of cli-progress 3.12 that reg-cleaner uses (the package ships no types, and only
 * cli-progress itself is an approved dependency). Names follow the package's README.
 */
declare module 'cli-progress' {
  /** What a `format` function receives about the bar (lib/generic-bar.js, render()). */
  export interface FormatParams {
    /** 0..1 */
    readonly progress: number;
    /** Estimated seconds left, or 'NULL' / 'INF' while unknown. */
    readonly eta: number | string;
    /** Epoch milliseconds. */
    readonly startTime: number | null;
    readonly total: number;
    readonly value: number;
    readonly maxWidth: number;
  }

  export interface FormatOptions {
    readonly barsize: number;
    readonly barCompleteString: string;
    readonly barIncompleteString: string;
  }

  export type Payload = Readonly<Record<string, string | number>>;

  export interface Options {
    readonly stream?: NodeJS.WritableStream;
    readonly format?: (options: FormatOptions, params: FormatParams, payload: Payload) => string;
    readonly fps?: number;
    readonly barsize?: number;
    readonly clearOnComplete?: boolean;
    readonly hideCursor?: boolean | null;
    readonly linewrap?: boolean | null;
    readonly forceRedraw?: boolean;
    readonly etaBuffer?: number;
    readonly etaAsynchronousUpdate?: boolean;
    readonly emptyOnZero?: boolean;
    readonly barCompleteChar?: string;
    readonly barIncompleteChar?: string;
  }

  export class GenericBar {
    update(value: number, payload?: Payload): void;
    update(payload: Payload): void;
    setTotal(total: number): void;
  }

  export class MultiBar {
    constructor(options: Options);
    create(total: number, startValue: number, payload?: Payload): GenericBar;
    /** Redraws every bar now (the container's own timer calls it at `fps`). */
    update(): void;
    stop(): void;
    on(event: 'update-pre' | 'redraw-pre' | 'stop', listener: () => void): this;
  }

  const cliProgress: { readonly MultiBar: typeof MultiBar };
  export default cliProgress;
}
