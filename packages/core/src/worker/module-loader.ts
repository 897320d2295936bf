/**
 * Imports a task module by URL. TypeScript modules (`.ts`, `.mts`, `.cts`,
 * `.tsx`) load without a build step: through the runtime itself where it runs
 * TypeScript (Bun, Deno, Node with type stripping: ≥ 22.18, or earlier with
 * `--experimental-strip-types`), otherwise through tsx when it is installed.
 * On Node, a module that type stripping refuses (an `enum`, a parameter
 * property, a `.tsx` file, a `.ts` file under node_modules) goes to tsx too
 * when tsx is installed; without tsx the worker reports Node's own error.
 *
 * A module whose import failed stays failed in this thread, as an ES module
 * does (and as a failed import does in Python's workers, on every call): it may
 * have defined some of its tasks before it threw, and those must not run
 * inside a half-initialised module.
 */
const TS_EXTENSION = /\.(c|m)?tsx?$/i;
const cache = new Map<string, Promise<Record<string, unknown>>>();
/** Modules being imported, or whose import failed: their tasks are not served from here. */
const unavailable = new Set<string>();
/** Modules imported: importing them again takes no time. */
const imported = new Set<string>();

type TsImport = (specifier: string, parentURL: string) => Promise<Record<string, unknown>>;
let tsImport: Promise<TsImport> | undefined;

/** The loader is missing: the module itself never ran, so a later import may be tried again. */
class LoaderMissingError extends Error {}

/** Node's refusals of a TypeScript file that type stripping cannot load; nothing of the module ran. */
const NOT_STRIPPABLE = new Set([
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
  'ERR_UNKNOWN_FILE_EXTENSION',
]);

function loadTsx(why?: Error): Promise<TsImport> {
  tsImport ??= import('tsx/esm/api').then(
    (api) => (api as { tsImport: TsImport }).tsImport,
    (error: unknown) => {
      tsImport = undefined;
      const wrapped = new LoaderMissingError(
        why
          ? `${why.message} (Node's type stripping accepts only erasable TypeScript: no enum, no parameter properties, no namespaces with code, no .tsx). Rewrite that part with erasable syntax, install tsx (npm install -D tsx) to load this module through it, or build the module to JavaScript and pass the .js URL.`
          : 'Loading a TypeScript task module on this runtime needs the "tsx" package: install it (npm install -D tsx), run on a runtime that runs TypeScript itself (Node ≥ 22.18, Bun, Deno), or build the module to JavaScript and pass the .js URL.',
      );
      wrapped.cause = why ?? error;
      throw wrapped;
    },
  );
  return tsImport;
}

/** Whether a module URL needs the TypeScript loader. */
export function isTypeScriptModule(url: string): boolean {
  return TS_EXTENSION.test(new URL(url).pathname);
}

/** True where the runtime imports TypeScript files itself: Bun, Deno, Node with type stripping on. */
export function runtimeRunsTypeScript(): boolean {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun !== undefined || versions.deno !== undefined) return true;
  const features = process.features as { typescript?: unknown };
  return features.typescript === 'strip' || features.typescript === 'transform';
}

const errorCode = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** Node runs plain `.ts`/`.mts`/`.cts`, not `.tsx`. */
const nodeStrips = (url: string) => !/\.tsx$/i.test(new URL(url).pathname);

/** A TypeScript module, natively where the runtime can, else (or when Node's stripping refuses it) through tsx. */
function importTypeScript(url: string): Promise<Record<string, unknown>> {
  const versions = process.versions as Record<string, string | undefined>;
  const native = versions.bun !== undefined || versions.deno !== undefined;
  if (native) return import(url) as Promise<Record<string, unknown>>;
  if (!runtimeRunsTypeScript() || !nodeStrips(url)) return loadTsx().then((load) => load(url, import.meta.url));
  return (import(url) as Promise<Record<string, unknown>>).catch((error: unknown) => {
    if (!NOT_STRIPPABLE.has(errorCode(error) as string)) throw error;
    return loadTsx(error as Error).then((load) => load(url, import.meta.url));
  });
}

/** True when the import failed before any of the module ran (not found, no loader): it may be tried again. */
function neverRan(error: unknown): boolean {
  return error instanceof LoaderMissingError || errorCode(error) === 'ERR_MODULE_NOT_FOUND';
}

/** Imports (once per thread) the module at `url`. A module that threw while it ran rejects the same way every time. */
export function importModule(url: string): Promise<Record<string, unknown>> {
  let loaded = cache.get(url);
  if (!loaded) {
    unavailable.add(url);
    loaded = isTypeScriptModule(url) ? importTypeScript(url) : (import(url) as Promise<Record<string, unknown>>);
    cache.set(url, loaded);
    loaded.then(
      () => {
        unavailable.delete(url);
        imported.add(url);
      },
      (error: unknown) => {
        if (!neverRan(error)) return; // stays unavailable, and rejects again on every import
        cache.delete(url);
        unavailable.delete(url);
      },
    );
  }
  return loaded;
}

/** True once `url` was imported by this loader: importing it again takes no time. */
export function isImported(url: string): boolean {
  return imported.has(url);
}

/**
 * True while `url` is being imported by this loader, and for good once that
 * import failed: tasks it registered so far belong to a module that did not finish.
 */
export function isUnavailable(url: string): boolean {
  return unavailable.size > 0 && unavailable.has(url);
}
