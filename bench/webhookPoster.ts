import { Worker } from 'node:worker_threads';

/**
 * Zalo's side of a webhook burst, on a thread of its own: posts prepared bodies to a webhook, many
 * at once (node:http: the lightest client Node has), and times each post from
 * the moment it is sent to the moment its status line comes back. On the bot's own thread the
 * timer would also wait for the bot's work (the client would read its answer on the same event
 * loop), and the acknowledgement would look slower than what Zalo sees; here only the server is on
 * the bot's thread.
 *
 * A post may name another that must be acknowledged first: one person's messages reach the
 * webhook in the order they were written (the webhook queues each group's events in the order
 * received, so an answer cannot overtake its question's turn).
 */

export interface PlannedPost {
  /** The JSON body, as Zalo sends it. */
  body: string;
  /** X-ZEvent-Signature for the body. */
  signature: string;
  /** Index of the post that must have its answer before this one is sent; -1 for none. */
  after: number;
}

export interface BurstTimes {
  /** Per post, in the order planned: when it was sent and when its status came back (epoch ms, fractional). */
  sentAt: number[];
  ackAt: number[];
  /** HTTP status, or -1 when the request failed. */
  status: number[];
  /** Why requests failed (at most a few). */
  errors: string[];
}

interface Job {
  id: number;
  url: string;
  posts: PlannedPost[];
  concurrency: number;
  newConnections: boolean;
}

export interface BurstOptions {
  /** Posts at once. */
  concurrency: number;
  /**
   * A new TCP connection for every post (as a proxy in front of the bot opens them when it keeps
   * no connection to its upstream alive); otherwise one kept-alive connection per post in flight.
   */
  newConnections?: boolean;
}

export class WebhookPoster {
  private readonly worker = new Worker(WORKER_SOURCE, { eval: true });
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (times: BurstTimes) => void; reject: (error: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: BurstTimes & { id: number }) => {
      const { id, ...times } = m;
      this.waiting.get(id)?.resolve(times);
      this.waiting.delete(id);
    });
    this.worker.on('error', (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  /** Sends every post, at most `concurrency` at a time, each as soon as it may go; resolves when all are answered. */
  burst(url: string, posts: readonly PlannedPost[], options: BurstOptions): Promise<BurstTimes> {
    const job: Job = { id: this.next++, url, posts: [...posts], concurrency: options.concurrency, newConnections: options.newConnections ?? false };
    return new Promise((resolve, reject) => {
      this.waiting.set(job.id, { resolve, reject });
      this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Plain JavaScript (eval'd): the worker needs no TypeScript loader. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const http = require('node:http');
const now = () => performance.timeOrigin + performance.now();

const post = (agent, url, body, signature) =>
  new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-zevent-signature': signature },
    });
    request.on('response', (response) => {
      const at = now();
      response.resume();
      response.on('end', () => resolve({ at, status: response.statusCode }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });

parentPort.on('message', (job) => {
  const n = job.posts.length;
  // Kept-alive sockets, one per post in flight; or a new connection for every post.
  const agent = job.newConnections ? new http.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  // 0 waiting, 1 in flight, 2 answered.
  const state = new Uint8Array(n);
  const sentAt = new Array(n).fill(0);
  const ackAt = new Array(n).fill(0);
  const status = new Array(n).fill(0);
  const errors = [];
  let inFlight = 0;
  let answered = 0;
  let first = 0;
  const finish = () => {
    agent.destroy();
    parentPort.postMessage({ id: job.id, sentAt, ackAt, status, errors });
  };

  const send = async (i) => {
    const planned = job.posts[i];
    state[i] = 1;
    inFlight++;
    sentAt[i] = now();
    try {
      const answer = await post(agent, job.url, planned.body, planned.signature);
      ackAt[i] = answer.at;
      status[i] = answer.status;
    } catch (error) {
      ackAt[i] = now();
      status[i] = -1;
      if (errors.length < 5) errors.push(String(error));
    }
    state[i] = 2;
    inFlight--;
    answered++;
    if (answered === n) finish();
    else pump();
  };

  // The earliest posts that may go, in the planned order, up to the concurrency.
  const pump = () => {
    while (first < n && state[first] !== 0) first++;
    for (let i = first; i < n && inFlight < job.concurrency; i++) {
      if (state[i] !== 0) continue;
      const after = job.posts[i].after;
      if (after >= 0 && state[after] !== 2) continue;
      void send(i);
    }
  };
  if (n === 0) finish();
  else pump();
});
`;
