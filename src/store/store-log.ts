// What the store logs through, on either backend: the part of the service's logger it uses.
export interface StoreLog {
  /** Progress worth a line (a migration of an existing database: it may take seconds). */
  info?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
