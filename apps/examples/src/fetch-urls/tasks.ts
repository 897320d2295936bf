import { defineTasks } from '@parapool/core';

export const tasks = defineTasks(import.meta.url, {
  /** Fetches one URL and returns its JSON body. Async: the URLs of one chunk are fetched concurrently. */
  fetchJson: async (url: string): Promise<{ id: number; value: number }> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
    return (await response.json()) as { id: number; value: number };
  },
});
