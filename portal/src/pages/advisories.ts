/**
 * Back office: the advisory tables the rules judge against (`#/ops/advisories`): the CUCM
 * compatibility matrix (cucm-compat) and the suite's known issues and oldest supported version
 * (suite-outdated). Edited as JSON, checked by the service (errors name the path inside the table);
 * a rule with no table says nothing.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { dateTime, section, submitting } from '../ui';

interface Advisory {
  ruleId: string;
  table: Record<string, unknown> | null;
  updatedAt: string | null;
}

const examples: Record<string, unknown> = {
  'cucm-compat': { matrix: [{ suite: '2025', cucm: ['12.5', '14', '15'] }] },
  'suite-outdated': {
    knownIssues: [{ versions: ['2024.2.0'], severity: 'warning', issue: '…' }],
    oldestSupported: '2023.1',
  },
};

const what: Record<string, string> = {
  'cucm-compat': 'The CUCM versions certified for each suite version (dotted prefixes; the longest suite prefix wins).',
  'suite-outdated': 'Suite versions with a known issue, and the oldest version still supported.',
};

function advisoryForm(advisory: Advisory, reload: () => void): HTMLElement {
  const text = h('textarea', { rows: '10', spellcheck: 'false', class: 'code' });
  text.value = advisory.table ? JSON.stringify(advisory.table, null, 2) : '';
  const status = h('p', { class: 'meta', role: 'status' });
  const form = h(
    'form',
    { class: 'stack', 'aria-label': `Advisory table of ${advisory.ruleId}`, 'data-rule': advisory.ruleId },
    h('p', { class: 'hint' }, what[advisory.ruleId] ?? ''),
    field('Table (JSON)', text, '', `For example: ${JSON.stringify(examples[advisory.ruleId] ?? {})}`),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, 'Save table'),
      advisory.table
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => void api('DELETE', `/v1/ops/advisories/${advisory.ruleId}`).then(reload),
            },
            'Remove table',
          )
        : null,
    ),
    h('div', { class: 'form-error', role: 'alert' }),
    status,
  );
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      let body: unknown;
      try {
        body = JSON.parse(text.value) as unknown;
      } catch {
        throw new Error('The table is not JSON: check its brackets and quotes.');
      }
      await api('PUT', `/v1/ops/advisories/${advisory.ruleId}`, body);
      status.textContent = 'Saved. The rules use it from their next evaluation, in every region.';
    }),
  );
  return section(
    advisory.ruleId,
    h(
      'p',
      { class: 'meta' },
      advisory.table
        ? `Maintained, last changed ${dateTime(advisory.updatedAt)}.`
        : 'No table maintained: this rule says nothing.',
    ),
    form,
  );
}

export async function advisoriesPage(root: HTMLElement): Promise<void> {
  const { advisories } = await api<{ advisories: Advisory[] }>('GET', '/v1/ops/advisories');
  const reload = () => void advisoriesPage(root);
  replace(
    root,
    h('h1', null, 'Advisory tables'),
    h('p', null, h('a', { href: '#/ops' }, 'Back office')),
    advisories.map((a) => advisoryForm(a, reload)),
  );
}
