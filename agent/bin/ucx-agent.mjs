#!/usr/bin/env node
// `npx ucx-agent …`: runs the TypeScript CLI through tsx's loader, so no build step sits between a change and its use.
import { register } from 'tsx/esm/api';

register();
await import('../cli/ucx-agent.ts');
