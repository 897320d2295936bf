/**
 * Issue 6's targets, checked on a run's figures (ratios within one run).
 * They are reported, never asserted: the machine is shared and noisy.
 */
import type { BenchResults, Measurement, TargetCheck, WorkloadResult } from './results.js';
import { grainLabel } from './workloads/crossover.js';

const fmt = (n: number, digits = 2) => n.toFixed(digits);

function find(w: WorkloadResult | undefined, subject: string, method: string | RegExp): Measurement | undefined {
  return w?.measurements.find(
    (m) =>
      m.subject === subject &&
      m.status === 'ok' &&
      (typeof method === 'string' ? m.method === method : method.test(m.method)),
  );
}

/** Every target for every parapool backend of the run. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const byName = (name: string) => results.workloads.find((w) => w.name === name);
  const backends = results.subjects.filter((s) => s.kind === 'parapool' && s.available);
  const checks: TargetCheck[] = [];
  const cpu = byName('cpu-bound');
  const square = byName('square');
  const howmany = byName('howmany');
  const crossover = byName('crossover');

  for (const backend of backends) {
    const name = backend.name;
    if (cpu) {
      const m = find(cpu, name, 'map');
      if (backend.inProcess) {
        checks.push({
          target: 'cpu-bound ≥ 1.85× sequential',
          subject: name,
          value: m?.speedup === undefined ? 'n/a' : `${fmt(m.speedup)}×`,
          met: null,
          note: 'in-process backend: runs in the calling thread, no parallel speedup by design',
        });
      } else {
        checks.push({
          target: 'cpu-bound ≥ 1.85× sequential',
          subject: name,
          value: m?.speedup === undefined ? 'n/a' : `${fmt(m.speedup)}×`,
          met: m?.speedup === undefined ? null : m.speedup >= 1.85,
        });
      }
    }
    if (square) {
      const m = find(square, name, 'map');
      checks.push({
        target: 'square map: overhead ≤ 100 ns/item',
        subject: name,
        value: m?.overheadNsPerItem === undefined ? 'n/a' : `${fmt(m.overheadNsPerItem, 0)} ns`,
        met: m?.overheadNsPerItem === undefined ? null : m.overheadNsPerItem <= 100,
      });
    }
    if (howmany) {
      const map = find(howmany, name, 'map');
      const py = find(howmany, 'python', 'map');
      checks.push({
        target: 'howmany map faster than CPython Pool.map',
        subject: name,
        value:
          map?.medianMs === undefined
            ? 'n/a'
            : `${fmt(map.medianMs, 1)} ms vs ${py?.medianMs === undefined ? 'n/a (run with --python)' : `${fmt(py.medianMs, 1)} ms`}`,
        met: map?.medianMs === undefined || py?.medianMs === undefined ? null : map.medianMs < py.medianMs,
      });
      const raw = find(howmany, `${name} (raw)`, /^per chunk/);
      if (results.subjects.some((s) => s.name === `${name} (raw)` && s.available)) {
        checks.push({
          target: 'howmany map within 10% of the raw library, same chunks',
          subject: name,
          value:
            map?.medianMs === undefined || raw?.medianMs === undefined
              ? 'n/a'
              : `${fmt(map.medianMs, 1)} ms vs ${fmt(raw.medianMs, 1)} ms (${fmt((map.medianMs / raw.medianMs - 1) * 100, 0)}%)`,
          met: map?.medianMs === undefined || raw?.medianMs === undefined ? null : map.medianMs <= raw.medianMs * 1.1,
        });
      }
      for (const method of ['applyAsync + callback, sort', 'applyAsync + get()']) {
        const loop = find(howmany, name, method);
        checks.push({
          target: `howmany ${method} within 3× of map`,
          subject: name,
          value:
            map?.medianMs === undefined || loop?.medianMs === undefined
              ? 'n/a'
              : `${fmt(loop.medianMs / map.medianMs)}× map`,
          met: map?.medianMs === undefined || loop?.medianMs === undefined ? null : loop.medianMs <= map.medianMs * 3,
        });
      }
    }
    if (crossover?.crossoverUs) {
      const us = crossover.crossoverUs[name];
      checks.push({
        target: 'crossover: grain from which it beats sequential',
        subject: name,
        value: us === undefined ? 'n/a' : us === null ? 'never (in the grains measured)' : grainLabel(us),
        met: null,
        note: 'stated, not a pass/fail target',
      });
    }
  }
  return checks;
}
