import { stealDuring } from './cpuSteal.js';
import { referenceLoopMs } from './referenceLoop.js';
import type { Metric } from './benchmark.js';

/**
 * How fast the shared machine was around one run of a benchmark: the reference loop's time at its
 * start and the CPU steal over it. Every benchmark prints both next to its figures, so a slow
 * moment of the machine is not read as slow code.
 */
export interface MachineState {
  referenceMs: number;
  stealPercent: number;
}

/** Call as a run starts (times the reference loop, begins watching steal); call the result as it ends. */
export function watchMachine(): () => MachineState {
  const referenceMs = referenceLoopMs();
  const steal = stealDuring();
  return () => ({ referenceMs, stealPercent: steal() });
}

/** For a run's log line. */
export function describeMachine(state: MachineState): string {
  return `reference loop ${state.referenceMs.toFixed(0)} ms, steal ${state.stealPercent.toFixed(0)} %`;
}

/** The two table rows, one value per run. */
export function machineMetrics(states: readonly MachineState[]): Metric[] {
  return [
    {
      name: 'Reference CPU loop at the start of the run (bench/referenceLoop.ts; lower is a faster moment)',
      unit: 'ms',
      runs: states.map((s) => s.referenceMs),
    },
    { name: 'CPU steal during the run (bench/cpuSteal.ts; CPU time the host gave to other machines)', unit: '%', runs: states.map((s) => s.stealPercent) },
  ];
}
