// Concurrency limits: at most `global` runs at once, and at most `perKey` for one key (a host name).

export interface Limiter {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Runs in flight now, in total. */
  active(): number;
}

export function createLimiter(global: number, perKey: number): Limiter {
  let running = 0;
  const runningByKey = new Map<string, number>();
  const waiting: { key: string; start: () => void }[] = [];

  const canStart = (key: string) => running < global && (runningByKey.get(key) ?? 0) < perKey;

  const startNext = () => {
    for (let i = 0; i < waiting.length && running < global; ) {
      const next = waiting[i]!;
      if (canStart(next.key)) {
        waiting.splice(i, 1);
        next.start();
      } else i++;
    }
  };

  return {
    active: () => running,
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          running++;
          runningByKey.set(key, (runningByKey.get(key) ?? 0) + 1);
          task()
            .then(resolve, reject)
            .finally(() => {
              running--;
              const left = (runningByKey.get(key) ?? 1) - 1;
              if (left === 0) runningByKey.delete(key);
              else runningByKey.set(key, left);
              startNext();
            });
        };
        if (canStart(key)) start();
        else waiting.push({ key, start });
      });
    },
  };
}
