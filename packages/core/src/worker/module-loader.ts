/**
 * Imports a task module by URL. TypeScript modules (`.ts`, `.mts`, `.cts`) are
 * loaded through tsx when it is installed, so task modules work in development
 * and tests without a build step.
 *
 * A module whose import failed stays failed in this thread, as an ES module
 * does (and as a failed import does in Python's workers, on every call): it may
 * have defined some of its tasks before it threw, and those must not run
 * inside a half-initialised module.
 */
const TS_EXTENSION = /\.(c|m)?tsx?$/i;
const cache = new Map<string, Promise<Record<string, unknown>>>();
/** Modules being imported, or whose import failed: their tasks are not served from the registry. */
const unavailable = new Set<string>();

type TsImport = (specifier: string, parentURL: string) => Promise<Record<string, unknown>>;
let tsImport: Promise<TsImport> | undefined;

/** tsx is missing: the module itself never ran, so a later import may be tried again. */
class LoaderMissingError extends Error {}

function loadTsx(): Promise<TsImport> {
  tsImport ??= import('tsx/esm/api').then(
    (api) => (api as { tsImport: TsImport }).tsImport,
    (error: unknown) => {
      tsImport = undefined;
      const wrapped = new LoaderMissingError(
        'Loading a TypeScript task module needs the "tsx" package: install it (npm install -D tsx), or build the module to JavaScript and pass the .js URL.',
      );
      wrapped.cause = error;
      throw wrapped;
    },
  );
  return tsImport;
}

/** Whether a module URL needs the TypeScript loader. */
export function isTypeScriptModule(url: string): boolean {
  return TS_EXTENSION.test(new URL(url).pathname);
}

/** True when the import failed before any of the module ran (not found, no loader): it may be tried again. */
function neverRan(error: unknown): boolean {
  return error instanceof LoaderMissingError || (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';
}

/** Imports (once per thread) the module at `url`. A module that threw while it ran rejects the same way every time. */
export function importModule(url: string): Promise<Record<string, unknown>> {
  let loaded = cache.get(url);
  if (!loaded) {
    unavailable.add(url);
    loaded = isTypeScriptModule(url)
      ? loadTsx().then((load) => load(url, import.meta.url))
      : (import(url) as Promise<Record<string, unknown>>);
    cache.set(url, loaded);
    loaded.then(
      () => unavailable.delete(url),
      (error: unknown) => {
        if (!neverRan(error)) return; // stays unavailable, and rejects again on every import
        cache.delete(url);
        unavailable.delete(url);
      },
    );
  }
  return loaded;
}

/**
 * True while `url` is being imported by this loader, and for good once that
 * import failed: tasks it registered so far belong to a module that did not finish.
 */
export function isUnavailable(url: string): boolean {
  return unavailable.size > 0 && unavailable.has(url);
}
