/** Every proactive-support rule (../shared/PROACTIVE-RULES.md). Adding a rule: one module, its test, one line here. */
import type { Rule } from '../rule';
import { groupA } from './group-a';
import { groupB } from './group-b';

export const allRules: readonly Rule[] = [...groupA, ...groupB];
