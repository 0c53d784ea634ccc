/**
 * Imported for its effect: zod/mini registers no language (classic zod registers English on its
 * first schema), so without this a process that loads only mini schemas words every issue
 * "Invalid input". The Lambdas load it in handler-stack.ts, the agent where it checks beats.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());
