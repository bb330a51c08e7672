// Forms marked data-submit-once (the builder, the review session) create a test
// and start its attempt: a double click must not create two. The first submit
// goes; later ones are dropped while the next page loads, and the button says so.
// Coming back with the Back button (the page restored from the cache) re-arms it.
(() => {
  const forms = document.querySelectorAll("form[data-submit-once]");
  forms.forEach((form) => {
    const button = form.querySelector('button[type="submit"]');
    let label = button ? button.textContent : "";
    form.addEventListener("submit", (event) => {
      if (form.dataset.submitting) {
        event.preventDefault();
        return;
      }
      form.dataset.submitting = "1";
      if (button) {
        label = button.textContent;
        button.setAttribute("aria-disabled", "true");
        button.textContent = "Starting…";
      }
    });
    window.addEventListener("pageshow", () => {
      delete form.dataset.submitting;
      if (button && button.getAttribute("aria-disabled")) {
        button.removeAttribute("aria-disabled");
        button.textContent = label;
      }
    });
  });
})();
