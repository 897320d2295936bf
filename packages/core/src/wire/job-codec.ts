/**
 * Registered classes in arguments and results: the caller encodes a job's
 * arguments before handing it to a backend and decodes each result as it
 * arrives; the worker runtime decodes the arguments (once the task module, and
 * so its classes, is loaded) and encodes the results.
 *
 * A caller that registered no class sends jobs unchanged, and then the worker
 * leaves results alone too: programs without registered classes pay nothing.
 *
 * And a job's outcome as the caller reads it: its first failed item, or the
 * error the whole job failed with.
 */
import { CloneError } from '../errors.js';
import { hasRegisteredClasses, registeredClass, registeringModule } from './class-registry.js';
import { deserializeError, isDataCloneError, toCloneError } from './error-transport.js';
import type { Job, JobResult, TaskCall } from './job.js';
import { Decoder, Encoder } from './value-codec.js';

/** What a job or result says about its encoding. */
export interface Codec {
  /** The values carry encoded registered instances or errors (the receiver must decode them). */
  readonly marked: boolean;
  /**
   * The registered classes among the arguments, by name, with the module that
   * registers each: a worker that does not know one yet (an inline task, or a
   * task of another module) imports that module first.
   */
  readonly classes?: Readonly<Record<string, string>>;
}

/** A job from a caller that knows registered classes: it decodes the results. */
export interface EncodedJob extends Job {
  /** The registered classes its values may hold, and how to decode them. */
  readonly codec?: Codec;
}

/** A result whose values carry encoded registered instances. */
export interface EncodedResult extends JobResult {
  readonly codec?: Codec;
}

type Values = readonly unknown[] | Float64Array;

function encodeValues(values: Values, encoder: Encoder): Values {
  return values instanceof Float64Array ? values : (encoder.value(values) as unknown[]);
}

function decodeValues(values: Values, decoder: Decoder): Values {
  return values instanceof Float64Array ? values : (decoder.value(values) as unknown[]);
}

/**
 * Caller side, before a job goes to a backend: registered instances in its
 * arguments (and the initializer's) become plain data, and the job asks the
 * worker to do the same with the results. Returns `job` itself when this
 * program registered no class, or when the job is encoded already.
 */
export function encodeJob(job: Job): Job {
  if (!hasRegisteredClasses() || (job as EncodedJob).codec) return job;
  const encoder = new Encoder({ lenient: false });
  let items: Values;
  let columns: Values[] | undefined;
  let initializer: TaskCall | undefined;
  try {
    items = encodeValues(job.items, encoder);
    columns = job.columns?.map((column) => encodeValues(column, encoder));
    initializer = job.initializer && {
      task: job.initializer.task,
      args: encoder.value(job.initializer.args) as unknown[],
    };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const wrapped = new CloneError(
      `An argument could not be copied between threads/processes: reading it threw ${reason}. A getter that throws cannot be copied; pass plain data.`,
    );
    wrapped.cause = error;
    throw wrapped;
  }
  const encoded: EncodedJob = {
    ...job,
    items,
    ...(columns && { columns }),
    ...(initializer && { initializer }),
    codec: { marked: encoder.marked, ...(encoder.classes.size > 0 && { classes: classModules(encoder.classes) }) },
  };
  return encoded;
}

function classModules(names: ReadonlySet<string>): Record<string, string> {
  const modules: Record<string, string> = {};
  for (const name of names) {
    const module = registeringModule(name);
    if (module !== undefined) modules[name] = module;
  }
  return modules;
}

const NONE: readonly string[] = [];

/**
 * Worker side: the modules to import before the job's arguments can be
 * decoded (those registering classes this worker does not know yet).
 */
export function classModulesToLoad(job: Job): readonly string[] {
  const classes = (job as EncodedJob).codec?.classes;
  if (!classes) return NONE;
  const modules = new Set<string>();
  for (const [name, module] of Object.entries(classes)) if (!registeredClass(name)) modules.add(module);
  return [...modules];
}

/** Worker side: the job's arguments with registered instances rebuilt. Call once the task's module is loaded. */
export function decodeArguments(job: Job): Job {
  if (!(job as EncodedJob).codec?.marked) return job;
  const decoder = new Decoder();
  const items = decodeValues(job.items, decoder);
  const columns = job.columns?.map((column) => decodeValues(column, decoder));
  return { ...job, items, ...(columns && { columns }) };
}

/** Worker side: the initializer's arguments with registered instances rebuilt. */
export function decodeInitializerArguments(job: Job, call: TaskCall): readonly unknown[] {
  if (!(job as EncodedJob).codec?.marked) return call.args;
  return new Decoder().value(call.args) as unknown[];
}

/**
 * Worker side: registered instances in a job's results become plain data, for
 * a caller that decodes them (the job says so). A value that cannot be read
 * (a getter that throws) is left as it is, for `ensureCloneable` to fail that
 * item alone.
 */
export function encodeResult(job: Job, result: JobResult): JobResult {
  if (!(job as EncodedJob).codec) return result;
  const { values } = result;
  if (!Array.isArray(values)) return result;
  const encoder = new Encoder({ lenient: false });
  const out: unknown[] = [];
  for (const value of values) {
    try {
      out.push(encoder.value(value));
    } catch {
      out.push(value);
    }
  }
  if (!encoder.marked) return result;
  const encoded: EncodedResult = { ...result, values: out, codec: { marked: true } };
  return encoded;
}

/** Caller side, as a result arrives: registered instances (and errors in values) rebuilt. Decoding twice is harmless. */
export function decodeResult(result: JobResult): JobResult {
  if (!(result as EncodedResult).codec?.marked || !Array.isArray(result.values)) return result;
  const { codec: _decoded, ...rest } = result as EncodedResult;
  return { ...rest, values: new Decoder().value(result.values) as unknown[] };
}

/** The first failed item of a job result, as an Error, or undefined if none failed. */
export function firstFailure(result: JobResult): { index: number; error: Error } | undefined {
  const failure = result.failures?.[0];
  if (!failure) return undefined;
  let first = failure;
  for (const f of result.failures ?? []) if (f.index < first.index) first = f;
  return { index: first.index, error: deserializeError(first.error) };
}

/** The error a whole job failed with, as the caller should see it. */
export function jobError(error: unknown): Error {
  if ((error as Error | undefined)?.name === 'CloneError') return error as Error;
  if (isDataCloneError(error)) return toCloneError(error, 'argument or result');
  if (error instanceof Error) return error;
  if (error !== null && typeof error === 'object' && 'name' in error && 'message' in error) {
    return deserializeError(error as { name: string; message: string; stack?: string });
  }
  return new Error(String(error));
}
