/**
 * One colour per column, the same in every chart and every run: a backend's
 * raw library is a lighter shade of the backend's colour. A column added later
 * (a new backend) gets a colour from its name, so it too keeps it.
 */
import { listedBackends } from './backends.js';
import type { SubjectId } from './ids.js';

const FIXED: Record<string, string> = {
  sequential: '#8c8c8c',
  limit: '#222222',
  inline: '#9467bd',
  'piscina-raw': '#9ec5e8',
  'tinypool-raw': '#98df8a',
  'threads-raw': '#ffbb78',
  'child-process-raw': '#f4a3a3',
  'workerpool-raw': '#9edae5',
  'poolifier-raw': '#c49c94',
  python: '#bcbd22',
  'python-sequential': '#dbdb8d',
  // Each adapter's colour is on its line of backends.json.
  ...Object.fromEntries(listedBackends.flatMap(({ name, color }) => (color ? [[name, color]] : []))),
};

const SPARE = ['#e377c2', '#8c564b', '#7f7f7f', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173'];

/** The colour of a column. */
export function colorOf(id: SubjectId | string): string {
  const fixed = FIXED[id];
  if (fixed) return fixed;
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return SPARE[Math.abs(h) % SPARE.length] as string;
}
