/**
 * Support: one account's rule settings (`#/support/accounts/<id>/rule-settings`). Each rule shows
 * its defaults and the account's values; a field left empty takes the default. Values are checked
 * by the rule's own schema on the service, whose errors show beside their field.
 */
import { api } from '../api';
import { field, h, replace } from '../dom';
import { dateTime, section, submitting } from '../ui';

interface RuleSetting {
  ruleId: string;
  description: string;
  defaults: Record<string, unknown>;
  settings: Record<string, unknown> | null;
  effective: Record<string, unknown>;
  updatedAt: string | null;
}

const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The typed value of an input: numbers, true/false, null and JSON as such, else the text. */
function typedValue(text: string, defaultValue: unknown): unknown {
  const trimmed = text.trim();
  if (typeof defaultValue === 'string' && !/^[[{"]/.test(trimmed)) return trimmed;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

function ruleForm(accountId: string, rule: RuleSetting, reload: () => void): HTMLElement {
  const inputs = Object.entries(rule.defaults).map(([name, defaultValue]) => {
    const input = h('input', {
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: shown(defaultValue),
      value: rule.settings && name in rule.settings ? shown(rule.settings[name]) : '',
    });
    return { name, defaultValue, input };
  });
  const status = h('p', { class: 'meta', role: 'status' });
  const form = h(
    'form',
    { class: 'stack', 'aria-label': `Settings of ${rule.ruleId}`, 'data-rule': rule.ruleId },
    inputs.map(({ name, defaultValue, input }) =>
      field(name, input, name, `Default: ${shown(defaultValue)}. Leave empty for the default.`),
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, 'Save'),
      rule.settings
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () =>
                void api('DELETE', `/v1/support/accounts/${accountId}/rule-settings/${rule.ruleId}`).then(reload),
            },
            'Back to the defaults',
          )
        : null,
    ),
    h('div', { class: 'form-error', role: 'alert' }),
    status,
  );
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      const body: Record<string, unknown> = {};
      for (const { name, defaultValue, input } of inputs)
        if (input.value.trim() !== '') body[name] = typedValue(input.value, defaultValue);
      if (Object.keys(body).length === 0)
        await api('DELETE', `/v1/support/accounts/${accountId}/rule-settings/${rule.ruleId}`);
      else await api('PUT', `/v1/support/accounts/${accountId}/rule-settings/${rule.ruleId}`, body);
      status.textContent = `Saved. The next evaluation of the account's installations uses it.`;
    }),
  );
  return h(
    'details',
    { open: rule.settings !== null },
    h(
      'summary',
      null,
      h('code', null, rule.ruleId),
      ' — ',
      rule.description,
      rule.settings ? ` (set for this account, ${dateTime(rule.updatedAt)})` : '',
    ),
    form,
  );
}

export async function ruleSettingsPage(
  root: HTMLElement,
  accountId: string,
  setActing: (text: string) => void,
): Promise<void> {
  const view = await api<{ accountId: string; rules: RuleSetting[] }>(
    'GET',
    `/v1/support/accounts/${encodeURIComponent(accountId)}/rule-settings`,
  );
  setActing(`account ${accountId}`);
  const reload = () => void ruleSettingsPage(root, accountId, setActing);
  const set = view.rules.filter((r) => r.settings);
  replace(
    root,
    h('h1', null, 'Rule settings'),
    h(
      'p',
      { class: 'meta' },
      'Smart Account ',
      h('a', { href: `#/accounts/${encodeURIComponent(accountId)}` }, accountId),
      ` · ${set.length === 0 ? 'every rule on its defaults' : `${set.length} rule${set.length === 1 ? '' : 's'} set for this account`}`,
    ),
    section(
      'Rules',
      h('p', { class: 'hint' }, 'Open a rule to see its defaults and set this account’s values.'),
      view.rules.map((rule) => ruleForm(accountId, rule, reload)),
    ),
  );
}
