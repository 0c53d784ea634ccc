/** Bytes of the shared cell: one BigInt64, the offset in milliseconds. */
export declare const clockCellBytes: number;
/** Reads the offset (ms) from a SharedArrayBuffer of `clockCellBytes` on every call. */
export declare function offsetReader(buffer: SharedArrayBuffer): () => number;
/** `RealDate` with "now" moved by `offsetMs()`; everything else is the real Date's. */
export declare function shiftedDate(RealDate: DateConstructor, offsetMs: () => number): DateConstructor;
/** Replaces this thread's global Date by the shifted one; returns the real Date. */
export declare function installShiftedDate(buffer: SharedArrayBuffer): DateConstructor;
