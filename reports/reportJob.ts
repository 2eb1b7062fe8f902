import type { OutgoingFile } from '../core/chat.js';
import type { Db } from '../db/client.js';
import { type ReportData, reportData, type ReportScope } from '../db/reportData.js';
import type { ReportPeriod } from '../core/period.js';
import { type ReportFormat, renderReportFile } from './reportFiles.js';

/**
 * One `/baocao` file request, as plain data: what the report thread makes (reports/reportWorker.ts),
 * or the message handler itself where there is no such thread (an in-memory database). Both call
 * `makeReport`, so a file is the same whichever thread made it.
 */
export interface ReportJob {
  scope: ReportScope;
  period: ReportPeriod;
  /** The instant the report is "as of": the request's, also when it waited in the queue. */
  now: Date;
  formats: ReportFormat[];
}

export interface MadeReport {
  files: OutgoingFile[];
  /** What the caption says about the files (the command words it). */
  about: { rootName: string | null; period: ReportPeriod; models: number; units: number };
}

export interface MakeOptions {
  /**
   * Runs the reading of the data. The worker reads inside one transaction: it runs beside the
   * bot's writes, and the report's dozen queries must all see the same moment of the database.
   */
  read?: (readData: () => ReportData) => ReportData;
  /** Called after the data is read and after each file is made (the worker collects garbage there). */
  between?: () => void;
}

export async function makeReport(db: Db, job: ReportJob, options: MakeOptions = {}): Promise<MadeReport> {
  const readData = () => reportData(db, job.scope, job.period, job.now);
  const data = options.read ? options.read(readData) : readData();
  options.between?.();
  const files: OutgoingFile[] = [];
  for (const format of job.formats) {
    files.push(await renderReportFile(data, format));
    options.between?.();
  }
  return { files, about: { rootName: data.root?.name ?? null, period: data.period, models: data.totals.models, units: data.totals.units } };
}
