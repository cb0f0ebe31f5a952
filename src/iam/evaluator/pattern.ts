// IAM strings as patterns: `*` (any run of characters) and `?` (one character) wildcards, and
// policy variables such as `${aws:username}` or `${aws:PrincipalTag/team, 'none'}` resolved from
// the request's context. A resolved value is literal text: a `*` in it is not a wildcard.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
import type { ContextLookup } from './context.ts';

/** One position of a compiled pattern: a literal character or a wildcard. */
export type Piece = { kind: 'char'; char: string } | { kind: 'star' } | { kind: 'one' };

export interface CompileOptions {
  /** Whether `*` and `?` are wildcards (StringLike, Resource) or literal (StringEquals). */
  wildcards: boolean;
  /** Context to resolve `${…}` from; without it (2008-10-17 policies, numeric operators) `${…}` is literal text. */
  variables?: ContextLookup;
}

export interface Compiled {
  pieces: Piece[];
  /**
   * Variables that had no single value in the context and no default. Each stands in `pieces` as a
   * `*`, so that a value the pattern cannot match whatever the variable were is a sure mismatch.
   */
  unresolved: string[];
}

/** `${*}`, `${?}` and `${$}` write the characters `*`, `?` and `$` literally. */
const ESCAPES = new Set(['*', '?', '$']);

const chars = (text: string): Piece[] => Array.from(text, (char) => ({ kind: 'char', char }));

/** Parses `name` or `name, 'default'` as written between `${` and `}`. */
function variable(inner: string): { name: string; fallback?: string } {
  const comma = inner.indexOf(',');
  if (comma < 0) return { name: inner.trim() };
  const name = inner.slice(0, comma).trim();
  const rest = inner.slice(comma + 1).trim();
  return rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'") ? { name, fallback: rest.slice(1, -1) } : { name };
}

/** Compiles an IAM string into pieces, resolving its variables. */
export function compile(text: string, options: CompileOptions): Compiled {
  const pieces: Piece[] = [];
  const unresolved: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (options.variables && ch === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end >= 0) {
        const inner = text.slice(i + 2, end);
        i = end + 1;
        if (ESCAPES.has(inner)) {
          pieces.push({ kind: 'char', char: inner });
          continue;
        }
        const { name, fallback } = variable(inner);
        const value = options.variables(name);
        if (typeof value === 'string') pieces.push(...chars(value));
        else if (fallback !== undefined) pieces.push(...chars(fallback));
        else {
          // Missing, or a multivalued key: IAM cannot put it into a string.
          unresolved.push(name);
          pieces.push({ kind: 'star' });
        }
        continue;
      }
    }
    if (options.wildcards && ch === '*') pieces.push({ kind: 'star' });
    else if (options.wildcards && ch === '?') pieces.push({ kind: 'one' });
    else {
      // Whole code points, so that a character outside the BMP is one character, as for `?`.
      const cp = String.fromCodePoint(text.codePointAt(i)!);
      pieces.push({ kind: 'char', char: cp });
      i += cp.length;
      continue;
    }
    i += 1;
  }
  return { pieces, unresolved };
}

const same = (a: string, b: string, ignoreCase: boolean) => a === b || (ignoreCase && a.toLowerCase() === b.toLowerCase());

/** Whether the pieces match all of `value` (greedy wildcard matching with backtracking to the last `*`). */
export function matchPieces(pieces: Piece[], value: string, ignoreCase = false): boolean {
  const v = Array.from(value);
  let p = 0;
  let s = 0;
  let starAt = -1;
  let starFrom = 0;
  while (s < v.length) {
    const piece = pieces[p];
    if (piece && (piece.kind === 'one' || (piece.kind === 'char' && same(piece.char, v[s]!, ignoreCase)))) {
      p += 1;
      s += 1;
    } else if (piece?.kind === 'star') {
      starAt = p;
      starFrom = s;
      p += 1;
    } else if (starAt >= 0) {
      p = starAt + 1;
      starFrom += 1;
      s = starFrom;
    } else {
      return false;
    }
  }
  while (pieces[p]?.kind === 'star') p += 1;
  return p === pieces.length;
}

/**
 * Matches a pattern against a value: true, false, or undefined when the pattern has an unresolved
 * variable and could match for some value of it (IAM then does not match, nor does the Not-form).
 */
export function matchPattern(pattern: string, value: string, options: CompileOptions & { ignoreCase?: boolean }): boolean | undefined {
  const { pieces, unresolved } = compile(pattern, options);
  const matched = matchPieces(pieces, value, options.ignoreCase ?? false);
  if (!matched) return false;
  return unresolved.length === 0 ? true : undefined;
}

/** `*`/`?` wildcard match with no variables, as for actions. */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  return matchPieces(compile(pattern, { wildcards: true }).pieces, value, ignoreCase);
}
