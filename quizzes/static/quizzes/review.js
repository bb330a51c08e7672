// The "Review due" page: the button says how many questions the session will
// have, so it follows the number typed. Without this script it keeps the default
// count, and the server uses the number sent.
(() => {
  const count = document.querySelector("[data-review-count]");
  const button = document.querySelector("[data-review-start]");
  if (!count || !button) return;
  const update = () => {
    const n = Number(count.value);
    if (!Number.isInteger(n) || n < Number(count.min) || n > Number(count.max)) {
      button.textContent = "Start review";
      return;
    }
    button.textContent = `Start review (${n} question${n === 1 ? "" : "s"})`;
  };
  count.addEventListener("input", update);
  update();
})();
