/** patch-age: the newest installed hotfix is old (NSClient++ example thresholds: 40 / 90 days). */
import * as z from 'zod/mini';
import { defineRule, STATE_FACT, type Signal } from '../rule';

const DAY = 86_400_000;

export const rule = defineRule({
  id: 'patch-age',
  description: 'Newest installed hotfix is old (warn 40 days, critical 90 days)',
  reads: ['software.hotfixes'],
  fields: ['software.hotfixes:hotfixes[].id', 'software.hotfixes:hotfixes[].installedOn'],
  config: z.object({
    warnDays: z._default(z.number().check(z.positive()), 40),
    criticalDays: z._default(z.number().check(z.positive()), 90),
  }),
  hysteresis: STATE_FACT,
  explain: {
    title: 'No Windows update for {ageDays|days}',
    message:
      'The newest hotfix installed on the server is {newestHotfix}, from {installedOn|date}: {ageDays|days} ago.',
    nextStep: 'Install the pending Windows updates in the next maintenance window.',
  },
  evaluate({ beat, at, config }): readonly Signal[] {
    if (beat.type !== 'software.hotfixes') return [];
    // YYYY-MM-DD compares as text: no date parsing per hotfix
    let newest: { id: string; installedOn: string } | undefined;
    for (const h of beat.data.hotfixes)
      if (h.installedOn !== null && (newest === undefined || h.installedOn > newest.installedOn))
        newest = h as { id: string; installedOn: string };
    if (!newest) return []; // no dated hotfix: nothing to judge the age by
    const ageDays = Math.floor((at - Date.parse(newest.installedOn)) / DAY);
    const evidence = { newestHotfix: newest.id, installedOn: newest.installedOn, ageDays };
    const severity = ageDays >= config.criticalDays ? 'critical' : ageDays >= config.warnDays ? 'warning' : null;
    return [{ subject: 'installation', severity, evidence }];
  },
});
