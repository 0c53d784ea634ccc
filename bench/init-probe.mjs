// Measures one module's init: the time of its first import() in this fresh process, in ms.
import { pathToFileURL } from 'node:url';
const file = process.argv[2];
const started = performance.now();
await import(pathToFileURL(file).href);
process.stdout.write(`${(performance.now() - started).toFixed(3)}\n`);
