/**
 * Progress bars as a person sees them: the program runs under a real
 * pseudo-terminal (`script`), and its output is read into a terminal emulator
 * (xterm's headless build) to check the screen.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../dist/index.js', import.meta.url).href;
const PROGRAM = fileURLToPath(new URL('./fixtures/progress-program.mjs', import.meta.url));
const env = { ...process.env, PARAPOOL_CORE: CORE, NO_COLOR: '1' };

/** Runs the program with stderr (and stdout) on a pseudo-terminal; returns the raw bytes it drew. */
function underTerminal(arg = ''): string {
  const command = [process.execPath, PROGRAM, arg].map((part) => `'${part}'`).join(' ');
  const run = spawnSync('script', ['-qfec', `stty cols 120 rows 30; ${command}`, '/dev/null'], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  expect(run.status).toBe(0);
  return run.stdout;
}

/** The screen after `raw` was drawn on a 120×30 terminal, as lines of text. */
async function screen(raw: string): Promise<string[]> {
  const terminal = new xterm.Terminal({ cols: 120, rows: 30, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(raw, resolve));
  const lines: string[] = [];
  const buffer = terminal.buffer.active;
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  terminal.dispose();
  return lines.filter((line) => line.trim() !== '');
}

describe('progress: true', () => {
  it('draws a bar on a terminal that moves, ends at 100% and leaves one clean line', async () => {
    const raw = underTerminal();
    const lines = await screen(raw);
    const bars = lines.filter((line) => line.includes('doubling'));
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatch(/100% \| 40\/40 \|/);
    expect(lines).toContain('sum 1560');
    // It was redrawn part-way: a percentage strictly between 0 and 100 was drawn.
    const drawn = [...raw.matchAll(/(\d+)% \|/g)].map((m) => Number(m[1]));
    expect(drawn.some((p) => p > 0 && p < 100)).toBe(true);
  });

  it('gives concurrent calls a line each', async () => {
    const lines = await screen(underTerminal('two'));
    expect(lines.filter((line) => line.includes('doubling'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('again'))).toHaveLength(1);
    for (const label of ['doubling', 'again']) {
      expect(lines.find((line) => line.includes(label))).toMatch(/100% \| 40\/40 \|/);
    }
  });

  it('lines the program writes while a bar is drawn appear whole, above the bar, which stays whole', async () => {
    const raw = underTerminal('log');
    // The lines were written while the bar was on the screen, drawn part-way.
    const written = raw.indexOf('a line on stdout');
    expect(written).toBeGreaterThan(-1);
    const before = [...raw.slice(0, written).matchAll(/(\d+)% \|/g)].map((m) => Number(m[1]));
    expect(before.some((p) => p > 0 && p < 100)).toBe(true);
    const lines = await screen(raw);
    expect(lines).toEqual([
      'a line on stdout while the bar is drawn',
      'a line on stderr while the bar is drawn',
      'a line written in two parts',
      expect.stringMatching(/^doubling \|█+\| 100% \| 40\/40 \| .* \| ETA +0s$/),
      'sum 1560',
    ]);
  });

  it('with stderr piped, prints no escape codes: one summary line per call at its end', () => {
    const run = spawnSync(process.execPath, [PROGRAM, 'two'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('\u001b');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((line) => /^doubling: 40\/40 done in \d+\.\d s \(/.test(line))).toBe(true);
    expect(lines.some((line) => /^again: 40\/40 done in \d+\.\d s \(/.test(line))).toBe(true);
    expect(run.stdout.trim().split('\n')).toEqual(['sum 1560', 'sum 1560']);
  });

  it('names a bar the option leaves unnamed by its method and task', () => {
    const run = spawnSync(process.execPath, [PROGRAM, 'unnamed'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(run.status).toBe(0);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.some((line) => /^map inline: 40\/40 done in \d+\.\d s \(/.test(line))).toBe(true);
    expect(lines.some((line) => /^imap inline: 40\/40 done in \d+\.\d s \(/.test(line))).toBe(true);
  });
});
