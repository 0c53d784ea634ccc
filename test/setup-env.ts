import { Agent, setGlobalDispatcher } from 'undici';

// The SDK warns once per process that its 2027 releases will need Node.js 22; this machine runs
// Node.js 20 and the Lambdas run 24, so the warning is noise in every test's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Each test's fetch reuses a kept-alive socket only within a second of its last use. The local
// cloud closes idle sockets after 5 s; undici keeps them to 1 s before that by default, a margin
// that a worker stalled on a busy 2-core machine can overrun: the reused socket the server has
// just closed then fails the request with "other side closed" (once, a whole file's beforeAll).
setGlobalDispatcher(new Agent({ keepAliveTimeout: 1000, keepAliveTimeoutThreshold: 4000 }));
