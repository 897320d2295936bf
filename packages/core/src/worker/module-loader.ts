/**
 * Imports a task module by URL. TypeScript modules (`.ts`, `.mts`, `.cts`) are
 * loaded through tsx when it is installed, so task modules work in development
 * and tests without a build step.
 */
const TS_EXTENSION = /\.(c|m)?tsx?$/i;
const cache = new Map<string, Promise<Record<string, unknown>>>();

type TsImport = (specifier: string, parentURL: string) => Promise<Record<string, unknown>>;
let tsImport: Promise<TsImport> | undefined;

function loadTsx(): Promise<TsImport> {
  tsImport ??= import('tsx/esm/api').then(
    (api) => (api as { tsImport: TsImport }).tsImport,
    (error: unknown) => {
      tsImport = undefined;
      const wrapped = new Error(
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

/** Imports (once per thread) the module at `url`. */
export function importModule(url: string): Promise<Record<string, unknown>> {
  let loaded = cache.get(url);
  if (!loaded) {
    loaded = isTypeScriptModule(url)
      ? loadTsx().then((load) => load(url, import.meta.url))
      : (import(url) as Promise<Record<string, unknown>>);
    cache.set(url, loaded);
    loaded.catch(() => cache.delete(url));
  }
  return loaded;
}
