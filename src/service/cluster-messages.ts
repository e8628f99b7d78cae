// What the cluster primary and its serving workers tell each other over IPC (node:cluster), and a small
// request/answer helper on top of `process.send`. Plain JSON only.
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { ConfigProblems } from '../config/watch-config.js';

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Primary → worker. */
export type ToWorker =
  | { type: 'ready' }
  | { type: 'settings'; logLevel: string; adminToken: string | undefined; categories: Config['categories']; sources: Config['sources']; seedFolder: Config['seedFolder']; configProblems: ConfigProblems | null }
  | { type: 'metrics-json'; id: number }
  | { type: 'answer'; id: number; ok: boolean; value?: unknown; error?: string };

/** Worker → primary. */
export type ToPrimary =
  | { type: 'listening'; url: string }
  | { type: 'metrics-json'; id: number; metrics: MetricsJson }
  | ({ type: 'ask'; id: number } & Question);

/** What a worker asks the primary for: the cluster's metrics, or a refresh run (POST /admin/refresh). */
export type Question = { what: 'metrics' } | { what: 'refresh'; source?: string | undefined };

/** The environment variable through which the primary hands its config to every worker it forks (JSON). */
export const WORKER_CONFIG_ENV = 'AGGREGATOR_WORKER_CONFIG';

export const isMessage = (value: unknown): value is { type: string } =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** Worker side: asks the primary and resolves with its answer (rejects on an error answer or after `timeoutMs`). */
export function createAsker(timeoutMs = 60_000) {
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  return {
    ask(question: Question): Promise<unknown> {
      const id = next++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the primary did not answer ${question.what} in ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        const message: ToPrimary = { type: 'ask', id, ...question };
        process.send!(message);
      });
    },
    /** Feed every `answer` message from the primary here. */
    answered(message: Extract<ToWorker, { type: 'answer' }>): void {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(message.error ?? 'failed'));
    },
  };
}
