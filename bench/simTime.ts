/**
 * Simulated time for a soak: a clock that moves only when the driver moves it, and the timers the
 * code under test waits on (its injected `sleep`, `after`, `every`), kept in order and fired by
 * the driver one at a time. A week of back-offs, pacing and watchdog ticks then plays in minutes
 * of wall time, and every part agrees on "now". Real work (sockets, threads) still takes real
 * time; the driver lets it finish before it moves the clock (bench/zaloSoakWorld.ts).
 */

interface SimTimer {
  at: number;
  /** Order of scheduling: timers due at the same instant fire in the order they were set. */
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export class SimTime {
  /** Simulated epoch ms. */
  now: number;
  /** Timers ever scheduled (the driver watches it to see that something happened). */
  scheduled = 0;
  private readonly heap: SimTimer[] = [];
  private live = 0;
  private seq = 0;

  constructor(start: number) {
    this.now = start;
  }

  /** Runs `fn` once `ms` of simulated time have passed, unless the returned function cancels it. */
  readonly after = (ms: number, fn: () => void): (() => void) => {
    const timer: SimTimer = { at: this.now + Math.max(0, ms), seq: this.seq++, fire: fn, cancelled: false };
    this.push(timer);
    this.scheduled++;
    this.live++;
    return () => {
      if (timer.cancelled) return;
      timer.cancelled = true;
      this.live--;
    };
  };

  /** Resolves once `ms` of simulated time have passed. */
  readonly sleep = (ms: number): Promise<void> => new Promise((resolve) => this.after(ms, resolve));

  /** Runs `fn` every `ms` of simulated time until the returned function is called. */
  readonly every = (ms: number, fn: () => void): (() => void) => {
    let stopped = false;
    let cancel = () => {};
    const next = () => {
      cancel = this.after(ms, () => {
        if (stopped) return;
        next();
        fn();
      });
    };
    next();
    return () => {
      stopped = true;
      cancel();
    };
  };

  /** When the next timer is due, if any. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Timers waiting (not cancelled). */
  get pending(): number {
    return this.live;
  }

  /** Moves the clock to the next timer (never backwards) and fires it. */
  fireNext(): void {
    this.dropCancelled();
    const timer = this.pop();
    if (!timer) return;
    this.live--;
    timer.cancelled = true;
    this.now = Math.max(this.now, timer.at);
    timer.fire();
  }

  /** Moves the clock on to `at` (never backwards). */
  advanceTo(at: number): void {
    this.now = Math.max(this.now, at);
  }

  private dropCancelled(): void {
    while (this.heap[0]?.cancelled) this.pop();
  }

  private before(a: SimTimer, b: SimTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: SimTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): SimTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
