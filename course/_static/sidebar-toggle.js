/* The page list's menu button on phones and tablets.
 *
 * pydata-sphinx-theme 0.17 (which sphinx-book-theme 1.3 pins) adds a hidden menu button of its
 * own and listens only to the first button of the class it finds, so the book theme's visible
 * button does nothing on narrow screens (pydata-sphinx-theme issue #2451). Until a release
 * fixes it, a click on any other such button is passed to the first one, which opens the
 * page list (and the page's contents, for the secondary button).
 */
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary-toggle", "secondary-toggle"]) {
    const [first, ...others] = document.querySelectorAll(`.${kind}`);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        first.click();
      });
    }
  }
});
