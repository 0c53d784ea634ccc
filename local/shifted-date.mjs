// The local cloud's movable clock as a sandbox sees it: a Date whose "now" is real time plus an
// offset the main thread keeps in shared memory, so one store moves every worker at once. Plain
// JS: the worker loads it before the handler bundle, with no loader (see lambda-worker.mjs).

/** Bytes of the shared cell: one BigInt64, the offset in milliseconds. */
export const clockCellBytes = BigInt64Array.BYTES_PER_ELEMENT;

/** Reads the offset (ms) from a SharedArrayBuffer of `clockCellBytes` on every call. */
export function offsetReader(buffer) {
  const cell = new BigInt64Array(buffer, 0, 1);
  return () => Number(Atomics.load(cell, 0));
}

/**
 * `RealDate` with "now" moved by `offsetMs()`: `Date.now()`, `new Date()` and `Date()` read the
 * moved time; everything else (`new Date(x)`, `Date.parse`, `Date.UTC`, the prototype,
 * `instanceof`, subclasses) is the real Date's, as libraries such as jose and the AWS SDK expect.
 */
export function shiftedDate(RealDate, offsetMs) {
  const now = function now() {
    return RealDate.now() + offsetMs();
  };
  const ShiftedDate = new Proxy(RealDate, {
    apply: () => new RealDate(now()).toString(),
    // `newTarget` is a subclass for `class X extends Date`, so its instances stay X's.
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget === ShiftedDate ? target : newTarget),
    get: (target, property, receiver) => (property === 'now' ? now : Reflect.get(target, property, receiver)),
  });
  return ShiftedDate;
}

/** Replaces this thread's global Date by the shifted one; the cell is read on every call. */
export function installShiftedDate(buffer) {
  const RealDate = globalThis.Date;
  const ShiftedDate = shiftedDate(RealDate, offsetReader(buffer));
  // `date.constructor === Date` keeps holding for dates the new global makes.
  Object.defineProperty(RealDate.prototype, 'constructor', {
    value: ShiftedDate,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  globalThis.Date = ShiftedDate;
  return RealDate;
}
