/* Book pages with an "Open this form in the live workbook" button: on a repeat visit, start the
   workbook while the lead reads the page, so the click only shows it (issue 20).

   - Only when this browser already holds the live site (its service worker is active: a repeat
     visit, so nothing is downloaded ahead), and never with Save-Data on or on a device with
     little memory: there the button opens the workbook as before, from the click.
   - The workbook starts as soon as the page is read (not once it has loaded: the start takes
     seconds, and a lead may click at once), out of sight, in a frame the size of the window
     (inert, so out of reach of the keyboard and screen readers too); the click shows that
     frame over the page, still starting or not (it then says what it is doing itself), puts the workbook's address in the address bar (reload and bookmarks
     open the workbook itself) and moves the focus into it; the book page behind is inert.
     Back returns to the book page, with the workbook kept, still started, for the next click.
   - A click with a modifier key (a new tab or window) and a workbook that could not start
     open the address as a plain link: a fresh start. A click before the page knows whether
     this browser holds the live site (a moment) waits for the answer: it shows the frame
     if one started, else opens the address. */
(function () {
  "use strict";
  const button = document.querySelector("a.live-form-button");
  if (!button || window.top !== window || !("serviceWorker" in navigator)) return;
  const connection = navigator.connection || {};
  if (connection.saveData || (navigator.deviceMemory && navigator.deviceMemory < 4)) return;
  const target = new URL(button.href, window.location.href);
  const liveRoot = new URL("../", target);
  const bookTitle = document.title;
  let frame = null;
  let shown = false;
  /* Settles once the page knows whether to start the workbook ahead (and has, if so). */
  let deciding = null;

  function frameWindow() {
    try {
      return frame && frame.contentWindow && frame.contentWindow.document ? frame.contentWindow : null;
    } catch (error) {
      return null;
    }
  }

  async function warm() {
    const registration = await navigator.serviceWorker.getRegistration(liveRoot.href);
    if (!registration || !registration.active || frame) return;
    /* Showing the workbook puts its address in the tab, and the page's own relative links
       (its icon, fonts) would then be read from there: they keep to this page's address. */
    if (!document.querySelector("base")) {
      const base = document.createElement("base");
      base.href = window.location.href;
      document.head.prepend(base);
    }
    frame = document.createElement("iframe");
    frame.className = "live-warm-start";
    frame.title = "Live workbook";
    frame.inert = true;
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    frame.style.cssText =
      "position:fixed;inset:0;width:100%;height:100%;border:0;margin:0;background:#fff;" +
      "visibility:hidden;pointer-events:none;z-index:-1;";
    frame.src = target.href;
    document.body.appendChild(frame);
  }

  function setInert(on) {
    for (const node of document.body.children) {
      if (node !== frame) node.inert = on;
    }
  }

  function show(push) {
    const inside = frameWindow();
    shown = true;
    document.documentElement.classList.add("live-warm-open");
    frame.style.visibility = "visible";
    frame.style.pointerEvents = "auto";
    frame.style.zIndex = "2147483647";
    frame.inert = false;
    frame.removeAttribute("aria-hidden");
    frame.setAttribute("tabindex", "0");
    document.documentElement.style.overflow = "hidden";
    setInert(true);
    const address = inside && inside.location.protocol.startsWith("http") ? inside.location.href : target.href;
    if (push) window.history.pushState({ liveWarmStart: true }, "", address);
    if (inside && inside.document.title) document.title = inside.document.title;
    frame.focus();
    const heading = inside && inside.document.querySelector(".workbook-heading");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  function hide() {
    shown = false;
    document.documentElement.classList.remove("live-warm-open");
    frame.style.visibility = "hidden";
    frame.style.pointerEvents = "none";
    frame.style.zIndex = "-1";
    frame.inert = true;
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    document.documentElement.style.overflow = "";
    setInert(false);
    document.title = bookTitle;
    button.focus();
  }

  button.addEventListener("click", function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (!frame) {
      if (!deciding) return;
      event.preventDefault();
      deciding.then(function () {
        if (frame) show(true);
        else window.location.assign(target.href);
      });
      return;
    }
    const inside = frameWindow();
    if (inside && inside.workbookProblem) return;
    event.preventDefault();
    show(true);
  });

  window.addEventListener("popstate", function (event) {
    if (!frame) return;
    const back = !(event.state && event.state.liveWarmStart);
    if (back && shown) hide();
    else if (!back && !shown) show(false);
  });

  /* This script is deferred: the page is read and its body is there. */
  deciding = warm().catch(function () {}).then(function () { deciding = null; });
})();
