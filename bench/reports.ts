import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../db/client.js';
import { generateNationalDataset, NATIONAL, type NationalDataset } from './nationalDataset.js';
import type { NationalFigures, PastFigures, ProvinceFigures } from './reportsChild.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import { childScenario } from './childScenario.js';
import { median } from './median.js';
import type { Benchmark } from './benchmark.js';

/**
 * Issue 7: reports at national scale. A synthetic country (10 provinces of 1,000 units, 30,000
 * models, 300,000 updates) is written once into a SQLite file; each repetition then runs two
 * fresh processes over it: a province leader's report as the bot makes it, and the whole
 * deployment's as the CLI makes it, whose peak RSS is the memory figure.
 */

const REPEATS = 3;
const CHILD = fileURLToPath(new URL('./reportsChild.ts', import.meta.url));

function child<T>(args: string[]): Promise<T> {
  return childScenario<T>(CHILD, args);
}

async function dataset(path: string): Promise<{ dataset: NationalDataset; ms: number }> {
  const start = performance.now();
  const app = await openDatabase(path);
  try {
    const dataset = generateNationalDataset(app, NATIONAL);
    return { dataset, ms: performance.now() - start };
  } finally {
    app.close();
  }
}

export const reports: Benchmark = {
  id: 'reports',
  title: 'Reports at national scale: 10,000 units, 30,000 models, 300,000 updates (issue 7)',
  description: [
    'A synthetic country (bench/nationalDataset.ts, seeded): a root over 10 provinces of about 1,000 units each (departments, districts,',
    'communes, schools…), 30,000 models of 2026 over every field, kind, holder and state, 300,000 progress updates, some quotas, about one',
    'unit in six with no model; the shipped calendar loaded. Written once per run into a SQLite file; each run starts three fresh processes on it',
    '(bench/reportsChild.ts). Province: reportData for one province subtree (1,000 units), year 2026, then its chat text and the in-memory xlsx',
    'and docx the bot sends. National: reportData for the whole deployment, chat text, writeReportXlsx (streamed to a file, as the CLI does) and',
    'reportDocx; its peak RSS (process.resourceUsage().maxRSS, start-up included) is the memory figure. Timings are of the first call in the process.',
    "Quarter III (ended 30/09, so every model's state is replayed from model_state_history to its end, issue 21): the province's ReportData",
    "after its year report (median of 5), and the whole deployment's in a third process.",
  ].join(' '),
  async run({ log }) {
    const wallStart = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'dvk-bench-reports-'));
    try {
      const dbPath = join(dir, 'national.sqlite');
      const { dataset: d, ms: generationMs } = await dataset(dbPath);
      const province = d.provinces.reduce((a, b) => (b.units > a.units ? b : a));
      log(
        `dataset: ${d.units} units, ${d.models} models, ${d.updates} updates, ${d.quotas} quota rows in ${(generationMs / 1000).toFixed(1)} s; province ${province.name} (${province.units} units)`,
      );

      const provinceRuns: ProvinceFigures[] = [];
      const nationalRuns: NationalFigures[] = [];
      const pastRuns: PastFigures[] = [];
      const machineRuns: MachineState[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const watch = watchMachine();
        const p = await child<ProvinceFigures>(['province', dbPath, String(province.id)]);
        const xlsxPath = join(dir, 'national.xlsx');
        const n = await child<NationalFigures>(['national', dbPath, xlsxPath]);
        const past = await child<PastFigures>(['national-past', dbPath]);
        pastRuns.push(past);
        const machine = watch();
        log(
          `run ${r + 1} (${describeMachine(machine)}): province data ${p.reportMs.toFixed(0)} ms (warm ${p.reportWarmMs.toFixed(0)}, Q3 replayed ${p.pastReportWarmMs.toFixed(0)}), text ${p.summaryMs.toFixed(1)}, xlsx ${p.xlsxMs.toFixed(0)}, docx ${p.docxMs.toFixed(0)}; ` +
            `national data ${n.reportMs.toFixed(0)} ms (Q3 replayed ${past.reportMs.toFixed(0)}), text ${n.summaryMs.toFixed(1)}, xlsx ${n.xlsxMs.toFixed(0)}, docx ${n.docxMs.toFixed(0)}, peak RSS ${n.maxRssMb.toFixed(0)} MB`,
        );
        provinceRuns.push(p);
        nationalRuns.push(n);
        machineRuns.push(machine);
        rmSync(xlsxPath, { force: true });
      }
      const p = (f: (r: ProvinceFigures) => number) => provinceRuns.map(f);
      const n = (f: (r: NationalFigures) => number) => nationalRuns.map(f);
      const dbMb = statSync(dbPath).size / 2 ** 20;
      return {
        metrics: [
          {
            name: `Province ReportData (${province.units.toLocaleString('en')} units)`,
            unit: 'ms',
            runs: p((r) => r.reportMs),
            goal: { op: '<=', value: 200 },
          },
          { name: 'Province ReportData, warm (median of 5 more calls)', unit: 'ms', runs: p((r) => r.reportWarmMs) },
          {
            name: 'Province ReportData of quarter III, states replayed to 30/09 (warm, median of 5)',
            unit: 'ms',
            runs: p((r) => r.pastReportWarmMs),
            goal: { op: '<=', value: 200 },
          },
          { name: 'Province chat text', unit: 'ms', runs: p((r) => r.summaryMs), digits: 1 },
          { name: 'Province xlsx (in memory, as the bot sends it)', unit: 'ms', runs: p((r) => r.xlsxMs) },
          { name: 'Province docx', unit: 'ms', runs: p((r) => r.docxMs) },
          { name: 'National ReportData', unit: 'ms', runs: n((r) => r.reportMs) },
          { name: 'National ReportData of quarter III, states replayed (a process of its own)', unit: 'ms', runs: pastRuns.map((r) => r.reportMs) },
          { name: 'Peak RSS, national ReportData of quarter III', unit: 'MB', runs: pastRuns.map((r) => r.maxRssMb), goal: { op: '<=', value: 400 } },
          { name: 'National chat text', unit: 'ms', runs: n((r) => r.summaryMs), digits: 1 },
          { name: 'National xlsx render (writeReportXlsx to a file)', unit: 'ms', runs: n((r) => r.xlsxMs), goal: { op: '<=', value: 5000 } },
          { name: 'National ReportData + xlsx', unit: 'ms', runs: n((r) => r.reportMs + r.xlsxMs) },
          { name: 'National docx render', unit: 'ms', runs: n((r) => r.docxMs) },
          { name: 'National xlsx size', unit: 'MB', runs: n((r) => r.xlsxBytes / 2 ** 20), digits: 1 },
          { name: 'National docx size', unit: 'KB', runs: n((r) => r.docxBytes / 1024) },
          { name: 'RSS after start-up (imports, database open)', unit: 'MB', runs: n((r) => r.startRssMb) },
          { name: 'Peak RSS so far, after national ReportData', unit: 'MB', runs: n((r) => r.peakAfterDataMb) },
          { name: 'Peak RSS so far, after the xlsx', unit: 'MB', runs: n((r) => r.peakAfterXlsxMb) },
          { name: 'Peak RSS, national ReportData + chat text + xlsx + docx', unit: 'MB', runs: n((r) => r.maxRssMb), goal: { op: '<=', value: 400 } },
          ...machineMetrics(machineRuns),
        ],
        notes: [
          `Dataset: ${d.units.toLocaleString('en')} units (${d.provinces.length} provinces), ${d.models.toLocaleString('en')} models, ${d.updates.toLocaleString('en')} updates, ${d.quotas.toLocaleString('en')} quota rows, ${d.people.toLocaleString('en')} people; ${dbMb.toFixed(0)} MB of SQLite. Generated in ${(generationMs / 1000).toFixed(1)} s (once per run, shared by the repetitions).`,
          `Province: ${province.name}, ${p((r) => r.models)[0]!.toLocaleString('en')} models. Period: year 2026; reports made "now" = 2026-12-20.`,
          `${REPEATS} runs, each a fresh process per scenario (node --import tsx, as \`npm start\` runs the bot); the goal on ReportData is the process's first call.`,
          `Whole benchmark: ${((performance.now() - wallStart) / 1000).toFixed(0)} s of wall time. Median national ReportData + xlsx + docx: ${(median(n((r) => r.reportMs + r.xlsxMs + r.docxMs)) / 1000).toFixed(1)} s.`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
