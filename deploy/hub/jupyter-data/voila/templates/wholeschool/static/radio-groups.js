/* Each rating's choices are one radio group, named for screen readers by its indicator.

   ipywidgets 8 draws a RadioButtons widget as <input type=radio>s with no name, so the browser
   treats a whole form's choices as one group: the arrow keys walked from one indicator's choices
   into the next one's (changing its rating), and every choice was a Tab stop. This gives each
   .widget-radio-box its own group name, role=radiogroup and an aria-label from its indicator's
   text, again whenever the widgets redraw.

   The one copy, used by both front ends: the course hub's Voila template serves it from here
   (deploy/hub/jupyter-data/voila/templates/wholeschool/static/, found through JUPYTER_PATH, so
   it must be this file), and the browser workbook's build (deploy/lite/lite_site.py) puts it
   into the workbook's page. Same-origin only: the hub's policy allows no outside script. */
(function () {
  "use strict";
  if (window.wholeschoolRadioGroups) return;  // loaded once per page
  let groups = 0;

  /* The name a screen reader reads for a rating: its own label, else its indicator's text. */
  function nameOf(box) {
    const described = box.parentElement && box.parentElement.querySelector(":scope > .widget-label");
    const row = box.closest(".widget-vbox");
    const question = row && row.querySelector(".widget-html strong");
    const names = [described && described.textContent.trim(), question && question.textContent.trim()];
    return names.filter(Boolean).join(": ") || "Choices";
  }

  function groupRadios(root) {
    for (const box of root.querySelectorAll(".widget-radio-box")) {
      if (!box.dataset.group) {
        box.dataset.group = "choice-" + (++groups);
        box.setAttribute("role", "radiogroup");
      }
      const label = nameOf(box);
      if (box.getAttribute("aria-label") !== label) box.setAttribute("aria-label", label);
      for (const input of box.querySelectorAll('input[type="radio"]')) {
        if (input.name !== box.dataset.group) input.name = box.dataset.group;
      }
    }
  }

  window.wholeschoolRadioGroups = groupRadios;
  new MutationObserver(function () { groupRadios(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  groupRadios(document);
})();
