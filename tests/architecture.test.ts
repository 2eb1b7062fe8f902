import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The README's promise about layers, as a check. Arrows point down only:
 *   bot → commands → reports → scheduler → db → core
 * core imports node and zod only; grammY is imported only under bot/telegram/, zca-js only under
 * bot/zalo/; the document renderers (exceljs, docx, echarts, resvg) only in reports/ and bot/; no file reaches itself through its imports; bench/ never imports tests/.
 */

const ROOT = resolve(import.meta.dirname, '..');

/** Lower index = lower layer. A file may import its own layer or any layer below it. */
const LAYERS = ['core', 'db', 'scheduler', 'reports', 'commands', 'bot'] as const;

/** Which packages a folder may import, beyond relative paths; checked by prefix. */
const SDK_HOMES: Array<{ pkg: RegExp; home: string }> = [
  { pkg: /^(grammy|@grammyjs\/)/, home: 'bot/telegram/' },
  { pkg: /^zca-js(\/|$)/, home: 'bot/zalo/' },
];

const CORE_PACKAGES = new Set(['zod']);

/** Document renderers: heavy, and only for files (reports/, and the operator's CLI reading a spreadsheet). */
const RENDERERS = /^(exceljs|docx|echarts|@resvg\/)/;
const RENDERER_FREE = new Set(['core', 'db', 'scheduler', 'commands']);

export interface Edge {
  from: string;
  /** A repository-relative path for a relative import, the package name otherwise. */
  to: string;
  relative: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every import of a file: static, `export … from`, `import type`, and `import('…')`. */
function importsOf(file: string): Edge[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName }) => {
    if (!fileName.startsWith('.')) return { from: file, to: fileName, relative: false };
    const target = relative(ROOT, resolve(ROOT, dirname(file), fileName)).replace(/\.js$/, '.ts');
    return { from: file, to: target, relative: true };
  });
}

const top = (path: string): string => path.split('/')[0] ?? path;

/** What is wrong with a set of imports; empty when the house is in order. */
export function layerViolations(edges: readonly Edge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    const fromTop = top(e.from);
    const fromRank = LAYERS.indexOf(fromTop as (typeof LAYERS)[number]);
    if (e.relative) {
      const toRank = LAYERS.indexOf(top(e.to) as (typeof LAYERS)[number]);
      if (fromRank >= 0 && toRank > fromRank) problems.push(`upward: ${e.from} imports ${e.to}`);
      if (fromRank >= 0 && toRank < 0) problems.push(`outside the layers: ${e.from} imports ${e.to}`);
      if (fromTop === 'bench' && top(e.to) === 'tests') problems.push(`bench imports tests: ${e.from} imports ${e.to}`);
      continue;
    }
    const pkg = e.to.replace(/^node:/, '');
    if (fromTop === 'core' && !builtinModules.includes(pkg) && !CORE_PACKAGES.has(e.to)) {
      problems.push(`core imports a package: ${e.from} imports ${e.to}`);
    }
    if (RENDERERS.test(e.to) && RENDERER_FREE.has(fromTop)) problems.push(`${e.to} outside reports/ and bot/cli/: ${e.from}`);
    for (const { pkg: sdk, home } of SDK_HOMES) {
      if (sdk.test(e.to) && fromRank >= 0 && !e.from.startsWith(home)) problems.push(`${e.to} outside ${home}: ${e.from}`);
    }
  }
  return problems;
}

/** Circles of files (Tarjan's strongly connected components over relative imports). */
export function importCircles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (e.relative) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.includes(v)) circles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return circles;
}

const SOURCES = [...LAYERS, 'bench'].flatMap(sourceFiles);
const EDGES = SOURCES.flatMap(importsOf);

describe('the layers', () => {
  it('reads the whole tree (a check over nothing would pass for nothing)', () => {
    expect(SOURCES.length).toBeGreaterThan(150);
    for (const layer of LAYERS) expect(SOURCES.some((f) => top(f) === layer)).toBe(true);
    expect(EDGES.filter((e) => e.relative && top(e.from) === 'commands' && top(e.to) === 'db').length).toBeGreaterThan(50);
  });

  it('every arrow points down, core stays bare, each SDK stays in its adapter, bench keeps out of tests', () => {
    expect(layerViolations(EDGES)).toEqual([]);
  });

  it('no file reaches itself through its imports', () => {
    expect(importCircles(EDGES)).toEqual([]);
  });

  it('every relative import names a file that exists', () => {
    const known = new Set([...SOURCES, ...sourceFiles('tests')]);
    const missing = EDGES.filter((e) => e.relative && e.to.endsWith('.ts') && !known.has(e.to));
    expect(missing).toEqual([]);
  });
});

describe('the check itself', () => {
  it('fails on an arrow that points up', () => {
    const planted: Edge[] = [
      { from: 'commands/dangky.ts', to: 'db/units.ts', relative: true },
      { from: 'db/units.ts', to: 'core/text.ts', relative: true },
      { from: 'db/units.ts', to: 'commands/shared/command.ts', relative: true },
      { from: 'bench/zaloSoak.ts', to: 'tests/bot/zalo/fakeZalo/index.ts', relative: true },
    ];
    expect(layerViolations(planted)).toEqual([
      'upward: db/units.ts imports commands/shared/command.ts',
      'bench imports tests: bench/zaloSoak.ts imports tests/bot/zalo/fakeZalo/index.ts',
    ]);
  });

  it('fails on grammY or zca-js outside their adapters, a renderer in the lower layers, and a package in core', () => {
    const planted: Edge[] = [
      { from: 'commands/dangky.ts', to: 'grammy', relative: false },
      { from: 'bot/telegram/adapter.ts', to: 'zca-js', relative: false },
      { from: 'core/text.ts', to: 'drizzle-orm', relative: false },
      { from: 'core/text.ts', to: 'node:crypto', relative: false },
      { from: 'db/unitImport.ts', to: 'exceljs', relative: false },
      { from: 'reports/xlsx.ts', to: 'exceljs', relative: false },
    ];
    expect(layerViolations(planted)).toEqual([
      'grammy outside bot/telegram/: commands/dangky.ts',
      'zca-js outside bot/zalo/: bot/telegram/adapter.ts',
      'core imports a package: core/text.ts imports drizzle-orm',
      'exceljs outside reports/ and bot/cli/: db/unitImport.ts',
    ]);
  });

  it('finds a circle', () => {
    const planted: Edge[] = [
      { from: 'db/a.ts', to: 'db/b.ts', relative: true },
      { from: 'db/b.ts', to: 'db/c.ts', relative: true },
      { from: 'db/c.ts', to: 'db/a.ts', relative: true },
      { from: 'db/c.ts', to: 'core/d.ts', relative: true },
    ];
    expect(importCircles(planted)).toEqual([['db/a.ts', 'db/b.ts', 'db/c.ts']]);
  });
});
