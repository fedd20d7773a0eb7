/* The keyboard keeps its place when a form draws its controls again.

   A form that reorders or redraws its rows (the action plan's "Move to the top", "Take out",
   "Add") has the browser draw those controls afresh; the one that had the focus is gone and the
   focus falls back to the top of the page, so a keyboard or screen reader user loses their
   place. A control the form marked (a class starting "wholeschool-focus-", see
   widgets/wholeschool/ui/keep_focus.py) gets the focus back when it, or the control it was
   handed on to, is drawn again; nothing happens if the user had moved the focus away themselves.

   The one copy, used by both front ends, like radio-groups.js beside it. */
(function () {
  "use strict";
  if (window.wholeschoolKeepFocus) return;  // loaded once per page
  const PREFIX = "wholeschool-focus-";
  let owner = null;  // the marked control that had the focus (its marks are on it still)

  function marksOf(element) {
    const marked = element.closest && element.closest('[class*="' + PREFIX + '"]');
    return marked ? Array.from(marked.classList).filter(function (c) { return c.startsWith(PREFIX); }) : [];
  }

  function focusable(element) {
    if (element.matches("button, input, select, textarea, [tabindex]")) return element;
    return element.querySelector("button, input, select, textarea, [tabindex]");
  }

  /* Where the keyboard goes, the marks go (none if that control has none). */
  document.addEventListener("focusin", function (event) {
    owner = marksOf(event.target).length ? event.target : null;
  }, true);

  /* A click anywhere but the marked control is the user moving on: forget it. */
  document.addEventListener("pointerdown", function (event) {
    if (owner && !owner.contains(event.target)) owner = null;
  }, true);

  function shown(element) {
    return element.isConnected && element.getClientRects().length > 0;
  }

  /* The marked control was taken away (removed, or hidden on its way out) and the focus fell
     to the page: give it to the new drawing of a control with its mark, once there is one. */
  function restore() {
    if (!owner || shown(owner)) return;
    const active = document.activeElement;
    if (active && active !== document.body && active !== document.documentElement) return;
    for (const mark of marksOf(owner)) {
      for (const again of document.querySelectorAll("." + CSS.escape(mark))) {
        const target = again !== owner && shown(again) && focusable(again);
        if (target) {
          target.focus();
          return;
        }
      }
    }
  }

  window.wholeschoolKeepFocus = restore;
  /* New drawings come in hidden and are shown by a class or style change, so watch those too. */
  new MutationObserver(restore).observe(document.documentElement, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["class", "style", "hidden"] });
})();
