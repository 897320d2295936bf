/** What the main thread and the limit's bare workers say to each other. */

/** A request to a limit worker: a number is an echo (answered with its square), the rest carry packed data. */
export type LimitRequest =
  | number
  | {
      readonly op: 'howmany';
      readonly rows: Float64Array;
      readonly width: number;
      readonly minimum: number;
      readonly maximum: number;
    }
  | {
      readonly op: 'howmany-args';
      readonly rows: Float64Array;
      readonly width: number;
      readonly minimums: Float64Array;
      readonly maximums: Float64Array;
    }
  | { readonly op: 'square'; readonly xs: Float64Array<ArrayBuffer> };

/** A limit worker's answer: the echo's square, or the packed results (transferred back). */
export type LimitReply = number | Float64Array<ArrayBuffer>;
