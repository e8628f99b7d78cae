// Loaded with `node --import` into a child process: its clock (Date.now and `new Date()`) runs SKEW_MS ahead of
// the machine's, as on a second machine whose clock is off.
const skew = Number(process.env.SKEW_MS ?? 0);
const RealDate = Date;
class SkewedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + skew);
    else super(...(args as [string]));
  }

  static override now(): number {
    return RealDate.now() + skew;
  }
}
globalThis.Date = SkewedDate as DateConstructor;
