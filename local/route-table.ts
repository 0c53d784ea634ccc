/**
 * Matches a request against HTTP API route keys the way API Gateway does: the most specific
 * route wins (a literal segment beats `{param}`, which beats `{proxy+}`), a method route beats
 * `ANY`, and `$default` catches the rest.
 */
export interface RouteMatch<T> {
  readonly route: T;
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

interface CompiledRoute<T> {
  readonly route: T;
  readonly routeKey: string;
  readonly method: string;
  readonly segments: readonly string[];
}

const split = (path: string) => path.split('/').slice(1);

export class RouteTable<T> {
  private readonly compiled: CompiledRoute<T>[] = [];
  private fallback: { route: T; routeKey: string } | undefined;

  add(routeKey: string, route: T): void {
    if (routeKey === '$default') {
      this.fallback = { route, routeKey };
      return;
    }
    const [method, path] = routeKey.split(' ');
    if (!method || !path?.startsWith('/')) throw new Error(`bad route key ${JSON.stringify(routeKey)}`);
    this.compiled.push({ route, routeKey, method: method.toUpperCase(), segments: split(path) });
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    const requestSegments = split(path);
    let best: { match: RouteMatch<T>; score: number[] } | undefined;
    for (const candidate of this.compiled) {
      if (candidate.method !== method && candidate.method !== 'ANY') continue;
      const params = matchSegments(candidate.segments, requestSegments);
      if (!params) continue;
      // One rank per segment (2 literal, 1 param, 0 greedy), then the method: compare lexically.
      const score = [
        ...candidate.segments.map((s) => (s.endsWith('+}') ? 0 : s.startsWith('{') ? 1 : 2)),
        candidate.method === 'ANY' ? 0 : 1,
      ];
      if (!best || compareScores(score, best.score) > 0) {
        const pathParameters = Object.keys(params).length > 0 ? params : undefined;
        best = {
          match: { route: candidate.route, routeKey: candidate.routeKey, ...(pathParameters && { pathParameters }) },
          score,
        };
      }
    }
    return best?.match ?? this.fallback;
  }
}

function matchSegments(pattern: readonly string[], request: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith('{') && p.endsWith('+}')) {
      const rest = request.slice(i);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return undefined;
      params[p.slice(1, -2)] = decode(rest.join('/'));
      return i === pattern.length - 1 ? params : undefined;
    }
    const r = request[i];
    if (r === undefined) return undefined;
    if (p.startsWith('{') && p.endsWith('}')) {
      if (r === '') return undefined;
      params[p.slice(1, -1)] = decode(r);
    } else if (p !== r) {
      return undefined;
    }
  }
  return pattern.length === request.length ? params : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
