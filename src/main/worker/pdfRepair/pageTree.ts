/**
 * A PDF's page tree as readers find its pages, and a clean one written in its place when it is
 * damaged.
 *
 * Readers do not trust a page tree: pdf.js, poppler and qpdf walk the /Kids and take every page
 * they meet, whatever a /Count claims, and step over a kid that loops back to one of its
 * ancestors. pdf-lib trusts it: its walk recurses without end on a loop ("Maximum call stack size
 * exceeded"), and what it writes back keeps a /Count of 9,999,999,999 for one page (other readers
 * then refuse the file). The walk here is iterative (a tree 5,000 levels deep is fine), steps over
 * loops, and says what is wrong; `rebuildPageTree` then writes one /Pages node listing the pages
 * in reading order, each holding the attributes it inherited, with the true count.
 */
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFPageLeaf, PDFPageTree, PDFRef } from '@cantoo/pdf-lib';
import type { PDFContext, PDFObject } from '@cantoo/pdf-lib';

/** Attributes a page takes from its ancestors when it does not set them itself. */
const INHERITABLE = ['Resources', 'MediaBox', 'CropBox', 'Rotate'] as const;

/** Deeper trees are rebuilt flat: pdf-lib follows /Parent by recursion. Real trees: under 10. */
const MAX_DEPTH = 256;

/** What a page node lacks and readers assume: a US Letter page (pdf.js's default too). */
const DEFAULT_MEDIA_BOX = [0, 0, 612, 792];

/** One page as the walk found it. */
export interface FoundPage {
  /** Its reference in the Kids that led to it; null for a page written inline. */
  ref: PDFRef | null;
  dict: PDFDict;
  /** Inheritable attributes of its ancestors, nearest first. */
  inherited: Map<string, PDFObject>;
}

export interface PageTreeWalk {
  pages: FoundPage[];
  /** What is wrong with the tree as written, in words; empty when it can be kept as it is. */
  damage: string[];
}

const name = (text: string): PDFName => PDFName.of(text);

/** pdf.js's rule: a node with /Kids that is not typed /Page is an inner node; anything else a page. */
function isInnerNode(dict: PDFDict): boolean {
  return dict.get(name('Type')) !== name('Page') && dict.has(name('Kids'));
}

interface Frame {
  node: PDFDict;
  kids: PDFObject[];
  next: number;
  /** Inheritable attributes for this node's children. */
  inherited: Map<string, PDFObject>;
  pagesBefore: number;
}

function inheritedBelow(node: PDFDict, above: Map<string, PDFObject>): Map<string, PDFObject> {
  let merged = above;
  for (const key of INHERITABLE) {
    const value = node.get(name(key));
    if (value === undefined) continue;
    if (merged === above) merged = new Map(above);
    merged.set(key, value);
  }
  return merged;
}

/**
 * Walks the page tree under the catalog's /Pages in reading order, stopping after `maxPages`
 * pages (more is damage too: a tree of shared subtrees can list billions).
 */
export function walkPageTree(context: PDFContext, maxPages: number): PageTreeWalk {
  const damage = new Set<string>();
  const pages: FoundPage[] = [];
  const catalog = context.lookup(context.trailerInfo.Root);
  const root = catalog instanceof PDFDict ? context.lookup(catalog.get(name('Pages'))) : undefined;
  if (!(root instanceof PDFDict)) return { pages, damage: ['the document has no page tree'] };
  if (!isInnerNode(root)) {
    // The root is itself a page (pdf.js reads it as the one page).
    const ref = (catalog as PDFDict).get(name('Pages'));
    return {
      pages: [{ ref: ref instanceof PDFRef ? ref : null, dict: root, inherited: new Map() }],
      damage: ['the page tree is a single page'],
    };
  }
  if (!(root instanceof PDFPageTree)) damage.add('the page tree root is not typed /Pages');
  const seenPages = new Set<PDFDict>();
  const onPath = new Set<PDFDict>([root]);
  const stack: Frame[] = [frameFor(context, root, new Map(), 0, damage)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next >= top.kids.length) {
      stack.pop();
      onPath.delete(top.node);
      const count = top.node.lookup(name('Count'));
      if (!(count instanceof PDFNumber) || count.asNumber() !== pages.length - top.pagesBefore)
        damage.add('a /Count does not match the pages the tree holds');
      continue;
    }
    const entry = top.kids[top.next++];
    const kid = context.lookup(entry);
    if (!(entry instanceof PDFRef)) damage.add('a page is written inline');
    if (!(kid instanceof PDFDict)) {
      damage.add('a /Kids entry is not a page');
      continue;
    }
    if (onPath.has(kid)) {
      damage.add('the page tree loops back on itself');
      continue;
    }
    if (context.lookup(kid.get(name('Parent'))) !== top.node)
      damage.add('a /Parent points to the wrong node');
    if (isInnerNode(kid)) {
      if (!(kid instanceof PDFPageTree)) damage.add('an inner node is not typed /Pages');
      onPath.add(kid);
      if (stack.length >= MAX_DEPTH) damage.add(`the page tree is nested more than ${MAX_DEPTH} levels deep`);
      stack.push(frameFor(context, kid, top.inherited, pages.length, damage));
      continue;
    }
    if (!(kid instanceof PDFPageLeaf)) damage.add('a page is not typed /Page');
    if (seenPages.has(kid)) damage.add('a page appears twice');
    seenPages.add(kid);
    pages.push({ ref: entry instanceof PDFRef ? entry : null, dict: kid, inherited: top.inherited });
    if (pages.length > maxPages) {
      damage.add(`the page tree lists more than ${maxPages} pages`);
      break;
    }
  }
  return { pages, damage: [...damage] };
}

function refOf(dict: PDFDict, key: string): PDFRef | null {
  const value = dict.get(name(key));
  return value instanceof PDFRef ? value : null;
}

function frameFor(
  context: PDFContext,
  node: PDFDict,
  above: Map<string, PDFObject>,
  pagesBefore: number,
  damage: Set<string>,
): Frame {
  const kids = context.lookup(node.get(name('Kids')));
  if (!(kids instanceof PDFArray)) damage.add('a /Kids entry is not an array');
  return {
    node,
    kids: kids instanceof PDFArray ? kids.asArray() : [],
    next: 0,
    inherited: inheritedBelow(node, above),
    pagesBefore,
  };
}

/**
 * Replaces the page tree with one /Pages node whose kids are `pages` in order: each page holds
 * the attributes it inherited, points to the new root, and a page listed twice becomes two page
 * objects (one object in two places is damage to qpdf). The old inner nodes are left unreferenced
 * (`dropUnreachable` removes them). Returns the pages' references, in order.
 */
export function rebuildPageTree(context: PDFContext, pages: readonly FoundPage[]): PDFRef[] {
  const catalog = context.lookup(context.trailerInfo.Root, PDFDict);
  // The old root's number is reused, unless the "tree" was a single page under that number.
  const old = refOf(catalog, 'Pages');
  const rootRef = old && !pages.some((p) => p.ref === old) ? old : context.nextRef();
  const used = new Set<PDFDict>();
  const kids: PDFRef[] = [];
  for (const page of pages) {
    const entries = new Map(page.dict.entries());
    for (const key of INHERITABLE) {
      const value = page.inherited.get(key);
      if (!entries.has(name(key)) && value !== undefined) entries.set(name(key), value);
    }
    if (!entries.has(name('MediaBox'))) entries.set(name('MediaBox'), context.obj(DEFAULT_MEDIA_BOX));
    entries.set(name('Type'), name('Page'));
    entries.set(name('Parent'), rootRef);
    const twice = used.has(page.dict);
    used.add(page.dict);
    // A second copy of a page gets its own /Contents array: the text layer is appended to it.
    const contents = context.lookup(entries.get(name('Contents')));
    if (twice && contents instanceof PDFArray) entries.set(name('Contents'), context.obj(contents.asArray()));
    const leaf = PDFPageLeaf.fromMapWithContext(entries, context);
    if (page.ref && !twice) {
      context.assign(page.ref, leaf);
      kids.push(page.ref);
    } else kids.push(context.register(leaf));
  }
  const root = PDFPageTree.withContext(context);
  root.set(name('Kids'), context.obj(kids));
  root.set(name('Count'), PDFNumber.of(kids.length));
  context.assign(rootRef, root);
  catalog.set(name('Pages'), rootRef);
  return kids;
}
