// The book's search scorer (Sphinx's html_search_scorer, written into language_data.js by
// course/_ext/search_first.py after SEARCH_FIRST, the book's search_first pairs). Sphinx's own
// weights, plus one rule: for a search named in search_first, its page comes first.
var Scorer = {
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
  // result: [docname, title, anchor, description, score, filename]
  score: (result) => {
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const wanted = SEARCH_FIRST[query.toLowerCase().split(/\s+/).filter(Boolean).join(" ")];
    const [docname, , anchor, , score] = result;
    return docname === wanted && !anchor ? score + 1000 : score;
  },
};
