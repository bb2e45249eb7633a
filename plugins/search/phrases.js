/* The query side of the character index (characters.py): Pagefind's API, with each Chinese
 * piece of a query searched as an exact phrase of characters.
 *
 * plugins/search writes this file into the bundle as pagefind/phrases/pagefind.js, and the
 * search page gives PagefindUI that folder as its bundlePath, so the UI (and any script that
 * imports this module) calls these functions in place of Pagefind's own. They forward to the
 * real pagefind.js next door, except that:
 *
 * - a query is split at white space into pieces; a piece with Chinese characters becomes the
 *   exact phrase of its characters ("拉 马 努 金", quoted: the index holds every character as
 *   a word of its own, and Pagefind's exact search wants the words at consecutive positions),
 *   the other pieces stay one ordinary Pagefind query (stemming, prefixes). A page is a result
 *   when every part finds it, in the order and with the excerpts of the first part. Without
 *   the phrase a query found every page that has its characters anywhere (互信息 found pages
 *   that say 互相 … 信息); the browser's own segmenter never sees a Chinese word whole;
 * - the zero-width spaces the index copy put around each character are taken out of the
 *   excerpts, contents and sub-result titles a result returns, and the marks Pagefind puts on
 *   each matched character of an excerpt are joined into one mark per phrase. */

import * as pagefind from "../pagefind.js";

// Chinese characters: the same class as HAN in characters.py.
const HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
const HAS_HAN = new RegExp(`[${HAN}]`, "u");
const EACH_HAN = new RegExp(`([${HAN}])`, "gu");
const ZWSP = /\u200b/g;
const BETWEEN_MARKS = /<\/mark><mark>/g;

/** The Pagefind queries a typed query stands for: one exact phrase per Chinese piece, then
 * the other pieces together as one ordinary query. */
export function queries(term) {
  const pieces = term.trim().split(/\s+/).filter(Boolean);
  const phrases = pieces
    .filter((piece) => HAS_HAN.test(piece))
    .map((piece) => `"${piece.replace(EACH_HAN, " $1 ").replace(/\s+/g, " ").trim()}"`);
  const words = pieces.filter((piece) => !HAS_HAN.test(piece)).join(" ");
  return words ? [...phrases, words] : phrases;
}

function clean(text) {
  return typeof text === "string" ? text.replace(ZWSP, "") : text;
}

function cleanExcerpt(excerpt) {
  return typeof excerpt === "string" ? clean(excerpt).replace(BETWEEN_MARKS, "") : excerpt;
}

function cleanData(data) {
  return {
    ...data,
    content: clean(data.content),
    excerpt: cleanExcerpt(data.excerpt),
    sub_results: (data.sub_results || []).map((sub) => ({ ...sub, title: clean(sub.title), excerpt: cleanExcerpt(sub.excerpt) })),
  };
}

function cleanResults(search, keep) {
  const results = search.results
    .filter((result) => keep(result.id))
    .map((result) => ({ ...result, data: async () => cleanData(await result.data()) }));
  return { ...search, results };
}

export async function search(term, options) {
  const parts = typeof term === "string" ? queries(term) : [];
  if (parts.length === 0) return cleanResults(await pagefind.search(term, options), () => true);
  const [first, ...rest] = await Promise.all(parts.map((part) => pagefind.search(part, options)));
  const others = rest.map((other) => new Set(other.results.map((result) => result.id)));
  return cleanResults(first, (id) => others.every((ids) => ids.has(id)));
}

export async function preload(term, options) {
  const parts = typeof term === "string" ? queries(term) : [];
  await Promise.all((parts.length ? parts : [term]).map((part) => pagefind.preload(part, options)));
}

export const { options, init, filters, destroy, mergeIndex } = pagefind;
