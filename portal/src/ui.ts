/** Shared pieces of the pages: errors shown in words beside their fields, dates, the busy state. */
import { h, replace, type Child } from './dom';
import { ApiError, describeProblem, errorSentence, fieldSentence } from './problem';
import { isRegionKey, otherPortalLink } from './regions';

/** Shows an error in the form's alert and beside each named field; returns nothing to await. */
export function showError(container: Element, error: unknown, labels: Readonly<Record<string, string>> = {}): void {
  for (const old of container.querySelectorAll('.field-error')) old.textContent = '';
  for (const old of container.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  const alert =
    container.querySelector('.form-error') ?? container.appendChild(h('div', { class: 'form-error', role: 'alert' }));
  if (!(error instanceof ApiError)) {
    replace(alert, errorSentence(error));
    return;
  }
  const sentences = describeProblem(error.problem, labels);
  const elsewhere =
    error.problem.status === 421 && isRegionKey(error.problem.region)
      ? [' ', otherPortalLink(error.problem.region, location.hash), '.']
      : [];
  replace(
    alert,
    sentences.length === 1
      ? sentences[0]
      : h(
          'ul',
          null,
          sentences.map((s) => h('li', null, s)),
        ),
    elsewhere,
  );
  for (const e of error.problem.errors ?? []) {
    const input = container.querySelector<HTMLElement>(`[data-path="${CSS.escape(e.path)}"]`);
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const slot = container.querySelector(`#${CSS.escape(input.id)}-error`);
    if (slot) slot.textContent = fieldSentence(e.message);
  }
}

export function clearError(container: Element): void {
  for (const old of container.querySelectorAll('.form-error, .field-error')) old.textContent = '';
  for (const old of container.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
}

/** Runs an async form action with the submit button disabled and errors shown in the form. */
export function submitting(
  form: HTMLFormElement,
  action: () => Promise<void>,
  labels?: Readonly<Record<string, string>>,
) {
  // The service's problem+json names each wrong field in words; the browser's own bubbles would
  // pre-empt it with messages that differ per browser and are not announced the same way.
  form.noValidate = true;
  return async (event: Event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
    if (button) button.disabled = true;
    clearError(form);
    try {
      await action();
    } catch (error) {
      showError(form, error, labels);
    } finally {
      if (button) button.disabled = false;
    }
  };
}

export const day = (iso: string | undefined): string => (iso ? new Date(iso).toISOString().slice(0, 10) : '—');
export const dateTime = (iso: string | undefined | null): string =>
  iso ? `${new Date(iso).toISOString().replace('T', ' ').slice(0, 16)} UTC` : '—';

/**
 * A part of a page that loads on its own: "Loading <what>…" until `load` answers, then what `show`
 * builds from the answer. A failure says it failed, in words, with a Retry: never an empty state
 * that would read as "nothing there".
 */
export function sectionLoader<T>(what: string, load: () => Promise<T>, show: (value: T) => Child): HTMLElement {
  const box = h('div', { class: 'section-body', 'aria-busy': 'true' });
  const run = async (): Promise<void> => {
    box.setAttribute('aria-busy', 'true');
    replace(box, h('p', { class: 'loading' }, `Loading ${what}…`));
    let value: T;
    try {
      value = await load();
    } catch (error) {
      const retry = h(
        'button',
        { type: 'button', class: 'secondary', 'aria-label': `Retry loading the ${what}` },
        'Retry',
      );
      // Focus stays in the section: on the new Retry if it failed again, else on what loaded.
      retry.addEventListener(
        'click',
        () =>
          void run().then(() => {
            box.tabIndex = -1;
            (box.querySelector<HTMLElement>('.load-failed button') ?? box).focus();
          }),
      );
      const alert = h('div', { class: 'form-error', role: 'alert' });
      replace(box, h('div', { class: 'stack load-failed' }, alert, h('div', { class: 'row' }, retry)));
      showError(box, error);
      alert.prepend(`The ${what} could not be loaded. `);
      box.removeAttribute('aria-busy');
      return;
    }
    replace(box, show(value));
    box.removeAttribute('aria-busy');
  };
  void run();
  return box;
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

export function table(
  caption: string,
  head: readonly string[],
  rows: readonly (readonly Child[])[],
  empty: string,
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  // A table wider than a phone scrolls inside this box, not the page; the box takes focus so the
  // keyboard can scroll it too, named by the caption (a group, not one more landmark).
  return markWhenScrolling(
    h(
      'div',
      { class: 'table-wrap', role: 'group', 'aria-label': caption, tabindex: '0' },
      h(
        'table',
        null,
        h('caption', { class: 'visually-hidden' }, caption),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            head.map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          null,
          rows.map((r) =>
            h(
              'tr',
              null,
              r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', null, c))),
            ),
          ),
        ),
      ),
    ),
  );
}

const markScrolling = (wrap: HTMLElement) => wrap.classList.toggle('scrolls', wrap.scrollWidth > wrap.clientWidth + 1);

// A table in a closed <details> is not observed while hidden: it is marked when the details opens.
if (typeof document !== 'undefined')
  document.addEventListener(
    'toggle',
    (event) => {
      if (event.target instanceof HTMLDetailsElement && event.target.open)
        for (const wrap of event.target.querySelectorAll<HTMLElement>('.table-wrap')) markScrolling(wrap);
    },
    true,
  );

/** Marks a table's box `scrolls` while its table is wider than it is, so the page shows that it scrolls (styles.css). */
function markWhenScrolling(wrap: HTMLElement): HTMLElement {
  if (typeof ResizeObserver === 'undefined') return wrap;
  const mark = () => markScrolling(wrap);
  const observer = new ResizeObserver(mark);
  observer.observe(wrap);
  if (wrap.firstElementChild) observer.observe(wrap.firstElementChild);
  return wrap;
}

/** Offers JSON as a file download (offline activation response). */
export function download(name: string, content: unknown): void {
  downloadText(name, JSON.stringify(content, null, 2), 'application/json');
}

/** Offers text as a file download (the audit log's CSV). */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function readJsonFile(input: HTMLInputElement): Promise<unknown> {
  const file = input.files?.[0];
  if (!file) throw new Error('Choose a file first.');
  try {
    return JSON.parse(await file.text()) as unknown;
  } catch {
    throw new Error(`${file.name} is not a JSON file.`);
  }
}
