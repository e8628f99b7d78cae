// Readiness for load balancers and orchestrators: ready once the database is migrated, the search
// index is complete and the start-up ingest has finished, so a fresh instance is not sent readers before
// it has content.

export type ReadinessStep = 'database' | 'search-index' | 'first-ingest';

export interface Readiness {
  done(step: ReadinessStep): void;
  /** Steps still pending; empty when ready. */
  pending(): ReadinessStep[];
  isReady(): boolean;
}

export function createReadiness(steps: readonly ReadinessStep[] = ['database', 'search-index', 'first-ingest']): Readiness {
  const waiting = new Set(steps);
  return {
    done(step) {
      waiting.delete(step);
    },
    pending: () => [...waiting],
    isReady: () => waiting.size === 0,
  };
}
