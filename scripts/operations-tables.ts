/**
 * Writes docs/operations.md's dashboard and alarm tables between their markers from
 * lib/observability/definition.ts (`npm run docs`); test/unit/docs/readme.test.ts fails when they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { alarms, dashboards, severities } from '../lib/observability/definition';

export const operationsDocument = 'docs/operations.md';
export const markers = {
  dashboards: ['<!-- dashboards:start -->', '<!-- dashboards:end -->'],
  alarms: ['<!-- alarms:start -->', '<!-- alarms:end -->'],
} as const;

const cell = (text: string) => text.replaceAll('|', '\\|');

export function dashboardTables(): string {
  return dashboards
    .map((dashboard) => {
      const rows = dashboard.sections.flatMap((section) =>
        section.widgets.map((w) => `| ${cell(section.title)} | ${cell(w.title)} | ${cell(w.help)} |`),
      );
      return [
        `**${dashboard.title}** (\`ucx-<stage>-<region>-${dashboard.id}\`) — for ${dashboard.audience}.`,
        '',
        '| section | widget | how to read it |',
        '| --- | --- | --- |',
        ...rows,
      ].join('\n');
    })
    .join('\n\n');
}

export function alarmTable(): string {
  const rows = alarms.map((alarm) => {
    const sign = alarm.comparison === 'greaterThan' ? '>' : '<';
    const window = `${alarm.datapointsToAlarm}/${alarm.evaluationPeriods} × ${alarm.periodMinutes} min`;
    const thresholds = severities
      .flatMap((severity) => {
        const t = alarm.thresholds[severity];
        return t ? [`**${severity}** ${sign} ${t.value} (${window}) — ${cell(t.reason)}`] : [];
      })
      .join('<br>');
    return `| \`${alarm.id}\` ${cell(alarm.title)} | ${thresholds} | ${cell(alarm.runbook)} |`;
  });
  return ['| alarm | severity: threshold — reason | what on-call does |', '| --- | --- | --- |', ...rows].join('\n');
}

function between(doc: string, [start, end]: readonly [string, string], body: string): string {
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${operationsDocument} needs the markers ${start} and ${end}`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}

export function withOperationsTables(doc: string): string {
  return between(between(doc, markers.dashboards, dashboardTables()), markers.alarms, alarmTable());
}

if (process.argv[1]?.endsWith('operations-tables.ts')) {
  const path = new URL(`../${operationsDocument}`, import.meta.url);
  writeFileSync(path, withOperationsTables(readFileSync(path, 'utf8')));
  console.log(`${operationsDocument}: dashboard and alarm tables written`);
}
