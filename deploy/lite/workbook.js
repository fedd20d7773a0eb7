/* The live workbook's page, around JupyterLite's REPL app: inlined into repl/index.html by
   deploy/lite/lite_site.py (placeholders in %%...%% filled in there).

   - Until the workbook has drawn, a panel says what is happening; if the browser's Python cannot
     be fetched, fails, or has not started within a set time, or the workbook says it cannot
     keep answers in this browser, the panel says so instead, with what to try and the
     printable form (the book page), never "Loading" for ever.
   - Each rating's choices become one radio group: not here but in radio-groups.js, the one
     copy the course hub's forms load too, put in the page just before this script.
   - The page title follows the form on screen, and so does the address: switching forms adds
     the new form's address to the browser's history (reload and bookmarks open that form), and
     Back or Forward opens the form the address names, in the same Python.
   - Enter presses the focused button, as on any web page.
   - Started ahead by a book page (course/_static/live-warm-start.js: a frame over that page,
     shown at the click), the workbook keeps that page's address bar and title in step with the
     form on screen, and its links out of the workbook (back to a course page) and its "Reload
     this page" act on the whole window, not the frame.
   - The browser's Python starts loading at once, in the kernel's own worker, while the app
     around it starts (it would otherwise wait for the whole app): the kernel takes that worker
     (deploy/lite/early_kernel.py). */
(function () {
  "use strict";
  const BOOK_PAGES = %%BOOK_PAGES%%;
  const FAIL_AFTER_S = %%FAIL_AFTER_S%%;
  const PROBE = %%PROBE%%;
  const EARLY_WORKER = %%EARLY_WORKER%%;
  const params = new URLSearchParams(window.location.search);
  const waitSeconds = Number(params.get("failAfter")) > 0 ? Number(params.get("failAfter")) : FAIL_AFTER_S;
  const startId = (/workbook\("([a-z0-9-]+)"\)/.exec(params.get("code") || "") || [])[1] || "";
  const bookPage = "../../" + (BOOK_PAGES[startId] || BOOK_PAGES[Object.keys(BOOK_PAGES)[0]]) + ".html";
  let ready = false;
  let failed = false;
  /* Only for one of the course's forms (any other address is leaving this page), and not where
     the kernel would use its other worker (a cross-origin isolated page). */
  if (EARLY_WORKER && startId in BOOK_PAGES && !window.crossOriginIsolated && window.Worker) {
    try {
      window.__wholeschoolWorker = new Worker(new URL(EARLY_WORKER, window.location.href), {
        type: "module", name: "wholeschool-early" });
    } catch (error) {
      window.__wholeschoolWorker = null;  /* the kernel makes its own, as it would anyway */
    }
  }
  /* Where the browser's Python comes from, when it is not this site (a public download site,
     the CDN, by default): its host, and the address IT can allow (host and first folder). */
  const pythonFrom = PROBE.length ? new URL(PROBE[0], new URL("../", window.location.href)) : null;
  const pythonHost = pythonFrom && pythonFrom.host !== window.location.host ? pythonFrom.host : "";
  const firstFolder = pythonFrom ? pythonFrom.pathname.split("/")[1] : "";
  const pythonAllow = pythonHost ? pythonFrom.origin + "/" + (firstFolder ? firstFolder + "/" : "") : "";
  let panel = null;

  /* The book page this workbook was started ahead in (see above), or null. */
  function bookPageAround() {
    try {
      if (window.parent === window) return null;
      const around = window.parent;
      return around.location.origin === window.location.origin ? around : null;
    } catch (error) {
      return null;
    }
  }

  /* Once shown over the book page: its address and title follow the workbook's. */
  function mirrorToBookPage() {
    const around = bookPageAround();
    if (!around || !around.document.documentElement.classList.contains("live-warm-open")) return;
    around.history.replaceState(around.history.state, "", window.location.href);
    around.document.title = document.title;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  }

  function showLoading() {
    panel = el("div", { id: "workbook-status", role: "status", "aria-live": "polite" });
    panel.appendChild(el("h1", {}, "Opening the live workbook\u2026"));
    /* A page the live site's service worker answers is a repeat visit: nothing to fetch. */
    const repeat = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
    panel.appendChild(el("p", { id: "workbook-status-text" }, repeat
      ? "Starting from this browser's own copy of its Python: usually a few seconds."
      : "The first visit fetches the browser's own Python (about 15 MB); after that it opens " +
        "from this browser's own copy."));
    document.body.appendChild(panel);
    window.setTimeout(function () {
      if (!ready && !failed) {
        document.getElementById("workbook-status-text").textContent =
          "Still opening: a slow connection can take a minute on the first visit. Please wait.";
      }
    }, 20000);
  }

  /* ``advice``: for a problem the workbook itself reports (not the browser's Python failing to
     load), what to try first and what to ask IT, in place of the advice about downloads. */
  function fail(what, advice) {
    if (ready || failed) return;
    failed = true;
    window.workbookProblem = what;
    if (!panel) showLoading();
    panel.setAttribute("role", "alert");
    panel.textContent = "";
    panel.appendChild(el("h1", {}, "The live workbook could not open"));
    panel.appendChild(el("p", {}, what));
    if (pythonHost && !advice) {
      panel.appendChild(el("p", { class: "workbook-python-site" },
        "The workbook downloads the browser's own Python (about 15 MB) from " + pythonHost +
        ", a public download site, not from this course's site. Many school networks block " +
        "download sites like it, and it cannot be reached offline."));
    }
    panel.appendChild(el("h2", {}, "What you can try"));
    const list = el("ul");
    const elsewhere =
      "Open the course in another browser (for example Edge, Chrome or Firefox), or on another device.";
    const items = advice ? [advice.first, "Reload this page.", elsewhere, advice.it] : [
      "Reload this page.",
      elsewhere,
      pythonHost
        ? "If you are on a school network, ask your IT team to allow the download site " +
          pythonAllow + " (the .js, .wasm, .zip and .whl files there) as well as this site."
        : "If you are on a school network, ask your IT team to allow this site (" +
          window.location.host + "), including the WebAssembly (.wasm) and Python files it loads.",
    ];
    if (pythonHost && !advice) {
      items.push("Whoever publishes this course for your school can build it with its own copy " +
        "of the browser's Python, so that nothing comes from another site.");
    }
    for (const item of items) list.appendChild(el("li", {}, item));
    panel.appendChild(list);
    const back = el("p");
    const link = el("a", { href: bookPage, class: "workbook-printable" },
      "Open this form's questions on the course page");
    back.appendChild(link);
    back.appendChild(document.createTextNode(
      ": print them to note your answers on paper meanwhile, and type them in once the " +
      "workbook opens."));
    panel.appendChild(back);
    const reload = el("button", { type: "button" }, "Reload this page");
    reload.addEventListener("click", function () { (bookPageAround() || window).location.reload(); });
    panel.appendChild(reload);
  }

  /* The form the address names (the book's buttons say it in the "code" the app runs). */
  function formInAddress() {
    const code = new URLSearchParams(window.location.search).get("code") || "";
    return (/workbook\("([a-z0-9-]+)"\)/.exec(code) || [])[1] || "";
  }

  /* The address of form ``id``: this one with the form named in its code changed. */
  function addressOf(id) {
    const query = new URLSearchParams(window.location.search);
    query.set("code", (query.get("code") || "").replace(/workbook\("[a-z0-9-]+"\)/, 'workbook("' + id + '")'));
    return window.location.pathname + "?" + query.toString() + window.location.hash;
  }

  /* Back or Forward: open the form the address names with the workbook's own menu and button
     (the form on screen is saved first, as on any switch). */
  function openFormInAddress() {
    const id = formInAddress();
    const heading = document.querySelector(".workbook-heading");
    const index = Object.keys(BOOK_PAGES).indexOf(id);
    const menu = document.querySelector(".workbook-bar select");
    const go = document.querySelector(".workbook-bar button");
    if (!heading || index < 0 || !menu || !go || heading.dataset.form === id) return;
    menu.selectedIndex = index;
    menu.dispatchEvent(new Event("change", { bubbles: true }));
    go.click();
  }

  let lastHeading = null;
  function watchForm() {
    const heading = document.querySelector(".workbook-heading");
    if (heading) {
      if (!ready) {
        ready = true;
        if (panel) panel.remove();
      }
      if (heading.textContent !== lastHeading) {
        const id = heading.dataset.form || "";
        if (lastHeading !== null) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
          if (id && id !== formInAddress()) window.history.pushState({ form: id }, "", addressOf(id));
        } else if (id && id !== formInAddress()) {
          window.history.replaceState({ form: id }, "", addressOf(id));
        }
        lastHeading = heading.textContent;
        document.title = heading.textContent + " \u00b7 Live workbook";
        mirrorToBookPage();
      }
    } else if (!ready && document.querySelector(".workbook-problem")) {
      /* The workbook did not open, and says why (a browser that would keep no answers). */
      const problem = document.querySelector(".workbook-problem");
      fail(problem.textContent, { first: problem.dataset.try, it: problem.dataset.it });
    } else if (!ready && document.querySelector(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
      fail("The browser's Python started, but the form could not be made in it.");
    }
  }

  async function probe() {
    /* The kernel fetches its Python from these: a refused or failed fetch means it never will. */
    if (!navigator.onLine) return;
    const root = new URL("../", window.location.href);
    for (const url of PROBE) {
      const where = new URL(url, root);
      const outside = where.host !== window.location.host;
      const site = outside ? where.host : "the course site";
      let response = null;
      try {
        response = await fetch(where, { cache: "no-cache" });
      } catch (error) {
        fail("The browser could not fetch its own Python from " + site + ". A school " +
          "network, filter or browser setting may be blocking it.");
        return;
      }
      if (!response.ok) {
        fail("The browser could not fetch its own Python from " + site + ": it answered " +
          response.status + ". A school network or filter may be blocking it.");
        return;
      }
    }
  }

  window.addEventListener("popstate", openFormInAddress);

  /* Started ahead by a book page: a link out of the workbook opens in the whole window. */
  document.addEventListener("click", function (event) {
    const link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !bookPageAround() || link.hasAttribute("download") || link.target) return;
    const where = new URL(link.href, window.location.href);
    const liveRoot = new URL("../", window.location.href);
    if (where.origin === window.location.origin && !where.pathname.startsWith(liveRoot.pathname)) {
      link.target = "_top";
    }
  }, true);

  /* Enter presses the button (or ticks the box) that has the focus, as on any web page: the
     app around the forms binds Enter to its own commands on the document, so the key is kept
     from it here, on the window, before it gets there. */
  window.addEventListener("keydown", function (event) {
    const target = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
    if (!target || !target.closest || !target.closest(".workbook, .jp-OutputArea")) return;
    if (target.tagName === "BUTTON") {
      event.stopPropagation();
    } else if (target.tagName === "INPUT" && target.type === "checkbox") {
      event.stopPropagation();
      event.preventDefault();
      target.click();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    showLoading();
    new MutationObserver(watchForm).observe(document.body, { childList: true, subtree: true });
    window.setTimeout(function () {
      fail("The browser's Python has not started after " + waitSeconds + " seconds.");
    }, waitSeconds * 1000);
    probe();
  });
})();
