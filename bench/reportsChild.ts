import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../db/client.js';
import { type ReportData, reportData } from '../db/reportData.js';
import { reportModelDetails } from '../db/reportModelDetails.js';
import { reportSummary } from '../reports/chatSummary.js';
import { docxOptionsFor, reportDocx } from '../reports/docx.js';
import { quarterPeriod, yearPeriod } from '../core/period.js';
import { reportXlsx, writeReportXlsx } from '../reports/xlsx.js';
import { DATASET_NOW } from './nationalDataset.js';

/**
 * One scenario of the reports benchmark in a process of its own, so its timings start cold (as
 * a CLI run or the bot's first report after a restart) and its peak RSS is its own. Prints one
 * line of JSON on stdout.
 *
 * usage: node --import tsx bench/reportsChild.ts province <dbPath> <rootUnitId>
 *        node --import tsx bench/reportsChild.ts national <dbPath> <xlsxPath>
 *        node --import tsx bench/reportsChild.ts national-past <dbPath>
 *
 * province: what /baocao does in a chat for a province leader (ReportData, chat text, the
 *   in-memory xlsx and docx the bot sends), plus ReportData again, warm.
 * national: what the CLI does for the whole deployment (ReportData, chat text, the streamed
 *   xlsx written to a file, the docx).
 * national-past: the whole deployment's ReportData of quarter III, its states replayed to 30/09.
 */

export interface ProvinceFigures {
  units: number;
  models: number;
  reportMs: number;
  /** Median of WARM_CALLS more calls in the same process. */
  reportWarmMs: number;
  /** A closed period (quarter III, ended 30/09), its states replayed from the history: median of WARM_CALLS calls. */
  pastReportWarmMs: number;
  summaryMs: number;
  xlsxMs: number;
  docxMs: number;
  maxRssMb: number;
}

export interface NationalFigures {
  units: number;
  models: number;
  startRssMb: number;
  reportMs: number;
  summaryMs: number;
  summaryChars: number;
  xlsxMs: number;
  xlsxBytes: number;
  docxMs: number;
  docxBytes: number;
  /** Peak resident set size so far, after ReportData and after the xlsx: where the memory goes. */
  peakAfterDataMb: number;
  peakAfterXlsxMb: number;
  /** Peak resident set size of the whole process, start-up included. */
  maxRssMb: number;
}

const WARM_CALLS = 5;
const PERIOD = yearPeriod(2026);
/** Ended before DATASET_NOW (20/12): its states are replayed from model_state_history to 30/09. */
const PAST_PERIOD = quarterPeriod(2026, 3);

const timed = async <T>(work: () => T | Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};
// resourceUsage().maxRSS is in kibibytes.
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function province(dbPath: string, rootUnitId: number): Promise<ProvinceFigures> {
  const app = await openDatabase(dbPath);
  try {
    const report = (): ReportData => reportData(app.db, { rootUnitId, subtree: true }, PERIOD, DATASET_NOW);
    const [data, reportMs] = await timed(report);
    const [, summaryMs] = await timed(() => reportSummary(data));
    // The models' texts are read for the spreadsheet alone, so their reading counts in its time.
    const [, xlsxMs] = await timed(() => reportXlsx(data, reportModelDetails(app.db, data)));
    const [, docxMs] = await timed(() => reportDocx(data, docxOptionsFor(data)));
    const warm: number[] = [];
    for (let i = 0; i < WARM_CALLS; i++) warm.push((await timed(report))[1]);
    warm.sort((a, b) => a - b);
    const past: number[] = [];
    for (let i = 0; i < WARM_CALLS; i++) past.push((await timed(() => reportData(app.db, { rootUnitId, subtree: true }, PAST_PERIOD, DATASET_NOW)))[1]);
    past.sort((a, b) => a - b);
    return {
      units: data.units.length,
      models: data.models.length,
      reportMs,
      reportWarmMs: warm[Math.floor(WARM_CALLS / 2)]!,
      pastReportWarmMs: past[Math.floor(WARM_CALLS / 2)]!,
      summaryMs,
      xlsxMs,
      docxMs,
      maxRssMb: maxRssMb(),
    };
  } finally {
    app.close();
  }
}

async function national(dbPath: string, xlsxPath: string): Promise<NationalFigures> {
  const app = await openDatabase(dbPath);
  try {
    const startRssMb = process.memoryUsage().rss / 2 ** 20;
    const [data, reportMs] = await timed(() => reportData(app.db, { rootUnitId: null, subtree: true }, PERIOD, DATASET_NOW));
    const peakAfterDataMb = maxRssMb();
    const [summary, summaryMs] = await timed(() => reportSummary(data));
    const [, xlsxMs] = await timed(() => writeReportXlsx(data, reportModelDetails(app.db, data), xlsxPath));
    const peakAfterXlsxMb = maxRssMb();
    const [docx, docxMs] = await timed(() => reportDocx(data, docxOptionsFor(data)));
    return {
      units: data.units.length,
      models: data.models.length,
      startRssMb,
      reportMs,
      summaryMs,
      summaryChars: summary.length,
      xlsxMs,
      xlsxBytes: statSync(xlsxPath).size,
      docxMs,
      docxBytes: docx.length,
      peakAfterDataMb,
      peakAfterXlsxMb,
      maxRssMb: maxRssMb(),
    };
  } finally {
    app.close();
  }
}

export interface PastFigures {
  reportMs: number;
  maxRssMb: number;
}

/** The whole deployment's ReportData of a closed quarter, every model's state replayed: the process's first call. */
async function nationalPast(dbPath: string): Promise<PastFigures> {
  const app = await openDatabase(dbPath);
  try {
    const [, reportMs] = await timed(() => reportData(app.db, { rootUnitId: null, subtree: true }, PAST_PERIOD, DATASET_NOW));
    return { reportMs, maxRssMb: maxRssMb() };
  } finally {
    app.close();
  }
}

const [scenario, dbPath, arg] = process.argv.slice(2);
if (scenario === 'province' && dbPath && arg) process.stdout.write(`${JSON.stringify(await province(dbPath, Number(arg)))}\n`);
else if (scenario === 'national' && dbPath && arg) process.stdout.write(`${JSON.stringify(await national(dbPath, arg))}\n`);
else if (scenario === 'national-past' && dbPath) process.stdout.write(`${JSON.stringify(await nationalPast(dbPath))}\n`);
else {
  process.stderr.write('usage: reportsChild.ts province <dbPath> <rootUnitId> | national <dbPath> <xlsxPath> | national-past <dbPath>\n');
  process.exitCode = 2;
}
