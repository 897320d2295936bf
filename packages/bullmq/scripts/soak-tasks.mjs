// The task module of soak.mjs.
import { defineTasks } from '@parapool/core';

export const soakTasks = defineTasks(import.meta.url, { identity: (value) => value });
