import { Fragment } from 'react';
import type { ParsedSearch } from '../../../shared/searchSyntax.ts';
import { markTokens } from '../../../shared/searchMatch.ts';
import { searchTokens } from '../../../shared/searchSyntax.ts';

/** A text with the words a search matches wrapped in <mark> (the whole text when there is no search). */
export function MarkedText({ text, query }: { text: string; query: ParsedSearch | null }) {
  if (!query) return <>{text}</>;
  const tokens = searchTokens(text);
  const marks = markTokens(
    tokens.map((t) => t.folded),
    query,
  );
  const parts: { text: string; hit: boolean }[] = [];
  let at = 0;
  tokens.forEach((t, i) => {
    if (marks[i] < 0) return;
    if (t.start > at) parts.push({ text: text.slice(at, t.start), hit: false });
    parts.push({ text: text.slice(t.start, t.end), hit: true });
    at = t.end;
  });
  parts.push({ text: text.slice(at), hit: false });
  return (
    <>
      {parts.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}
    </>
  );
}

/** A search result's passage, its hits (offsets from the engine) in <mark>. */
export function Snippet({ text, hits }: { text: string; hits: [number, number][] }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  hits.forEach(([s, e], i) => {
    if (s > at) parts.push(text.slice(at, s));
    parts.push(<mark key={i}>{text.slice(s, e)}</mark>);
    at = e;
  });
  parts.push(text.slice(at));
  return <>{parts}</>;
}
