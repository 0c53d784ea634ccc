/** API errors in words: problem+json (RFC 9457) with `errors[].path` turned into sentences naming the field. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
  /** 421: the region the account is homed in (`eu`, `us`): the answer's `homeRegion`, else its `region` */
  readonly region?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const statusWords: Record<number, string> = {
  401: 'Your sign-in has expired or is not valid. Please sign in again.',
  403: 'You do not have access to this.',
  404: 'Not found.',
  409: 'This conflicts with the current state.',
  413: 'The file is too large.',
  421: 'This account is homed in the other region.',
  429: 'Too many requests just now: wait a moment, then try again.',
};

/** What `fetch` throws when no answer came (Chromium, Firefox, Safari say it differently). */
const unreachable = /^(Failed to fetch|NetworkError|Load failed|Network request failed)/i;

/** The sentence for an error that is not the API's answer: the network, a file, the page's own check. */
export function errorSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return unreachable.test(message) ? 'The service can’t be reached: check your connection, then Retry.' : message;
}

/** A status without words of its own: a 5xx says it is the service's fault and what to do. */
function statusSentence(status: number): string {
  if (statusWords[status]) return statusWords[status];
  if (status === 502 || status === 503 || status === 504)
    return 'The service is not answering just now: try again in a minute.';
  if (status >= 500) return 'Something went wrong on the service’s side: try again in a minute.';
  return `The service refused this (${status}): check what you entered and try again.`;
}

const quoted = (list: string) =>
  list
    .split('|')
    .map((o) => o.replace(/^"|"$/g, ''))
    .join(', ');

/**
 * The validators' words (zod's, and the services' own short ones) as a sentence saying what to do;
 * a message already written for people is kept as it is, starting with a capital.
 */
export function fieldSentence(message: string): string {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^Too small: expected (?:number|int|bigint) to be >=(-?[\d.]+)/, (m) => `Enter ${m[1]} or more.`],
    [/^Too small: expected (?:number|int|bigint) to be >(-?[\d.]+)/, (m) => `Enter more than ${m[1]}.`],
    [/^Too big: expected (?:number|int|bigint) to be <=(-?[\d.]+)/, (m) => `Enter ${m[1]} or less.`],
    [/^Too big: expected (?:number|int|bigint) to be <(-?[\d.]+)/, (m) => `Enter less than ${m[1]}.`],
    [/^Too small: expected string to have >=1 characters?/, () => 'Fill this in.'],
    [/^Too small: expected string to have >=(\d+) characters/, (m) => `Enter at least ${m[1]} characters.`],
    [/^Too big: expected string to have <=(\d+) characters/, (m) => `Use at most ${m[1]} characters.`],
    [/^Too small: expected array to have >=(\d+) items?/, (m) => `Add at least ${m[1]}.`],
    [/^Too big: expected array to have <=(\d+) items?/, (m) => `Add at most ${m[1]}.`],
    [/^Invalid input: expected int, received number/, () => 'Enter a whole number.'],
    [/^Invalid input: expected (?:number|int), received (?:null|undefined|NaN|string)/, () => 'Enter a number.'],
    [/^Invalid input: expected \w+, received (?:null|undefined)/, () => 'Fill this in.'],
    [/^Required$/, () => 'Fill this in.'],
    [/^Invalid option: expected one of (.+)$/, (m) => `Choose one of ${quoted(m[1]!)}.`],
    [/^Invalid email/i, () => 'Enter an e-mail address, like name@example.com.'],
    [/^Invalid ISO date(?:time)?/i, () => 'Enter a date as YYYY-MM-DD.'],
    [/^Invalid (?:string: must match pattern|input)/, () => 'This is not in the expected form: check it.'],
    [/^unknown field$/, () => 'This is not a field the service knows: leave it out.'],
    [/^is after `(\w+)`$/, (m) => `Choose a date on or before the “${m[1]}” date.`],
    [/^is before `(\w+)`$/, (m) => `Choose a date on or after the “${m[1]}” date.`],
    [/^not an? (account|installation|reseller) id$/, (m) => `This is not a valid ${m[1]} id.`],
    [/^enter (\d+) or more$/, (m) => `Enter ${m[1]} or more.`],
  ];
  for (const [pattern, sentence] of rules) {
    const m = pattern.exec(message);
    if (m) return sentence(m);
  }
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** `lines.0.quantity` → `Line 1, quantity`; a label table names known fields in the page's words. */
export function fieldName(path: string, labels: Readonly<Record<string, string>> = {}): string {
  if (labels[path]) return labels[path];
  const generic = path.replace(/\.(\d+)\b/g, (_m, i: string) => ` ${Number(i) + 1}`);
  if (path === '') return 'The request';
  const text = generic
    .split('.')
    .map((part) => part.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase())
    .join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One sentence per field error, else the detail, else a sentence for the status. */
export function describeProblem(problem: Problem, labels: Readonly<Record<string, string>> = {}): string[] {
  // The detail names the other region's API for agents; a person is sent to its portal instead.
  if (problem.status === 421)
    return [
      problem.region ? `This account is homed in the ${problem.region.toUpperCase()} region.` : statusWords[421]!,
    ];
  if (problem.errors && problem.errors.length > 0)
    // A path parameter is the page's address, not a field the person typed: its sentence stands alone.
    return problem.errors.map((e) =>
      /^params\./.test(e.path)
        ? `The address’s ${fieldName(e.path.slice('params.'.length)).toLowerCase()} is not valid: check the link.`
        : `${fieldName(e.path, labels)}: ${fieldSentence(e.message)}`,
    );
  // A 5xx detail is the service's own (never internal) but says nothing of what to do: the status's words do.
  if (problem.status >= 500) return [statusSentence(problem.status)];
  return [problem.detail ?? statusWords[problem.status] ?? problem.title ?? statusSentence(problem.status)];
}

/** Parses any error body into a Problem (API Gateway's own `{ message }` too). */
export function problemOf(status: number, body: unknown): Problem {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b['errors'])
      ? (b['errors'] as unknown[]).flatMap((e) =>
          e && typeof e === 'object' && typeof (e as FieldProblem).message === 'string'
            ? [{ path: String((e as FieldProblem).path ?? ''), message: (e as FieldProblem).message }]
            : [],
        )
      : undefined;
    return {
      status,
      ...(typeof b['title'] === 'string' && { title: b['title'] }),
      ...(typeof b['detail'] === 'string'
        ? { detail: b['detail'] }
        : status !== 401 && typeof b['message'] === 'string'
          ? { detail: b['message'] }
          : {}),
      ...(errors && errors.length > 0 && { errors }),
      ...(typeof b['homeRegion'] === 'string'
        ? { region: b['homeRegion'] }
        : typeof b['region'] === 'string' && { region: b['region'] }),
    };
  }
  return { status };
}
