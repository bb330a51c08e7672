// The builder page: the seconds per question only matter in timed mode, so the
// field shows only when Timed is chosen. Without this script it always shows,
// labelled "timed mode", and the server ignores it for a tutor test.
(() => {
  const seconds = document.querySelector("[data-seconds-field]");
  const modes = document.querySelectorAll('input[name="mode"]');
  if (!seconds || !modes.length) return;
  const update = () => {
    const timed = document.querySelector('input[name="mode"][value="timed"]');
    seconds.hidden = !(timed && timed.checked);
  };
  modes.forEach((mode) => mode.addEventListener("change", update));
  update();
})();
