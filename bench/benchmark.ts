/** What a benchmark is and reports; run.ts runs them and writes docs/BENCHMARKS.md. */

export interface Goal {
  op: '<=' | '>=' | '==';
  value: number;
}

export interface Metric {
  name: string;
  unit: string;
  /** One value per repetition. */
  runs: number[];
  goal?: Goal;
  /** Digits shown. */
  digits?: number;
}

export interface BenchmarkReport {
  metrics: Metric[];
  /** Conditions worth printing with the table (scale, data size, limits used). */
  notes: string[];
}

export interface BenchmarkContext {
  scale?: number;
  log(line: string): void;
}

export interface Benchmark {
  id: string;
  title: string;
  /** What is measured, one paragraph for the document. */
  description: string;
  run(context: BenchmarkContext): Promise<BenchmarkReport>;
}

export function meets(value: number, goal: Goal): boolean {
  if (goal.op === '<=') return value <= goal.value;
  if (goal.op === '>=') return value >= goal.value;
  return value === goal.value;
}
