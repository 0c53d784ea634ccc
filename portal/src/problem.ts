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
};

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
    return problem.errors.map((e) => `${fieldName(e.path, labels)}: ${e.message}`);
  return [problem.detail ?? statusWords[problem.status] ?? problem.title ?? `The service answered ${problem.status}.`];
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
